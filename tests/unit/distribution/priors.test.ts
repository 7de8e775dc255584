import { describe, expect, it } from 'vitest';
import {
  briefWithPriors,
  emptyPriors,
  hookTypeBoosts,
  preferredPostingHours,
  preferredVideoModel,
  priorScore,
  rankVariantSuggestions,
  updatePriors,
  usedResults,
} from '../../../lambdas/campaign-manager/domain/priors.js';
import { applyHookPriors } from '../../../lambdas/copywriter/domain/hook-priors.js';
import type { HookVariation, PriorResult } from '../../../lambdas/shared/contracts/index.js';

const BRAND = '11111111-1111-4111-8111-111111111111';
const NOW = '2026-03-04T10:00:00.000Z';
const campaign = (n: number) => `2222222${n}-2222-4222-8222-222222222222`;

const result = (n: number, overrides: Partial<PriorResult> = {}): PriorResult => ({
  campaign_id: campaign(n),
  winner_variant_id: '33333333-3333-4333-8333-333333333333',
  decided_at: NOW,
  p_value: 0.004,
  relative_lift: 0.5,
  winner: {
    hook_type: 'story',
    variant_type: 'humorous',
    video_model: 'seedream-4',
    platform: 'tiktok',
    posting_hours: { tiktok: 19 },
  },
  losers: [
    {
      hook_type: 'question',
      variant_type: 'emotional',
      video_model: 'veo-3',
      platform: 'tiktok',
      posting_hours: { tiktok: 12 },
    },
  ],
  ...overrides,
});

describe('brand priors', () => {
  it('count a win and a trial for the winner’s attributes and a trial for each loser’s', () => {
    const p = updatePriors(undefined, BRAND, result(1), NOW);
    expect(p.hook_type).toEqual({ story: { wins: 1, trials: 1 }, question: { wins: 0, trials: 1 } });
    expect(p.variant_type).toEqual({ humorous: { wins: 1, trials: 1 }, emotional: { wins: 0, trials: 1 } });
    expect(p.video_model).toEqual({ 'seedream-4': { wins: 1, trials: 1 }, 'veo-3': { wins: 0, trials: 1 } });
    // Both variants were on TikTok: the test taught nothing about the platform beyond one win.
    expect(p.platform).toEqual({ tiktok: { wins: 1, trials: 1 } });
    expect(p.posting_hour).toEqual({
      'tiktok:19': { wins: 1, trials: 1 },
      'tiktok:12': { wins: 0, trials: 1 },
    });
    expect(p.results.map((r) => r.campaign_id)).toEqual([campaign(1)]);
  });

  it('learn each campaign once, however often its test is decided again', () => {
    const once = updatePriors(undefined, BRAND, result(1), NOW);
    expect(updatePriors(once, BRAND, result(1), '2026-03-05T00:00:00.000Z')).toBe(once);
    const twice = updatePriors(once, BRAND, result(2), NOW);
    expect(twice.hook_type.story).toEqual({ wins: 2, trials: 2 });
    expect(twice.results.map((r) => r.campaign_id)).toEqual([campaign(2), campaign(1)]);
  });

  it('score values by the posterior mean of a Beta(1, 1): 0.5 without evidence', () => {
    expect(priorScore(undefined)).toBe(0.5);
    expect(priorScore({ wins: 1, trials: 1 })).toBeCloseTo(2 / 3);
    expect(priorScore({ wins: 0, trials: 1 })).toBeCloseTo(1 / 3);
  });

  it('boost winning hook types and demote losing ones, nothing without priors', () => {
    expect(hookTypeBoosts(undefined)).toEqual({});
    const b = hookTypeBoosts(updatePriors(undefined, BRAND, result(1), NOW));
    expect(b.story).toBeGreaterThan(0);
    expect(b.question).toBeLessThan(0);
    expect(b.statement).toBeUndefined();
  });

  it('prefer the winning model among those the tier allows, and the winning posting hours', () => {
    const p = updatePriors(undefined, BRAND, result(1), NOW);
    expect(preferredVideoModel(p, ['veo-3', 'seedream-4'])).toBe('seedream-4');
    expect(preferredVideoModel(p, ['veo-3'])).toBeUndefined();
    expect(preferredPostingHours(p, 'tiktok')).toEqual([{ hour: 19, wins: 1, trials: 1 }]);
    expect(preferredPostingHours(p, 'youtube')).toEqual([]);
  });

  it('order the brief’s variant suggestions by the record and cite the results used', () => {
    const p = updatePriors(undefined, BRAND, result(1), NOW);
    const suggestions = [
      { variant_type: 'emotional' as const, rationale: 'Warm.' },
      { variant_type: 'serious' as const, rationale: 'Plain.' },
      { variant_type: 'humorous' as const, rationale: 'Light.' },
    ];
    const ranked = rankVariantSuggestions(suggestions, p);
    expect(ranked.map((s) => s.variant_type)).toEqual(['humorous', 'serious', 'emotional']);
    expect(ranked[0]?.rationale).toBe('Light. Past A/B tests of this brand: humorous won 1 of 1.');
    expect(rankVariantSuggestions(suggestions, undefined)).toEqual(suggestions);
    const used = usedResults(p);
    expect(used).toEqual([
      expect.objectContaining({ campaign_id: campaign(1), p_value: 0.004, relative_lift: 0.5 }),
    ]);
    expect(used[0]?.learned).toContain('humorous variant, story hook');
    const brief = { variant_suggestions: suggestions } as Parameters<typeof briefWithPriors>[0];
    expect(briefWithPriors(brief, undefined).used_results).toEqual([]);
    expect(briefWithPriors(brief, p).used_results).toHaveLength(1);
  });

  it('start empty for a brand without results', () => {
    expect(emptyPriors(BRAND, NOW)).toMatchObject({ brand_id: BRAND, results: [], hook_type: {} });
  });
});

describe('hook ranking with priors', () => {
  const hook = (i: number, hook_type: HookVariation['hook_type'], quality_score: number): HookVariation => ({
    hook_id: `00000000-0000-4000-8000-00000000000${i}`,
    variation_number: i + 1,
    text: `hook ${i}`,
    hook_type,
    scores: { curiosity_gap: 0.5, emotional_resonance: 0.5, pattern_interrupt: 0.5, shareability: 0.5 },
    quality_score,
    selected: i === 0,
  });
  const variations = [
    hook(0, 'question', 0.8),
    hook(1, 'question', 0.78),
    hook(2, 'story', 0.74),
    hook(3, 'statement', 0.7),
  ];
  const ranked = {
    variations,
    top: variations.slice(0, 3),
    selected: variations[0] as HookVariation,
    rationale: 'Highest quality.',
  };

  it('moves the hooks of a winning type up and keeps every quality score', () => {
    const boosts = hookTypeBoosts(updatePriors(undefined, BRAND, result(1), NOW));
    const out = applyHookPriors(ranked, boosts);
    expect(out.selected.hook_type).toBe('story');
    // story 0.74 + 0.083 > question 0.80 - 0.083 > statement 0.70 > question 0.78 - 0.083
    expect(out.top.map((h) => h.variation_number)).toEqual([3, 1, 4]);
    expect(out.variations.filter((h) => h.selected).map((h) => h.variation_number)).toEqual([3]);
    expect(out.variations.map((h) => h.quality_score)).toEqual(variations.map((h) => h.quality_score));
    expect(out.rationale).toContain('A/B priors');
  });

  it('leaves the ranking alone without priors', () => {
    expect(applyHookPriors(ranked, {})).toBe(ranked);
  });
});

describe('routing with priors', () => {
  const narrative = {
    visual_prompt: 'a person smiles at a cafe table in the morning light',
    visual_cues: { style: 'cinematic' },
  } as Parameters<typeof import('../../../lambdas/production/domain/router.js').routeScene>[0];

  it('sends a scene no rule claims to the model that has been winning, within the tier', async () => {
    const { routeScene } = await import('../../../lambdas/production/domain/router.js');
    const won = (model: string) =>
      updatePriors(
        undefined,
        BRAND,
        result(1, { winner: { video_model: model }, losers: [{ video_model: 'veo3' }] }),
        NOW,
      );
    // Without priors the tier's default model renders it; with them the model that won.
    expect(routeScene(narrative, 'standard').model).not.toBe('seedream');
    const routed = routeScene(narrative, 'standard', { priors: won('seedream') });
    expect(routed).toMatchObject({ model: 'seedream' });
    expect(routed.reason).toContain('brand priors');
    // A model above the tier is never chosen for its record.
    const volume = routeScene(narrative, 'volume', { priors: won('sora') });
    expect(volume.model).not.toBe('sora');
    expect(volume.reason).not.toContain('brand priors');
  });
});
