import { checkScriptCompliance } from '../lambdas/copywriter/domain/compliance.js';
import { finalizeScenes } from '../lambdas/copywriter/domain/finalize.js';
import { rankHooks } from '../lambdas/copywriter/domain/hooks.js';
import { offCategoryWords } from '../lambdas/shared/brand-safety/copy-judge.js';
import { normaliseForMatching, scanRestricted } from '../lambdas/shared/brand-safety/restricted-terms.js';
import {
  type BrandProfile,
  type CampaignRequest,
  HOOK_VARIATIONS,
  HookDrafts,
  OutlineDraft,
  SceneDraft,
} from '../lambdas/shared/contracts/index.js';
import type { StoredTrend } from '../lambdas/shared/data/repositories.js';
import { hashSeed, stableUuid } from '../lambdas/shared/ids.js';
import type { TextModel, TrendItem } from '../lambdas/shared/ports/index.js';
import { brandContext, generateFromTemplate, PROMPTS } from '../lambdas/shared/prompts/creative.js';
import { scoreAlignment, synthesizeBrief } from '../lambdas/strategist/domain/brief.js';
import { rankTrends, relevantTrends, trendAudience } from '../lambdas/strategist/domain/trends.js';

/**
 * One brand × request through the creative steps of the pipeline (trends → brief → hooks → outline →
 * scenes → finalised script) with a text model, measured the way the gates judge it. Shared by
 * `bench/creative.ts` and its test, so the figures a prompt change is judged by are themselves tested.
 */
export interface CreativeFigures {
  brand: string;
  /** Restricted-term hits in the model's raw output, before any rewrite (0 is the goal). */
  restricted_hits: number;
  /** Share of repeated hook texts and repeated voiceover trigrams (0 = no repetition). */
  repetition: number;
  /** Share of scenes whose voiceover fits its duration at ≤ 2.5 words a second. */
  length_fit: number;
  alignment: number;
  compliance: number;
  /** Words of other categories in the script (0 is the goal). */
  off_category: number;
  /** Trends offered, and those relevant enough to reach the brief. */
  trends_offered: number;
  trends_relevant: number;
  hook_quality: number;
  prompt_versions: string[];
  /** What the alignment and compliance checks found (why a score is below its gate). */
  findings: string[];
}

const trigrams = (text: string): string[] => {
  const w = normaliseForMatching(text).split(' ').filter(Boolean);
  return w.slice(2).map((_, i) => `${w[i]} ${w[i + 1]} ${w[i + 2]}`);
};

export async function measureCreative(
  model: TextModel,
  brand: BrandProfile,
  request: CampaignRequest,
  trends: TrendItem[],
): Promise<CreativeFigures> {
  const campaignId = stableUuid('bench-creative', brand.brand_id, JSON.stringify(request));
  const ranked = rankTrends(trends, trendAudience(brand, request));
  const kept: StoredTrend[] = relevantTrends(ranked).map((t) => ({
    trend_id: stableUuid('trend', t.url),
    topic: t.title,
    url: t.url,
    source: t.source,
    summary: t.summary,
    published_at: t.published_at,
    category: t.category,
    detected_at: t.published_at,
  })) as StoredTrend[];
  const { brief } = await synthesizeBrief({
    campaignId,
    request,
    brand,
    chunks: [],
    trends: kept,
    attempt: 1,
    textModel: model,
  });
  const alignment = scoreAlignment(brief, brand, request);
  const b = brandContext(brand, request);
  const base = {
    ...b,
    audience: request.target_demographic,
    brand_audience: brand.audience,
    key_message: request.key_message,
    target_seconds: request.target_duration_seconds ?? 30,
    trends: kept.map((t) => ({ title: t.topic })),
    variant_type: request.variants?.[0] ?? 'emotional',
  };
  const versions = new Set<string>([PROMPTS.creative_brief.version]);
  let raw = '';
  const hookRun = await generateFromTemplate(
    model,
    PROMPTS.hook_variations,
    b,
    { count: HOOK_VARIATIONS + 10, variant: base.variant_type, core: brief.core_message },
    {
      schema: HookDrafts,
      context: { ...base, count: HOOK_VARIATIONS + 10 },
      seed: hashSeed(campaignId, 'hooks'),
    },
  );
  versions.add(hookRun.prompt_version);
  raw += hookRun.value.hooks.map((h) => h.text).join('\n');
  const hooks = rankHooks(hookRun.value.hooks, {
    hookSetId: campaignId,
    restricted: brand.restricted_keywords,
    trendWords: [],
    min: 1,
  });
  const hook = hooks.selected.text;
  const outlineRun = await generateFromTemplate(
    model,
    PROMPTS.script_outline,
    b,
    { seconds: base.target_seconds, variant: base.variant_type, hook },
    { schema: OutlineDraft, context: { ...base, hook }, seed: hashSeed(campaignId, 'outline') },
  );
  versions.add(outlineRun.prompt_version);
  const beats = outlineRun.value.beats;
  const drafts = [];
  for (const beat of beats) {
    const sceneRun = await generateFromTemplate(
      model,
      PROMPTS.scene,
      b,
      {
        sequence: beat.sequence,
        seconds: beat.duration_seconds,
        purpose: beat.purpose,
        last: beat.sequence === beats.length,
      },
      {
        schema: SceneDraft,
        context: { ...base, hook, beat, total_beats: beats.length },
        seed: hashSeed(campaignId, beat.sequence),
      },
    );
    versions.add(sceneRun.prompt_version);
    const d = sceneRun.value;
    raw += `\n${d.voiceover_text}\n${d.on_screen_text}\n${d.visual_prompt}`;
    drafts.push({
      scene_id: stableUuid('scene', campaignId, beat.sequence),
      duration_seconds: beat.duration_seconds,
      draft: d,
    });
  }
  const cta = brief.core_message.call_to_action;
  const scenes = finalizeScenes(drafts, brand, {
    product: request.product_name ?? request.product_category,
    callToAction: cta,
  });
  const voiceover = scenes.map((s) => s.voiceover_text).join(' ');
  const compliance = checkScriptCompliance(
    {
      hook: {
        text: hook,
        hook_type: hooks.selected.hook_type,
        quality_score: hooks.selected.quality_score,
        variations_generated: hooks.variations.length,
        selected_rationale: hooks.rationale,
      },
      scenes,
      voiceover_full_text: voiceover,
    },
    brand,
    cta,
    request,
  );
  const hookTexts = hookRun.value.hooks.map((h) => normaliseForMatching(h.text));
  const grams = trigrams(voiceover);
  const repetition =
    (hookTexts.length - new Set(hookTexts).size) / Math.max(1, hookTexts.length) / 2 +
    (grams.length - new Set(grams).size) / Math.max(1, grams.length) / 2;
  const fit =
    scenes.filter((s) => s.voiceover_text.split(/\s+/).length <= s.duration_seconds * 2.5).length /
    scenes.length;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    brand: brand.name,
    restricted_hits: scanRestricted(
      `${JSON.stringify(brief.core_message)}\n${raw}`,
      brand.restricted_keywords,
    ).length,
    repetition: round(repetition),
    length_fit: round(fit),
    alignment: alignment.score,
    compliance: compliance.score,
    off_category: offCategoryWords(
      `${voiceover}\n${scenes.map((s) => s.visual_prompt).join('\n')}`,
      brand,
      request,
    ).length,
    trends_offered: trends.length,
    trends_relevant: kept.length,
    hook_quality: hooks.selected.quality_score,
    prompt_versions: [...versions].sort(),
    findings: [
      ...scenes
        .filter((sc) => sc.voiceover_text.split(/\s+/).length > sc.duration_seconds * 2.5)
        .map((sc) => `length: ${sc.duration_seconds}s scene says "${sc.voiceover_text}"`),
      ...alignment.findings.map((f) => `brief: ${f}`),
      ...compliance.findings.map((f) => `script: ${f}`),
    ],
  };
}
