import { describe, expect, it } from 'vitest';
import { findRestrictedTerms, scrubRestricted } from '../../../lambdas/copywriter/domain/compliance.js';
import { rankHooks, scoreHook } from '../../../lambdas/copywriter/domain/hooks.js';
import { OfflineCreativeEngine } from '../../../lambdas/shared/adapters/offline/creative-engine.js';
import { HookDrafts, OutlineDraft } from '../../../lambdas/shared/contracts/index.js';

const terms = ['cheap', 'energy drink', 'caffeine crash', 'ass'];

describe('restricted terms', () => {
  it('finds terms case-insensitively as words and phrases', () => {
    expect(findRestrictedTerms('Not an ENERGY DRINK, and not cheap.', terms).sort()).toEqual([
      'cheap',
      'energy drink',
    ]);
  });

  it('catches spelled-out, spaced and leetspeak evasions', () => {
    expect(findRestrictedTerms('c-h-e-a-p', terms)).toEqual(['cheap']);
    expect(findRestrictedTerms('ch3ap thrills', terms)).toEqual(['cheap']);
    expect(findRestrictedTerms('energy-drink', terms)).toEqual(['energy drink']);
    expect(findRestrictedTerms('no caffeine crashes', terms)).toEqual(['caffeine crash']);
  });

  it('does not match inside other words', () => {
    expect(findRestrictedTerms('a classic bass line, passed with class', terms)).toEqual([]);
  });

  it('scrubs restricted phrasing', () => {
    expect(findRestrictedTerms(scrubRestricted('Cheap thrills, no energy drink', terms), terms)).toEqual([]);
  });
});

describe('hooks', () => {
  it('scores a question with an open loop above a flat statement', () => {
    const q = scoreHook('What if your coffee woke up before you did?', 'question');
    const s = scoreHook('Coffee is available.', 'statement');
    expect(q.quality).toBeGreaterThan(s.quality);
    for (const v of Object.values(q.scores)) expect(v).toBeGreaterThanOrEqual(0);
  });

  it('generates at least 50 variations of all four types, ranks them and drops restricted ones', async () => {
    const engine = new OfflineCreativeEngine();
    const { value } = await engine.generate({
      task: 'hook_variations',
      schema: HookDrafts,
      system: '',
      prompt: '',
      context: { product: 'Lumen Nitro', category: 'cold brew', count: 60 },
      seed: 7,
    });
    const drafts = [...value.hooks, { text: 'The cheap way to wake up?', hook_type: 'question' as const }];
    const ranked = rankHooks(drafts, { hookSetId: 'h1', restricted: terms, trendWords: [] });
    expect(ranked.variations.length).toBeGreaterThanOrEqual(50);
    expect(new Set(ranked.variations.map((v) => v.hook_type))).toEqual(
      new Set(['question', 'statement', 'visual_shock', 'story']),
    );
    expect(ranked.variations.some((v) => v.text.includes('cheap'))).toBe(false);
    expect(ranked.top).toHaveLength(3);
    expect(ranked.top.map((t) => t.quality_score)).toEqual(
      [...ranked.top.map((t) => t.quality_score)].sort((a, b) => b - a),
    );
    expect(ranked.variations.filter((v) => v.selected)).toHaveLength(1);
  });

  it('is deterministic for a seed', async () => {
    const engine = new OfflineCreativeEngine();
    const req = {
      task: 'hook_variations',
      schema: HookDrafts,
      system: '',
      prompt: '',
      context: { count: 55 },
      seed: 3,
    };
    expect((await engine.generate(req)).value).toEqual((await engine.generate(req)).value);
  });
});

describe('script outlines', () => {
  for (const target of [15, 20, 30, 47, 60]) {
    it(`splits ${target} s into 3–5 s beats that sum exactly`, async () => {
      const { value } = await new OfflineCreativeEngine().generate({
        task: 'script_outline',
        schema: OutlineDraft,
        system: '',
        prompt: '',
        context: { target_seconds: target },
        seed: target,
      });
      expect(value.beats.reduce((t, b) => t + b.duration_seconds, 0)).toBe(target);
      expect(value.beats.every((b) => b.duration_seconds >= 3 && b.duration_seconds <= 5)).toBe(true);
      expect(value.beats[0]?.purpose).toBe('hook');
      expect(value.beats.at(-1)?.purpose).toBe('call to action');
    });
  }
});
