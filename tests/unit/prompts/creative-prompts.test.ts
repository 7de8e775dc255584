import { describe, expect, it } from 'vitest';
import { brandContext, PROMPTS, redact } from '../../../lambdas/shared/prompts/creative.js';
import { labelledBrands } from '../../support/brand-fixtures.js';

describe('the prompt templates of the real text models', () => {
  const b = labelledBrands()[0];
  if (!b) throw new Error('fixture');
  const ctx = brandContext(b.brand, b.request);

  it('are versioned, one version per task', () => {
    const versions = Object.values(PROMPTS).map((p) => p.version);
    expect(new Set(versions).size).toBe(versions.length);
    for (const p of Object.values(PROMPTS)) expect(p.version).toMatch(/^[a-z]+@\d+$/);
  });

  it('carry the brand context every scorer judges by: voice, claims policy, restricted terms, audience, category', () => {
    for (const p of Object.values(PROMPTS)) {
      const system = p.system(ctx);
      expect(system, p.task).toContain(b.brand.voice_tone);
      expect(system, p.task).toContain(b.brand.claims_policy);
      for (const t of b.brand.restricted_keywords) expect(system, p.task).toContain(t);
      expect(system, p.task).toContain(b.request.target_demographic);
      expect(system, p.task).toContain(`Write only about ${b.request.product_category}`);
    }
  });

  it('redact contacts, keys, URL queries and long numbers, and cut long answers', () => {
    const out = redact(
      'mail a@b.co, key sk-abcdefghijklmnop1234, https://x.io/p?token=1 and 4111111111111111',
    );
    expect(out).toBe('mail [email], key [key], https://x.io/p?[redacted] and [number]');
    expect(redact('x'.repeat(2000), 100)).toMatch(/^x{100}… \[1900 more characters\]$/);
  });
});
