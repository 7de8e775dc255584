import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Decision } from '../../shared/contracts/index.js';

/** HMAC-SHA256 over `approval_id|decision|expiry`: a link decides one approval one way until it expires. */
export function signDecision(
  secret: string,
  approvalId: string,
  decision: Decision,
  expiresEpoch: number,
): string {
  return createHmac('sha256', secret).update(`${approvalId}|${decision}|${expiresEpoch}`).digest('base64url');
}

export type LinkCheck = { ok: true } | { ok: false; reason: string };

export function verifyDecision(
  secret: string,
  approvalId: string,
  decision: Decision,
  expiresEpoch: number,
  signature: string,
  now = Date.now(),
): LinkCheck {
  if (!Number.isFinite(expiresEpoch) || expiresEpoch * 1000 < now)
    return { ok: false, reason: 'the link has expired' };
  const expected = Buffer.from(signDecision(secret, approvalId, decision, expiresEpoch));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'the link signature is not valid' };
  return { ok: true };
}

export function decisionLink(
  baseUrl: string,
  secret: string,
  approvalId: string,
  decision: Decision,
  expiresEpoch: number,
): string {
  const sig = signDecision(secret, approvalId, decision, expiresEpoch);
  return `${baseUrl.replace(/\/$/, '')}/approvals/${encodeURIComponent(approvalId)}?d=${decision}&exp=${expiresEpoch}&sig=${sig}`;
}
