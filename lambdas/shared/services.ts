import { SesMailer } from './adapters/aws/ses-mailer.js';
import { sfnTaskCallbacks } from './adapters/aws/sfn-task-callbacks.js';
import { config } from './commons.js';
import { S3BlobStore } from './data/blob-store.js';
import { lazy } from './providers/lazy.js';

/**
 * What every kind of function may need: media storage, mail, task callbacks. The model, voice, video
 * and publishing providers live in `providers/`, one module each, so a function bundles only the
 * adapters of the ports it uses (which adapter serves a port is configuration: BIE_TEXT_MODEL, ...).
 */
export const blobs = lazy(() => new S3BlobStore(config.BUCKET_NAME));
export const mailer = lazy(() => (config.MAIL_FROM ? new SesMailer(config.MAIL_FROM) : undefined));
export const taskCallbacks = () => sfnTaskCallbacks;
