import { OutboxPublisher } from '../adapters/offline/outbox-publisher.js';
import { config } from '../commons.js';
import type { Publisher } from '../ports/index.js';
import { lazy } from './lazy.js';

/** The platform publisher (BIE_PUBLISHER). */
export const publisher = lazy<Publisher>(() => new OutboxPublisher(config.BIE_OUTBOX_DIR));
