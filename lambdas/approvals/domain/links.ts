import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Decision } from '../../shared/contracts/index.js';
import { DomainError } from '../../shared/errors.js';

/** What a link lets its holder do: decide one way, or review and decide either way (the dashboard). */
export type LinkPurpose = Decision | 'review';

/** HMAC-SHA256 over `approval_id|decision|expiry`: a link decides one approval one way until it expires. */
export function signDecision(
  secret: string,
  approvalId: string,
  decision: LinkPurpose,
  expiresEpoch: number,
): string {
  if (!secret) throw new Error('no approval-link signing secret');
  return createHmac('sha256', secret).update(`${approvalId}|${decision}|${expiresEpoch}`).digest('base64url');
}

export type LinkCheck = { ok: true } | { ok: false; reason: 'invalid' | 'expired'; message: string };

/**
 * The signature is checked first, so a forged link is told it is invalid whatever expiry it claims;
 * only a genuine link learns that it has expired.
 */
export function verifyDecision(
  secret: string,
  approvalId: string,
  decision: LinkPurpose,
  expiresEpoch: number,
  signature: string,
  now = Date.now(),
): LinkCheck {
  const expected = Buffer.from(signDecision(secret, approvalId, decision, expiresEpoch));
  const given = Buffer.from(signature);
  if (
    !Number.isSafeInteger(expiresEpoch) ||
    given.length !== expected.length ||
    !timingSafeEqual(given, expected)
  )
    return {
      ok: false,
      reason: 'invalid',
      message: 'the link signature is not valid for this approval and decision',
    };
  if (expiresEpoch * 1000 < now) return { ok: false, reason: 'expired', message: 'the link has expired' };
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

/**
 * The dashboard's review link: one signature over `approval_id|review|expiry` lets its holder see the
 * approval's review page and decide it either way, once (the same power as holding both mailed links).
 * The signature travels in the URL fragment, so it never reaches a server log or a Referer header.
 */
export function signReview(secret: string, approvalId: string, expiresEpoch: number): string {
  return signDecision(secret, approvalId, 'review', expiresEpoch);
}

export function verifyReview(
  secret: string,
  approvalId: string,
  expiresEpoch: number,
  signature: string,
  now = Date.now(),
): LinkCheck {
  return verifyDecision(secret, approvalId, 'review', expiresEpoch, signature, now);
}

export function reviewLink(
  dashboardUrl: string,
  secret: string,
  approvalId: string,
  expiresEpoch: number,
): string {
  const sig = signReview(secret, approvalId, expiresEpoch);
  return `${dashboardUrl.replace(/\/$/, '')}/#/review/${encodeURIComponent(approvalId)}?exp=${expiresEpoch}&sig=${sig}`;
}

/** A public approval request without a link signature (`missing`), with a wrong one, or an expired one. */
export class ApprovalLinkError extends DomainError {
  constructor(
    readonly reason: 'missing' | 'invalid' | 'expired',
    message: string,
  ) {
    super('ApprovalLinkError', message);
  }
}

export class ApprovalExpiredError extends DomainError {
  constructor(approvalId: string) {
    super('ApprovalExpiredError', `approval ${approvalId} has expired`);
  }
}
