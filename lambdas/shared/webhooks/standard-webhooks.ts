import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks (standardwebhooks.com), the scheme OpenAI uses for its webhooks:
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`.
 */
export const TOLERANCE_SECONDS = 300;
/** Shorter keys are refused on both sides: an empty or toy secret must never sign or verify anything. */
const MIN_KEY_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class WebhookSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSecretError';
  }
}

/**
 * The HMAC key of a secret, the same on the signing and the verifying side. `whsec_<base64>` is the
 * Standard Webhooks form: the key is the base64-decoded part. Any other string (the stack's Secrets
 * Manager secret is a generated 64-character password) is used as its UTF-8 bytes, never base64-decoded:
 * Node's lenient decoder would drop characters outside the alphabet, so distinct secrets could collide.
 */
export function webhookKey(secret: string): Buffer {
  let key: Buffer;
  if (secret.startsWith('whsec_')) {
    const encoded = secret.slice(6);
    if (!BASE64.test(encoded) || encoded.length % 4 === 1)
      throw new WebhookSecretError('the webhook secret has a whsec_ prefix but is not base64 after it');
    key = Buffer.from(encoded, 'base64');
  } else {
    key = Buffer.from(secret, 'utf8');
  }
  if (key.length < MIN_KEY_BYTES)
    throw new WebhookSecretError(`the webhook secret is shorter than ${MIN_KEY_BYTES} bytes`);
  return key;
}

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', webhookKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export function webhookHeaders(
  secret: string,
  id: string,
  body: string,
  now = Date.now(),
): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, id, timestamp, body),
    'content-type': 'application/json',
  };
}

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** What a verified message is identified by (replays are recognised by `id`). */
export interface VerifiedWebhook {
  id: string;
  timestamp: number;
}

/**
 * Throws unless one of the `v1,` signatures matches and the timestamp is within five minutes either
 * way (an old captured message cannot be replayed once its window has passed).
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  body: string,
  now = Date.now(),
): VerifiedWebhook {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (!id || !ts || !sigs)
    throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature');
  if (id.length > 256) throw new WebhookVerificationError('webhook-id is longer than 256 characters');
  const timestamp = Number(ts);
  if (!/^\d{1,12}$/.test(ts) || Math.abs(now / 1000 - timestamp) > TOLERANCE_SECONDS) {
    throw new WebhookVerificationError('webhook timestamp outside the tolerance window');
  }
  const expected = Buffer.from(signWebhook(secret, id, timestamp, body).slice(3), 'base64');
  const ok = sigs.split(' ').some((candidate) => {
    const [version, value] = candidate.split(',');
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new WebhookVerificationError('no matching webhook signature');
  return { id, timestamp };
}
