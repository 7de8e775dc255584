import type { EngagementMetrics } from '../../shared/contracts/index.js';

/**
 * A/B statistics over per-variant engagement. Pure functions.
 *
 * - Engagement rate = (likes + shares + comments) / views (0 when there are no views).
 * - For the test and the intervals an engagement is treated as a Bernoulli trial per view, so the
 *   successes are capped at the views (one view can like, share and comment; a proportion cannot
 *   exceed 1). The reported rate stays uncapped.
 * - Best vs runner-up: pooled two-proportion z-test, two-sided p-value from the normal CDF.
 * - Intervals: Wilson score intervals (well-behaved near 0 and with small samples, unlike Wald).
 * - A winner only when p < alpha (0.05) AND both variants meet the minimum sample: `minViews` views and
 *   at least 10 successes and 10 failures each (the normal approximation's usual validity rule).
 *   With more than two variants only best vs runner-up is tested, as asked; no multiple-comparison
 *   correction is applied.
 */

export interface VariantEngagement {
  variant_id: string;
  metrics: EngagementMetrics;
}

export interface Interval {
  low: number;
  high: number;
}

export interface VariantStats {
  variant_id: string;
  views: number;
  engagements: number;
  engagement_rate: number;
  ci95: Interval;
  meets_min_sample: boolean;
}

export interface ZTest {
  z: number;
  p_value: number;
}

export type AbDecision = 'winner' | 'not_significant' | 'insufficient_sample' | 'insufficient_variants';

export interface AbComparison extends ZTest {
  best: string;
  runner_up: string;
  absolute_lift: number;
  /** Undefined when the runner-up's rate is 0. */
  relative_lift?: number;
}

export interface AbTestResult {
  /** Best first (rate descending, then variant id for a stable order). */
  variants: VariantStats[];
  comparison?: AbComparison;
  winner?: string;
  decision: AbDecision;
  alpha: number;
  min_views: number;
}

/** z for a two-sided 95 % interval: Φ⁻¹(0.975). */
export const Z_95 = 1.959963984540054;
export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_MIN_VIEWS = 1000;
const MIN_SUCCESSES_AND_FAILURES = 10;

export const engagementsOf = (m: EngagementMetrics): number => m.likes + m.shares + m.comments;

export function engagementRate(m: EngagementMetrics): number {
  return m.views > 0 ? engagementsOf(m) / m.views : 0;
}

/**
 * Standard normal CDF Φ(x). Hart's double-precision rational approximation (Hart 1968, algorithm 5666,
 * as given by G. West, "Better approximations to cumulative normal functions", 2005): absolute error
 * around 1e-15, far better than the 1e-7 of the usual Abramowitz–Stegun formula.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  let c: number;
  if (ax > 37) {
    c = 0;
  } else {
    const e = Math.exp((-ax * ax) / 2);
    if (ax < 7.07106781186547) {
      let n = 3.52624965998911e-2 * ax + 0.700383064443688;
      n = n * ax + 6.37396220353165;
      n = n * ax + 33.912866078383;
      n = n * ax + 112.079291497871;
      n = n * ax + 221.213596169931;
      n = n * ax + 220.206867912376;
      let d = 8.83883476483184e-2 * ax + 1.75566716318264;
      d = d * ax + 16.064177579207;
      d = d * ax + 86.7807322029461;
      d = d * ax + 296.564248779674;
      d = d * ax + 637.333633378831;
      d = d * ax + 793.826512519948;
      d = d * ax + 440.413735824752;
      c = (e * n) / d;
    } else {
      let b = ax + 0.65;
      b = ax + 4 / b;
      b = ax + 3 / b;
      b = ax + 2 / b;
      b = ax + 1 / b;
      c = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - c : c;
}

function assertCounts(successes: number, trials: number): void {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0 || trials < 0) {
    throw new Error(`counts must be non-negative integers (got ${successes}/${trials})`);
  }
  if (successes > trials) throw new Error(`successes (${successes}) exceed trials (${trials})`);
}

/**
 * Wilson score interval for a binomial proportion:
 * centre = (p̂ + z²/2n) / (1 + z²/n), half-width = z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n).
 * [0, 1] when there are no trials.
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval {
  assertCounts(successes, trials);
  if (trials === 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const denom = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denom;
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
  };
}

/**
 * Pooled two-proportion z-test of H0: p1 = p2, two-sided.
 * p = (x1 + x2)/(n1 + n2), SE = √(p(1−p)(1/n1 + 1/n2)), z = (x1/n1 − x2/n2)/SE, p-value = 2(1 − Φ(|z|)).
 * No evidence (z = 0, p = 1) when a sample is empty or the pooled proportion is 0 or 1.
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): ZTest {
  assertCounts(x1, n1);
  assertCounts(x2, n2);
  if (n1 === 0 || n2 === 0) return { z: 0, p_value: 1 };
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, p_value: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { z, p_value: Math.min(1, 2 * normalCdf(-Math.abs(z))) };
}

const successesOf = (m: EngagementMetrics) => Math.min(engagementsOf(m), m.views);
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Rates, intervals and, when the evidence allows, a winner. */
export function compareVariants(
  variants: readonly VariantEngagement[],
  opts: { alpha?: number; minViews?: number } = {},
): AbTestResult {
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  const minViews = opts.minViews ?? DEFAULT_MIN_VIEWS;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha must be in (0, 1), got ${alpha}`);
  if (new Set(variants.map((v) => v.variant_id)).size !== variants.length) {
    throw new Error('variant ids must be unique');
  }
  const rows = variants
    .map(({ variant_id, metrics }) => {
      const x = successesOf(metrics);
      const n = metrics.views;
      const stats: VariantStats = {
        variant_id,
        views: n,
        engagements: engagementsOf(metrics),
        engagement_rate: engagementRate(metrics),
        ci95: wilsonInterval(x, n),
        meets_min_sample:
          n >= minViews && x >= MIN_SUCCESSES_AND_FAILURES && n - x >= MIN_SUCCESSES_AND_FAILURES,
      };
      return { stats, x, n };
    })
    .sort(
      (a, b) =>
        b.stats.engagement_rate - a.stats.engagement_rate || byId(a.stats.variant_id, b.stats.variant_id),
    );
  const base = { variants: rows.map((r) => r.stats), alpha, min_views: minViews };
  const [best, runnerUp] = rows;
  if (!best || !runnerUp) return { ...base, decision: 'insufficient_variants' };
  const test = twoProportionZTest(best.x, best.n, runnerUp.x, runnerUp.n);
  const absolute = best.stats.engagement_rate - runnerUp.stats.engagement_rate;
  const comparison: AbComparison = {
    best: best.stats.variant_id,
    runner_up: runnerUp.stats.variant_id,
    ...test,
    absolute_lift: absolute,
    ...(runnerUp.stats.engagement_rate > 0
      ? { relative_lift: absolute / runnerUp.stats.engagement_rate }
      : {}),
  };
  if (!best.stats.meets_min_sample || !runnerUp.stats.meets_min_sample) {
    return { ...base, comparison, decision: 'insufficient_sample' };
  }
  if (test.p_value < alpha && absolute > 0 && test.z > 0) {
    return { ...base, comparison, winner: best.stats.variant_id, decision: 'winner' };
  }
  return { ...base, comparison, decision: 'not_significant' };
}
