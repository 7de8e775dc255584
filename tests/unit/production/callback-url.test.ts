import { describe, expect, it } from 'vitest';
import { webhookCallbackUrl } from '../../../lambdas/production/domain/renders.js';

describe('the render callback URL', () => {
  it.each([
    [
      'https://abc.execute-api.eu-west-1.amazonaws.com/',
      'https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/offline',
    ],
    [
      'https://abc.execute-api.eu-west-1.amazonaws.com',
      'https://abc.execute-api.eu-west-1.amazonaws.com/webhooks/offline',
    ],
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787/webhooks/offline'],
    ['https://api.example.com/prod/', 'https://api.example.com/prod/webhooks/offline'],
    ['https://api.example.com/prod', 'https://api.example.com/prod/webhooks/offline'],
  ])('joins %s and the provider with exactly one slash', (base, expected) => {
    expect(webhookCallbackUrl(base, 'offline')).toBe(expected);
    expect(webhookCallbackUrl(base, 'offline')).not.toMatch(/[^:]\/\//);
  });

  it('keeps the provider one path segment', () => {
    expect(webhookCallbackUrl('https://api.example.com/', 'a/b')).toBe(
      'https://api.example.com/webhooks/a%2Fb',
    );
  });
});
