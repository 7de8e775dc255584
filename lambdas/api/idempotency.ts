import { createHash } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { doc, getItem, isConditionalFailure, TABLE_DESIGN, tableName } from '../shared/data/table.js';
import { ValidationError } from '../shared/errors.js';
import type { ApiEvent } from './http.js';

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header) on `POST /campaigns`: a client that
 * retries a request it is unsure about — a timeout, a killed `bie run` — sends the same key and gets
 * the same campaign back instead of a second one.
 *
 * The first request with a key claims it with a conditional write (race-free: of two concurrent
 * requests one claims, the other finds the claim), storing a hash of the body. A later request with the
 * same key and the same body is a replay: the campaign id derives from the key and the claim, so
 * `createCampaign`'s own conditional create returns the existing campaign and no second execution
 * starts. The same key with another body is refused (422): the client has mixed up its keys. Claims
 * expire after 24 hours through the table's TTL attribute; DynamoDB deletes expired items late, so an
 * expired claim is also taken over by the next request explicitly.
 */
export const IDEMPOTENCY_KEEP_SECONDS = 24 * 3600;

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** An opaque token the client chose (a UUID is typical): 1–255 visible ASCII characters. */
export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7E]{1,255}$/, 'must be 1–255 visible ASCII characters (a UUID is a good key)');

/** The key of a request, validated; undefined without the header. */
export function idempotencyKey(event: ApiEvent): string | undefined {
  const raw = event.headers?.[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  // A structured-field string ("key") is accepted as well as a bare token.
  const value = /^".*"$/.test(raw) ? raw.slice(1, -1) : raw;
  const parsed = IdempotencyKey.safeParse(value);
  if (!parsed.success)
    throw new ValidationError('invalid Idempotency-Key', [
      { path: `headers.${IDEMPOTENCY_HEADER}`, message: parsed.error.issues[0]?.message ?? 'invalid' },
    ]);
  return parsed.data;
}

export type Claim =
  | { outcome: 'first' | 'same'; claimId: string; campaignId?: string }
  | { outcome: 'different'; campaignId?: string; claimedAt: string };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Claims `key` for a request body within a scope (the route and the caller, so two callers' keys never
 * meet). `claimId` names this claim: the same key and body map to it until the claim expires.
 */
export async function claimKey(scope: string, key: string, body: unknown, now = Date.now()): Promise<Claim> {
  const pk = `IDEMPOTENCY#${sha256(`${scope}\u241f${key}`)}`;
  const bodySha256 = sha256(JSON.stringify(body));
  const nowSeconds = Math.floor(now / 1000);
  const createdAt = new Date(now).toISOString();
  try {
    await doc.send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          pk,
          sk: 'KEY',
          scope,
          body_sha256: bodySha256,
          created_at: createdAt,
          [TABLE_DESIGN.timeToLiveAttribute]: nowSeconds + IDEMPOTENCY_KEEP_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
        ExpressionAttributeNames: { '#ttl': TABLE_DESIGN.timeToLiveAttribute },
        ExpressionAttributeValues: { ':now': nowSeconds },
      }),
    );
    return { outcome: 'first', claimId: `${pk}@${createdAt}` };
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
  const claim = await getItem(pk, 'KEY');
  if (!claim) throw new Error(`idempotency claim ${pk} vanished after a conditional failure`);
  const campaignId = typeof claim.campaign_id === 'string' ? claim.campaign_id : undefined;
  if (claim.body_sha256 !== bodySha256)
    return { outcome: 'different', campaignId, claimedAt: String(claim.created_at) };
  return { outcome: 'same', claimId: `${pk}@${String(claim.created_at)}`, campaignId };
}

/** Notes which campaign a claim produced, so a refusal can name it. */
export async function recordClaimResult(claimId: string, campaignId: string): Promise<void> {
  const pk = claimId.slice(0, claimId.indexOf('@'));
  await doc
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk, sk: 'KEY' },
        UpdateExpression: 'SET campaign_id = :c',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':c': campaignId },
      }),
    )
    .catch((error: unknown) => {
      // The claim expired and was deleted meanwhile: nothing left to annotate.
      if (!isConditionalFailure(error)) throw error;
    });
}
