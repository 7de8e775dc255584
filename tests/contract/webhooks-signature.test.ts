import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  signWebhook,
  verifyWebhook,
  WebhookSecretError,
  webhookHeaders,
  webhookKey,
} from '../../lambdas/shared/webhooks/standard-webhooks.js';

// The test vector published with the Standard Webhooks reference libraries.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const RAW = 'Zq3k9VbN2xW7yT1mP4sR8uE6aH0cJ5dL2fG9hK3nM7pQ1rS4tU8vX6wY0zA2bC5d'; // like the stack's generated secret

describe('Standard Webhooks signatures', () => {
  it('match the specification test vector for a whsec_ secret', () => {
    expect(signWebhook(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
    const headers = {
      'webhook-id': SPEC.id,
      'webhook-timestamp': String(SPEC.timestamp),
      'webhook-signature': `v1,bm90IGl0 ${SPEC.signature}`,
    };
    expect(verifyWebhook(SPEC.secret, headers, SPEC.body, SPEC.timestamp * 1000)).toEqual({
      id: SPEC.id,
      timestamp: SPEC.timestamp,
    });
  });

  it('use a raw secret (Secrets Manager password) as its UTF-8 bytes on both sides', () => {
    const headers = webhookHeaders(RAW, 'msg_1', '{}', 1_700_000_000_000);
    const mac = createHmac('sha256', Buffer.from(RAW, 'utf8')).update('msg_1.1700000000.{}').digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${mac}`);
    expect(() => verifyWebhook(RAW, headers, '{}', 1_700_000_000_000)).not.toThrow();
  });

  it('do not let a raw secret and its base64 reading verify each other', () => {
    const headers = webhookHeaders(RAW, 'msg_1', '{}', 1_700_000_000_000);
    expect(() => verifyWebhook(`whsec_${RAW}`, headers, '{}', 1_700_000_000_000)).toThrow(
      'no matching webhook signature',
    );
  });

  it('refuse empty, short or malformed secrets on the signing and the verifying side', () => {
    for (const bad of ['', 'short', 'whsec_', 'whsec_c2hvcnQ=', 'whsec_not base64!']) {
      expect(() => webhookKey(bad), bad).toThrow(WebhookSecretError);
      expect(() => webhookHeaders(bad, 'msg_1', '{}'), bad).toThrow(WebhookSecretError);
    }
  });

  it('refuse a timestamp outside five minutes, a missing header, and a signature of another version', () => {
    const now = SPEC.timestamp * 1000;
    const base = {
      'webhook-id': SPEC.id,
      'webhook-timestamp': String(SPEC.timestamp),
      'webhook-signature': SPEC.signature,
    };
    expect(() => verifyWebhook(SPEC.secret, base, SPEC.body, now + 301_000)).toThrow('tolerance');
    expect(() => verifyWebhook(SPEC.secret, base, SPEC.body, now - 301_000)).toThrow('tolerance');
    expect(() => verifyWebhook(SPEC.secret, base, SPEC.body, now + 299_000)).not.toThrow();
    expect(() =>
      verifyWebhook(SPEC.secret, { ...base, 'webhook-timestamp': '1614265330.0' }, SPEC.body, now),
    ).toThrow('tolerance');
    expect(() => verifyWebhook(SPEC.secret, { ...base, 'webhook-id': undefined }, SPEC.body, now)).toThrow(
      'missing',
    );
    expect(() =>
      verifyWebhook(
        SPEC.secret,
        { ...base, 'webhook-signature': SPEC.signature.replace('v1,', 'v2,') },
        SPEC.body,
        now,
      ),
    ).toThrow('no matching');
  });
});
