import { createHash } from 'node:crypto';
import { getItem, putItem } from '../data/table.js';

/** Kept a day: far beyond the five-minute window after which a message is refused by its timestamp. */
const KEEP_SECONDS = 24 * 3600;

export type MessageBinding = 'first' | 'same' | 'different';

/**
 * Binds a verified webhook id to its body, once. Providers deliver at least once and retry with the
 * same id and the same payload ('same': the receiver answers idempotently); a message that reuses an
 * id with another payload ('different') is refused, so a captured id cannot carry a new body even
 * inside the timestamp window. The first delivery wins (a conditional write, race-free).
 */
export async function bindMessage(provider: string, id: string, body: string): Promise<MessageBinding> {
  const sha256 = createHash('sha256').update(body).digest('hex');
  const key = { pk: `WEBHOOK#${provider}`, sk: `MSG#${id}` };
  const now = Math.floor(Date.now() / 1000);
  const first = await putItem(
    { ...key, body_sha256: sha256, received_at: new Date().toISOString(), expires_at: now + KEEP_SECONDS },
    { ifAbsent: true },
  );
  if (first) return 'first';
  const seen = await getItem(key.pk, key.sk);
  return seen?.body_sha256 === sha256 ? 'same' : 'different';
}
