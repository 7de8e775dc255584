import { describe, expect, it } from 'vitest';
import { checkScriptCompliance } from '../../../lambdas/copywriter/domain/compliance.js';
import { ALIGNMENT_THRESHOLD, COMPLIANCE_THRESHOLD } from '../../../lambdas/shared/contracts/index.js';
import { scoreAlignment } from '../../../lambdas/strategist/domain/brief.js';
import { briefWithCopy, labelledBrands, scriptWithCopy } from '../../support/brand-fixtures.js';

const brands = labelledBrands();

describe('the labelled fixtures', () => {
  it('cover at least five brands in different categories, each with on- and off-brand copy', () => {
    expect(new Set(brands.map((b) => b.category)).size).toBeGreaterThanOrEqual(5);
    for (const b of brands) {
      expect(
        b.samples.some((s) => s.label === 'on'),
        b.brand.name,
      ).toBe(true);
      expect(
        b.samples.some((s) => s.label === 'off'),
        b.brand.name,
      ).toBe(true);
    }
  });
});

describe.each(brands.map((b) => [b.brand.name, b] as const))('scoring copy for %s', (_name, b) => {
  const on = b.samples.filter((s) => s.label === 'on');
  const off = b.samples.filter((s) => s.label === 'off');

  it.each(on.map((s) => [s.copy, s] as const))('passes both gates for on-brand copy: %s', (_c, s) => {
    const alignment = scoreAlignment(briefWithCopy(b.brand, b.request, s.copy), b.brand, b.request);
    const compliance = checkScriptCompliance(
      { ...scriptWithCopy(b.brand, b.request, s.copy) },
      b.brand,
      b.request.call_to_action ?? '',
      b.request,
    );
    expect(alignment.score, alignment.findings.join('; ')).toBeGreaterThanOrEqual(ALIGNMENT_THRESHOLD);
    expect(compliance.score, compliance.findings.join('; ')).toBeGreaterThanOrEqual(COMPLIANCE_THRESHOLD);
  });

  it.each(off.map((s) => [s.why, s] as const))('falls below both gates for off-brand copy (%s)', (_w, s) => {
    const alignment = scoreAlignment(briefWithCopy(b.brand, b.request, s.copy), b.brand, b.request);
    const compliance = checkScriptCompliance(
      scriptWithCopy(b.brand, b.request, s.copy),
      b.brand,
      b.request.call_to_action ?? '',
      b.request,
    );
    expect(alignment.score).toBeLessThan(ALIGNMENT_THRESHOLD);
    expect(compliance.score).toBeLessThan(COMPLIANCE_THRESHOLD);
    expect(alignment.findings.length, 'a low score names its reason').toBeGreaterThan(0);
  });
});
