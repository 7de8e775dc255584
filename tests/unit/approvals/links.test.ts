import { describe, expect, it } from 'vitest';
import { decisionLink, signDecision, verifyDecision } from '../../../lambdas/approvals/domain/links.js';

const secret = 'test-secret';
const exp = Math.floor(Date.parse('2026-12-01T00:00:00Z') / 1000);
const now = Date.parse('2026-11-24T00:00:00Z');

describe('signed approval links', () => {
  it('verify for the approval, decision and expiry they were signed for', () => {
    const sig = signDecision(secret, 'a1', 'approve', exp);
    expect(verifyDecision(secret, 'a1', 'approve', exp, sig, now)).toEqual({ ok: true });
  });

  it('do not turn an approve link into a reject', () => {
    const sig = signDecision(secret, 'a1', 'approve', exp);
    expect(verifyDecision(secret, 'a1', 'reject', exp, sig, now)).toMatchObject({ ok: false });
  });

  it('do not work for another approval, another key or a stretched expiry', () => {
    const sig = signDecision(secret, 'a1', 'approve', exp);
    expect(verifyDecision(secret, 'a2', 'approve', exp, sig, now).ok).toBe(false);
    expect(verifyDecision('other', 'a1', 'approve', exp, sig, now).ok).toBe(false);
    expect(verifyDecision(secret, 'a1', 'approve', exp + 86400, sig, now).ok).toBe(false);
  });

  it('expire', () => {
    const sig = signDecision(secret, 'a1', 'approve', exp);
    expect(verifyDecision(secret, 'a1', 'approve', exp, sig, exp * 1000 + 1)).toMatchObject({
      ok: false,
      reason: 'expired',
    });
  });

  it('tell a forged link that it is invalid whatever expiry it claims, and only a genuine one that it expired', () => {
    const sig = signDecision(secret, 'a1', 'approve', exp);
    const past = exp - 30 * 86400;
    expect(verifyDecision(secret, 'a1', 'approve', past, sig, now)).toMatchObject({ reason: 'invalid' });
    expect(verifyDecision(secret, 'a1', 'approve', exp, 'x'.repeat(43), now)).toMatchObject({
      reason: 'invalid',
    });
    expect(verifyDecision(secret, 'a1', 'approve', Number.NaN, sig, now)).toMatchObject({
      reason: 'invalid',
    });
  });

  it('cannot be signed without a key', () => {
    expect(() => signDecision('', 'a1', 'approve', exp)).toThrow();
  });

  it('carry the decision, expiry and signature in the URL', () => {
    const url = new URL(decisionLink('https://api.example.com/', secret, 'a 1', 'reject', exp));
    expect(url.pathname).toBe('/approvals/a%201');
    expect(url.searchParams.get('d')).toBe('reject');
    expect(
      verifyDecision(
        secret,
        'a 1',
        'reject',
        Number(url.searchParams.get('exp')),
        url.searchParams.get('sig') ?? '',
        now,
      ).ok,
    ).toBe(true);
  });
});
