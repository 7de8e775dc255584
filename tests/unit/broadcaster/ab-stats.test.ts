import { describe, expect, it } from 'vitest';
import {
  compareVariants,
  engagementRate,
  normalCdf,
  twoProportionZTest,
  wilsonInterval,
} from '../../../lambdas/broadcaster/domain/ab-stats.js';

const m = (views: number, likes: number, shares: number, comments: number) => ({
  views,
  likes,
  shares,
  comments,
});

describe('A/B statistics', () => {
  it('computes the engagement rate as (likes + shares + comments) / views', () => {
    expect(engagementRate(m(1000, 80, 20, 20))).toBe(0.12);
    expect(engagementRate(m(0, 0, 0, 0))).toBe(0);
  });

  it('matches the standard normal CDF at known points', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 12);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 12);
    expect(normalCdf(3)).toBeCloseTo(0.9986501019683699, 12);
    expect(normalCdf(-8)).toBeCloseTo(6.22096057427178e-16, 20);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
  });

  it('computes the pooled two-proportion z-test on hand-computed values', () => {
    // Prepare: 120/1000 vs 90/1000.
    // pooled p = 210/2000 = 0.105; SE = √(0.105 · 0.895 · (1/1000 + 1/1000)) = √0.00018795 = 0.0137095
    // z = (0.12 − 0.09) / 0.0137095 = 2.18827; p = 2 · (1 − Φ(2.18827)) = 0.028650
    // Act
    const { z, p_value } = twoProportionZTest(120, 1000, 90, 1000);

    // Assess
    expect(z).toBeCloseTo(2.18827, 5);
    expect(p_value).toBeCloseTo(0.02865, 5);
    expect(twoProportionZTest(90, 1000, 120, 1000).z).toBeCloseTo(-2.18827, 5);
  });

  it('reports no evidence when a sample is empty or both proportions are 0', () => {
    expect(twoProportionZTest(0, 0, 5, 100)).toEqual({ z: 0, p_value: 1 });
    expect(twoProportionZTest(0, 100, 0, 100)).toEqual({ z: 0, p_value: 1 });
  });

  it('computes 95 % Wilson intervals on hand-computed values', () => {
    // 120/1000: z² = 3.841459; denom = 1.0038415; centre = (0.12 + 0.0019207) / 1.0038415 = 0.1214545
    // half = 1.959964 · √(0.12·0.88/1000 + 3.841459/4e6) / 1.0038415 = 0.0201549 → [0.101299, 0.141609]
    const a = wilsonInterval(120, 1000);
    expect(a.low).toBeCloseTo(0.101299, 6);
    expect(a.high).toBeCloseTo(0.141609, 6);
    // 0/10: [0, z²/(n + z²)] = [0, 3.841459/13.841459] = [0, 0.277533]
    const zero = wilsonInterval(0, 10);
    expect(zero.low).toBe(0);
    expect(zero.high).toBeCloseTo(0.277533, 6);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
    expect(() => wilsonInterval(11, 10)).toThrow(/exceed/);
  });

  it('declares the best variant the winner when p < 0.05 and both samples are large enough', () => {
    // Act
    const result = compareVariants([
      { variant_id: 'b', metrics: m(1000, 60, 15, 15) },
      { variant_id: 'a', metrics: m(1000, 80, 20, 20) },
    ]);

    // Assess
    expect(result.decision).toBe('winner');
    expect(result.winner).toBe('a');
    expect(result.variants.map((v) => v.variant_id)).toEqual(['a', 'b']);
    expect(result.comparison?.p_value).toBeCloseTo(0.02865, 5);
    expect(result.comparison?.absolute_lift).toBeCloseTo(0.03, 12);
    expect(result.comparison?.relative_lift).toBeCloseTo(1 / 3, 12);
    expect(result.variants[0]?.ci95.low).toBeCloseTo(0.101299, 6);
  });

  it('declares no winner when the difference is not significant', () => {
    // 60/1000 vs 50/1000: z = 0.98082, p = 0.32668.
    const result = compareVariants([
      { variant_id: 'a', metrics: m(1000, 40, 10, 10) },
      { variant_id: 'b', metrics: m(1000, 30, 10, 10) },
    ]);
    expect(result.decision).toBe('not_significant');
    expect(result.winner).toBeUndefined();
    expect(result.comparison?.z).toBeCloseTo(0.98082, 5);
    expect(result.comparison?.p_value).toBeCloseTo(0.32668, 5);
  });

  it('declares no winner below the minimum sample size, however small p is', () => {
    // 40/100 vs 10/100 is highly significant, but 100 views is below the 1,000 minimum.
    const result = compareVariants([
      { variant_id: 'a', metrics: m(100, 30, 5, 5) },
      { variant_id: 'b', metrics: m(100, 8, 1, 1) },
    ]);
    expect(result.comparison?.p_value).toBeLessThan(0.001);
    expect(result.decision).toBe('insufficient_sample');
    expect(result.winner).toBeUndefined();
    expect(
      compareVariants(
        [
          { variant_id: 'a', metrics: m(100, 30, 5, 5) },
          { variant_id: 'b', metrics: m(100, 8, 1, 1) },
        ],
        { minViews: 100 },
      ).winner,
    ).toBe('a');
  });

  it('compares only the best and the runner-up among several variants', () => {
    const result = compareVariants([
      { variant_id: 'c', metrics: m(1000, 10, 5, 5) },
      { variant_id: 'a', metrics: m(1000, 80, 20, 20) },
      { variant_id: 'b', metrics: m(1000, 70, 20, 20) },
    ]);
    expect(result.comparison?.best).toBe('a');
    expect(result.comparison?.runner_up).toBe('b');
    expect(result.decision).toBe('not_significant');
  });

  it('needs at least two variants to compare', () => {
    const result = compareVariants([{ variant_id: 'a', metrics: m(5000, 500, 10, 10) }]);
    expect(result.decision).toBe('insufficient_variants');
    expect(result.comparison).toBeUndefined();
  });

  it('caps engagements at views for the test but reports the raw rate', () => {
    const result = compareVariants([{ variant_id: 'a', metrics: m(10, 10, 5, 0) }]);
    expect(result.variants[0]?.engagement_rate).toBe(1.5);
    expect(result.variants[0]?.ci95.high).toBe(1);
  });
});
