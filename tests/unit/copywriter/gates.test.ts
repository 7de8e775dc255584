import { describe, expect, it } from 'vitest';
import { checkScriptCompliance } from '../../../lambdas/copywriter/domain/compliance.js';
import { finalizeScenes, type SceneRewrite } from '../../../lambdas/copywriter/domain/finalize.js';
import { type HookSet, hookGate, resolveHook } from '../../../lambdas/copywriter/domain/hooks.js';
import type { SceneDraft } from '../../../lambdas/shared/contracts/index.js';
import { briefWithCopy, labelledBrands, scriptWithCopy } from '../../support/brand-fixtures.js';

const set: HookSet = {
  hook_set_id: 'hs1',
  selected: { hook_id: 'h1', text: 'First hook?', hook_type: 'question', quality_score: 0.62 },
  top: [
    { hook_id: 'h1', text: 'First hook?', quality_score: 0.62, hook_type: 'question' },
    { hook_id: 'h2', text: 'Second hook.', quality_score: 0.6, hook_type: 'statement' },
    { hook_id: 'h3', text: 'Third hook.', quality_score: 0.58 },
  ],
  rationale: 'r',
  count: 50,
};

describe('the hook gate', () => {
  it('passes at 0.75 and above, and says why a set below it goes to review', () => {
    expect(hookGate(0.75, 1, 50).passed).toBe(true);
    const below = hookGate(0.625, 3, 60);
    expect(below.passed).toBe(false);
    expect(below.reason).toBe(
      'the best of 60 hooks scored 0.625 after 3 generation rounds, below the 0.75 quality gate',
    );
  });

  it('uses the hook the reviewer chose, only from the top hooks offered', () => {
    expect(resolveHook(set).hook_id).toBe('h1');
    expect(resolveHook(set, 'h2')).toMatchObject({ text: 'Second hook.', hook_type: 'statement' });
    expect(resolveHook(set, 'h3').hook_type).toBe('question');
    expect(() => resolveHook(set, 'h9')).toThrow(/not one of the top hooks/);
  });
});

const draft = (voiceover_text: string, on_screen_text = ''): SceneDraft => ({
  visual_prompt: 'A workshop bench with tools on a pegboard, bright daylight, steady handheld camera.',
  voiceover_text,
  on_screen_text,
  camera_movement: 'pan',
  lighting: 'daylight',
  style: 'cinematic',
  music_style: 'acoustic',
  sfx: [],
  voice_tone: 'warm',
});

describe('finalising scenes with a restricted term', () => {
  const brand = {
    restricted_keywords: ['slow'],
    color_palette: ['#112233'],
    visual_style: 'Documentary workshop.',
  };
  const facts = { product: 'Spring Tune-Up', callToAction: 'Book your tune-up this week' };

  it('takes out the whole sentence, never leaving a fragment, and reports which rule fired', () => {
    const rewrites: SceneRewrite[] = [];
    const [scene] = finalizeScenes(
      [
        {
          scene_id: 's1',
          duration_seconds: 4,
          draft: draft('We take our time. Slow brewed, because rushing is overrated.'),
        },
      ],
      brand,
      facts,
      (r) => rewrites.push(r),
    );
    expect(scene?.voiceover_text).toBe('We take our time.');
    expect(rewrites).toEqual([
      {
        field_path: 'scenes[0].voiceover_text',
        removed: ['Slow brewed, because rushing is overrated.'],
        hits: ['"slow" as "Slow" (exact) at 18'],
        fallback: false,
      },
    ]);
  });

  it('says a clean line that fits its place when nothing is left: the call to action in the last scene', () => {
    const scenes = finalizeScenes(
      [
        { scene_id: 's1', duration_seconds: 4, draft: draft('Slower is better.', 'Sl0w down') },
        { scene_id: 's2', duration_seconds: 4, draft: draft('Go slowly.') },
      ],
      brand,
      facts,
    );
    expect(scenes.map((s) => s.voiceover_text)).toEqual([
      'This is Spring Tune-Up.',
      'Book your tune-up this week.',
    ]);
    expect(scenes[0]?.on_screen_text).toBe('');
  });
});

describe('compliance of a script', () => {
  const b = labelledBrands().find((x) => x.category === 'cycling');
  if (!b) throw new Error('cycling fixture');
  const cta = b.request.call_to_action ?? '';

  it('names a fragment and a call to action said twice, and keeps them below the gate', () => {
    const script = scriptWithCopy(b.brand, b.request, `${cta}. brewed, because rushing is overrated.`);
    const report = checkScriptCompliance(script, b.brand, cta, b.request);
    expect(report.findings).toEqual(
      expect.arrayContaining([
        'structure: sentence fragment: brewed, because rushing is overrated.',
        `structure: call to action said 2 times: ${cta}`,
      ]),
    );
    expect(report.passed).toBe(false);
  });

  it('fails a restricted term in any form hard, naming field, form, rule and position', () => {
    const script = scriptWithCopy(b.brand, b.request, 'Your commute gets s l o w e r every week.');
    const report = checkScriptCompliance(script, b.brand, cta, b.request);
    expect(report.score).toBe(0);
    expect(report.violations[0]).toMatchObject({
      term: 'slow',
      form: 's l o w e r',
      rule: 'obfuscation',
      field_path: 'hook.text',
      index: 18,
    });
  });

  it('judges the pictures too: another category in a visual prompt is off-category', () => {
    const script = scriptWithCopy(b.brand, b.request, 'We fix brakes and gears the same week.');
    const first = script.scenes[0];
    if (first) first.visual_prompt = `A barista pouring espresso on an oak counter. ${first.visual_prompt}`;
    const report = checkScriptCompliance(script, b.brand, cta, b.request);
    expect(report.findings.some((f) => f.startsWith('off_category:') && f.includes('espresso'))).toBe(true);
    expect(report.passed).toBe(false);
  });

  it('the alignment of a brief names what pulled it under the gate', async () => {
    const { scoreAlignment } = await import('../../../lambdas/strategist/domain/brief.js');
    const brief = briefWithCopy(b.brand, b.request, 'The best tune-up in town, guaranteed.');
    const { passed, findings } = scoreAlignment(brief, b.brand, b.request);
    expect(passed).toBe(false);
    expect(findings).toEqual(
      expect.arrayContaining(['claims: superlative: best', 'claims: unmeasurable promise: guaranteed']),
    );
  });
});
