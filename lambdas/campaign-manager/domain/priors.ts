import type { z } from 'zod';
import type {
  BrandPriors,
  CreativeBrief,
  HookType,
  OutcomeAttributes,
  Platform,
  PriorResult,
  PriorTally,
  UsedResult,
  VariantSuggestion,
} from '../../shared/contracts/index.js';

/**
 * Per-brand priors: what past A/B winners had in common. Pure functions.
 *
 * Each decided test counts once per attribute value: the winner's value gets a win and a trial, every
 * loser's value a trial. A value's score is the posterior mean of a Beta(1, 1) prior,
 * (wins + 1) / (trials + 2): 0.5 with no evidence, above 0.5 for values that won more than they lost.
 * Consumers use the score's distance from 0.5, so a single result nudges and many results decide.
 */

const ATTRIBUTES = ['hook_type', 'variant_type', 'video_model', 'platform'] as const;
type Attribute = (typeof ATTRIBUTES)[number];

export const priorScore = (t: PriorTally | undefined): number => (t ? (t.wins + 1) / (t.trials + 2) : 0.5);

export function emptyPriors(brandId: string, now: string): BrandPriors {
  return {
    brand_id: brandId,
    hook_type: {},
    variant_type: {},
    video_model: {},
    platform: {},
    posting_hour: {},
    results: [],
    updated_at: now,
  };
}

const bump = (table: Record<string, PriorTally>, key: string | undefined, won: boolean) => {
  if (key === undefined) return;
  const t = table[key] ?? { wins: 0, trials: 0 };
  table[key] = { wins: t.wins + (won ? 1 : 0), trials: t.trials + 1 };
};

const hourKeys = (a: OutcomeAttributes): string[] =>
  Object.entries(a.posting_hours ?? {}).map(([p, h]) => `${p}:${h}`);

/**
 * The priors after one decided A/B test. Idempotent: a campaign already counted changes nothing (the
 * collector may decide the same test again on every run). At most `keep` results are cited.
 */
export function updatePriors(
  current: BrandPriors | undefined,
  brandId: string,
  result: PriorResult,
  now: string,
  keep = 20,
): BrandPriors {
  const base = current ?? emptyPriors(brandId, now);
  if (base.results.some((r) => r.campaign_id === result.campaign_id)) return base;
  const next: BrandPriors = structuredClone(base);
  for (const attr of ATTRIBUTES) {
    bump(next[attr], result.winner[attr], true);
    // A loser sharing the winner's value taught nothing about that value: count it once, as the win.
    for (const l of result.losers) if (l[attr] !== result.winner[attr]) bump(next[attr], l[attr], false);
  }
  for (const k of hourKeys(result.winner)) bump(next.posting_hour, k, true);
  for (const l of result.losers)
    for (const k of hourKeys(l)) if (!hourKeys(result.winner).includes(k)) bump(next.posting_hour, k, false);
  next.results = [result, ...base.results].slice(0, keep);
  next.updated_at = now;
  return next;
}

/** Score minus 0.5 per value of an attribute: positive for values that won, negative for values that lost. */
export function preferences(priors: BrandPriors | undefined, attr: Attribute): Record<string, number> {
  if (!priors) return {};
  return Object.fromEntries(Object.entries(priors[attr]).map(([k, t]) => [k, priorScore(t) - 0.5]));
}

/** How much a hook type's prior moves its rank: at most ±HOOK_PRIOR_WEIGHT/2 on the 0–1 quality scale. */
export const HOOK_PRIOR_WEIGHT = 0.5;

export function hookTypeBoosts(priors: BrandPriors | undefined): Partial<Record<HookType, number>> {
  const prefs = preferences(priors, 'hook_type');
  return Object.fromEntries(Object.entries(prefs).map(([k, v]) => [k, v * HOOK_PRIOR_WEIGHT]));
}

/** Hours (UTC) a platform's posts won at, best first; only hours that won more than they lost. */
export function preferredPostingHours(
  priors: BrandPriors,
  platform: Platform,
): { hour: number; wins: number; trials: number }[] {
  return Object.entries(priors.posting_hour)
    .filter(([k, t]) => k.startsWith(`${platform}:`) && priorScore(t) > 0.5)
    .map(([k, t]) => ({ hour: Number(k.split(':')[1]), ...t }))
    .sort((a, b) => priorScore(b) - priorScore(a) || a.hour - b.hour);
}

/** The allowed model with the best record, if one has won more than it lost. */
export function preferredVideoModel(
  priors: BrandPriors | undefined,
  allowed: readonly string[],
): string | undefined {
  const prefs = preferences(priors, 'video_model');
  const best = allowed
    .filter((m) => (prefs[m] ?? 0) > 0)
    .sort((a, b) => (prefs[b] ?? 0) - (prefs[a] ?? 0))[0];
  return best;
}

type Suggestion = z.infer<typeof VariantSuggestion>;

/**
 * The brief's variant suggestions ordered by the brand's record (a stable sort: equal records keep the
 * model's order), with the evidence appended to the rationale of each suggestion it concerns.
 */
export function rankVariantSuggestions(
  suggestions: readonly Suggestion[],
  priors: BrandPriors | undefined,
): Suggestion[] {
  if (!priors) return [...suggestions];
  const prefs = preferences(priors, 'variant_type');
  return suggestions
    .map((s, i) => ({ s, i, pref: prefs[s.variant_type] ?? 0 }))
    .sort((a, b) => b.pref - a.pref || a.i - b.i)
    .map(({ s }) => {
      const t = priors.variant_type[s.variant_type];
      if (!t) return s;
      return {
        ...s,
        rationale: `${s.rationale} Past A/B tests of this brand: ${s.variant_type} won ${t.wins} of ${t.trials}.`,
      };
    });
}

const describe = (a: OutcomeAttributes): string =>
  [
    a.variant_type && `${a.variant_type} variant`,
    a.hook_type && `${a.hook_type} hook`,
    a.video_model && `rendered by ${a.video_model}`,
    a.platform && `best on ${a.platform}`,
  ]
    .filter(Boolean)
    .join(', ');

/** The results a brief cites (most recent first). */
export function usedResults(priors: BrandPriors | undefined, limit = 5): UsedResult[] {
  return (priors?.results ?? []).slice(0, limit).map((r) => ({
    campaign_id: r.campaign_id,
    winner_variant_id: r.winner_variant_id,
    decided_at: r.decided_at,
    p_value: r.p_value,
    ...(r.relative_lift !== undefined ? { relative_lift: r.relative_lift } : {}),
    learned: `the ${describe(r.winner) || 'winning variant'} won (p = ${r.p_value.toPrecision(2)}${r.relative_lift !== undefined ? `, +${Math.round(r.relative_lift * 100)} % engagement` : ''})`,
  }));
}

/** A drafted brief with the brand's record applied: suggestions ordered by it, the results it used cited. */
export function briefWithPriors(brief: CreativeBrief, priors: BrandPriors | undefined): CreativeBrief {
  return {
    ...brief,
    variant_suggestions: rankVariantSuggestions(brief.variant_suggestions, priors),
    used_results: usedResults(priors),
  };
}
