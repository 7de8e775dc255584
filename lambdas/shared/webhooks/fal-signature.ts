import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { z } from 'zod';
import { TOLERANCE_SECONDS, WebhookVerificationError } from './standard-webhooks.js';

/**
 * fal webhook signatures (docs.fal.ai "Webhooks", verification section): the headers
 * `X-Fal-Webhook-Request-Id`, `-User-Id`, `-Timestamp` (Unix seconds) and `-Signature` (hex); the signed
 * message is `${requestId}\n${userId}\n${timestamp}\n${sha256_hex(rawBody)}`, an ED25519 signature by
 * any key of fal's JWKS. A message more than 300 s from now either way is refused, so a captured one
 * cannot be replayed once its window has passed.
 */
export const FAL_JWKS_MAX_AGE_MS = 24 * 3600_000;
/** A failed verification refetches the keys (fal rotated them) at most this often. */
const REFETCH_MIN_INTERVAL_MS = 60_000;

const Jwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().min(1),
  kid: z.string().optional(),
});
const Jwks = z.object({ keys: z.array(z.unknown()) });

export interface FalJwksOptions {
  url: string;
  fetchImpl?: typeof fetch;
  now?: () => number;
  maxAgeMs?: number;
}

/** fal's public keys, cached for at most 24 h and refetched once when a signature matches none. */
export class FalJwks {
  private cached?: { keys: KeyObject[]; at: number };
  private inflight?: Promise<KeyObject[]>;
  /** How many times the JWKS was fetched (tests read it). */
  fetches = 0;

  constructor(private readonly opts: FalJwksOptions) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  async keys(): Promise<KeyObject[]> {
    const c = this.cached;
    if (c && this.now() - c.at < (this.opts.maxAgeMs ?? FAL_JWKS_MAX_AGE_MS)) return c.keys;
    return this.refresh();
  }

  /** Fetches again unless a fetch happened within the last minute (forged messages cannot force a fetch each). */
  async refetchAfterMismatch(): Promise<KeyObject[] | undefined> {
    if (this.cached && this.now() - this.cached.at < REFETCH_MIN_INTERVAL_MS) return undefined;
    return this.refresh();
  }

  private refresh(): Promise<KeyObject[]> {
    this.inflight ??= this.load().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async load(): Promise<KeyObject[]> {
    this.fetches++;
    const res = await (this.opts.fetchImpl ?? fetch)(this.opts.url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`fetching fal's JWKS: HTTP ${res.status}`);
    const keys = Jwks.parse(await res.json()).keys.flatMap((k) => {
      const jwk = Jwk.safeParse(k);
      if (!jwk.success) return [];
      try {
        return [createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.data.x }, format: 'jwk' })];
      } catch {
        return [];
      }
    });
    if (keys.length === 0) throw new Error("fal's JWKS holds no Ed25519 key");
    this.cached = { keys, at: this.now() };
    return keys;
  }
}

export interface VerifiedFalWebhook {
  requestId: string;
  userId: string;
  timestamp: number;
}

const header = (headers: Record<string, string | undefined>, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
};

/** The message fal signs. */
export const falSignedMessage = (
  requestId: string,
  userId: string,
  timestamp: string,
  rawBody: string,
): Buffer =>
  Buffer.from(
    `${requestId}\n${userId}\n${timestamp}\n${createHash('sha256').update(rawBody, 'utf8').digest('hex')}`,
    'utf8',
  );

/** Throws WebhookVerificationError (→ 401) unless the message is fal's, signed within 300 s of now. */
export async function verifyFalWebhook(
  jwks: FalJwks,
  headers: Record<string, string | undefined>,
  rawBody: string,
  now = Date.now(),
): Promise<VerifiedFalWebhook> {
  const requestId = header(headers, 'x-fal-webhook-request-id');
  const userId = header(headers, 'x-fal-webhook-user-id');
  const ts = header(headers, 'x-fal-webhook-timestamp');
  const sig = header(headers, 'x-fal-webhook-signature');
  if (!requestId || !userId || !ts || !sig)
    throw new WebhookVerificationError(
      'missing X-Fal-Webhook-Request-Id, -User-Id, -Timestamp or -Signature',
    );
  if (requestId.length > 200 || userId.length > 200)
    throw new WebhookVerificationError('fal webhook ids longer than 200 characters');
  const timestamp = Number(ts);
  if (!/^\d{1,12}$/.test(ts) || Math.abs(now / 1000 - timestamp) > TOLERANCE_SECONDS)
    throw new WebhookVerificationError('fal webhook timestamp outside the tolerance window');
  if (!/^[0-9a-f]{128}$/i.test(sig))
    throw new WebhookVerificationError('fal webhook signature is not 64 bytes of hex');
  const message = falSignedMessage(requestId, userId, ts, rawBody);
  const signature = Buffer.from(sig, 'hex');
  const matches = (keys: KeyObject[]) => keys.some((key) => verify(null, message, key, signature));
  if (matches(await jwks.keys())) return { requestId, userId, timestamp };
  const fresh = await jwks.refetchAfterMismatch();
  if (fresh && matches(fresh)) return { requestId, userId, timestamp };
  throw new WebhookVerificationError('no key of the fal JWKS matches the webhook signature');
}
