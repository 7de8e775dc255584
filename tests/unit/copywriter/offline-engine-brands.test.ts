import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OfflineCreativeEngine } from '../../../lambdas/shared/adapters/offline/creative-engine.js';
import { judgeCopy, offCategoryWords } from '../../../lambdas/shared/brand-safety/copy-judge.js';
import { scanRestricted } from '../../../lambdas/shared/brand-safety/restricted-terms.js';
import {
  type BrandProfile,
  BriefDraft,
  type CampaignRequest,
  HookDrafts,
  OutlineDraft,
  SceneDraft,
} from '../../../lambdas/shared/contracts/index.js';
import { brandContext } from '../../../lambdas/shared/prompts/creative.js';
import { loadBrandBible } from '../../../lambdas/strategist/domain/brand-bible.js';
import { labelledBrands } from '../../support/brand-fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const engine = new OfflineCreativeEngine();

const pottery = {
  brand: loadBrandBible(
    readFileSync(path.join(ROOT, 'tests/fixtures/brands/kiln-street-pottery.md'), 'utf8'),
  ),
  request: (
    JSON.parse(
      readFileSync(path.join(ROOT, 'tests/fixtures/requests/kiln-street-beginners.json'), 'utf8'),
    ) as {
      campaign_request: CampaignRequest;
    }
  ).campaign_request,
};
const cases = [...labelledBrands(), pottery].map((b) => [b.brand.name, b.brand, b.request] as const);

/** The context the handlers pass (brand context plus the request), as the offline engine reads it. */
function context(brand: BrandProfile, request: CampaignRequest, extra: Record<string, unknown> = {}) {
  const b = brandContext(brand, request);
  return {
    ...b,
    restricted_terms: b.restricted_terms,
    audience: request.target_demographic,
    brand_audience: brand.audience,
    key_message: request.key_message,
    target_seconds: 20,
    ...extra,
  };
}

describe.each(cases)('the offline creative engine for %s', (_name, brand, request) => {
  it('writes a script of its own: no other category, no restricted form, whole sentences, the call to action once', async () => {
    // Act: the creative steps in pipeline order.
    const gen = async <
      S extends typeof BriefDraft | typeof HookDrafts | typeof OutlineDraft | typeof SceneDraft,
    >(
      task: string,
      schema: S,
      extra: Record<string, unknown>,
      seed: number,
    ) =>
      (
        await engine.generate({
          task,
          schema,
          system: '',
          prompt: '',
          context: context(brand, request, extra),
          seed,
        })
      ).value;
    const brief = (await gen('creative_brief', BriefDraft, {}, 1)) as BriefDraft;
    const hooks = (await gen('hook_variations', HookDrafts, { count: 60 }, 2)) as HookDrafts;
    const hook = hooks.hooks[0]?.text ?? '';
    const { beats } = (await gen('script_outline', OutlineDraft, { hook }, 3)) as OutlineDraft;
    const scenes: SceneDraft[] = [];
    for (const beat of beats)
      scenes.push(
        (await gen(
          'scene',
          SceneDraft,
          { hook, beat, total_beats: beats.length },
          10 + beat.sequence,
        )) as SceneDraft,
      );

    // Assess
    const voiceover = scenes.map((s) => s.voiceover_text).join(' ');
    const everything = [
      JSON.stringify(brief),
      ...hooks.hooks.map((h) => h.text),
      ...scenes.map((s) => `${s.voiceover_text}\n${s.on_screen_text}\n${s.visual_prompt}`),
    ].join('\n');
    expect(offCategoryWords(everything, brand, request)).toEqual([]);
    expect(scanRestricted(everything, brand.restricted_keywords)).toEqual([]);
    const cta = request.call_to_action ?? '';
    const verdict = judgeCopy(voiceover, brand, request, { prose: true, callToAction: cta });
    expect(verdict.findings).toEqual([]);
    expect(voiceover.split(cta).length - 1).toBe(1);
    expect(scenes.at(-1)?.voiceover_text).toContain(cta);
    for (const s of scenes) expect(s.voiceover_text).toMatch(/^[A-Z].*[.!?]$/s);
  });
});

/** One pottery scene from the engine, for a beat. */
async function potteryScene(
  beat: { sequence: number; purpose: string },
  extra: Record<string, unknown>,
  seed: number,
) {
  const ctx = context(pottery.brand, pottery.request, {
    beat: { ...beat, duration_seconds: 5, beat: beat.purpose },
    ...extra,
  });
  return (
    await engine.generate({ task: 'scene', schema: SceneDraft, system: '', prompt: '', context: ctx, seed })
  ).value;
}

describe('the offline creative engine, scene by scene', () => {
  it('describes in each line what its own picture shows', async () => {
    const value = await potteryScene({ sequence: 3, purpose: 'product reveal' }, { total_beats: 5 }, 4);
    // The reveal line names the product, and the picture reveals that product in the brand's own setting.
    expect(value.voiceover_text).toContain('Beginner Wheel Night');
    expect(value.visual_prompt).toMatch(/^Beginner Wheel Night revealed clearly/);
    expect(value.visual_prompt).toMatch(/clay|wheel|bowl|pots|glaze|kiln/i);
  });

  it('opens on a picture of what the hook says', async () => {
    const hook = 'Watch closely: why do 3 friends feel at home with Beginner Wheel Night?';
    const value = await potteryScene({ sequence: 1, purpose: 'hook' }, { total_beats: 4, hook }, 5);
    expect(value.voiceover_text).toBe(hook);
    expect(value.visual_prompt).toMatch(/^A few people together, an extreme close-up, a fast time-lapse: /);
  });
});
