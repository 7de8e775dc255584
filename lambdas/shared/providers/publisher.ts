import { OutboxPublisher } from '../adapters/offline/outbox-publisher.js';
import type { Publisher } from '../ports/index.js';
import { blobs } from '../services.js';
import { lazy } from './lazy.js';

/** The platform publisher (BIE_PUBLISHER): the outbox prefix of the media bucket. */
export const publisher = lazy<Publisher>(() => new OutboxPublisher(blobs()));
