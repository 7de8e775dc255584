import { cosine } from '../../shared/adapters/offline/hashing-embedder.js';
import { findRestrictedTerms, scrubRestricted } from '../../shared/brand-safety/restricted-terms.js';
import {
  ALIGNMENT_THRESHOLD,
  type BrandProfile,
  BriefDraft,
  type CampaignRequest,
  CreativeBrief,
  type GuidelineChunk,
} from '../../shared/contracts/index.js';
import type { StoredTrend } from '../../shared/data/repositories.js';
import { hashSeed, nowIso, stableUuid } from '../../shared/ids.js';
import type { Embedder, TextModel, Usage } from '../../shared/ports/index.js';

export interface BriefInput {
  campaignId: string;
  request: CampaignRequest;
  brand: BrandProfile;
  chunks: GuidelineChunk[];
  trends: StoredTrend[];
  feedback?: string;
  attempt: number;
  textModel: TextModel;
}

/** The brief: the model drafts the creative parts; brand facts are copied from the bible, never generated. */
export async function synthesizeBrief(input: BriefInput): Promise<{ brief: CreativeBrief; usage: Usage }> {
  const { request, brand } = input;
  const context = {
    brand_name: brand.name,
    product: request.product_name ?? request.product_category,
    category: request.product_category,
    product_description: request.product_description,
    audience: request.target_demographic,
    objective: request.campaign_objective,
    key_message: request.key_message,
    call_to_action: request.call_to_action,
    voice_tone: brand.voice_tone,
    visual_style: brand.visual_style,
    guidelines: input.chunks.map((c) => c.content),
    trends: input.trends.map((t) => ({ title: t.topic, summary: t.summary })),
    requested_variants: request.variants ?? [],
    feedback: input.feedback || undefined,
  };
  const { value: draft, usage } = await input.textModel.generate({
    task: 'creative_brief',
    schema: BriefDraft,
    system: `You are the strategist of ${brand.name}. Write a creative brief as JSON. Voice: ${brand.voice_tone}. Never use these terms: ${brand.restricted_keywords.join(', ')}.`,
    prompt: `Campaign request: ${JSON.stringify(request)}\nBrand guidelines:\n${context.guidelines.join('\n---\n')}\nTrends:\n${context.trends.map((t) => `- ${t.title}`).join('\n')}${input.feedback ? `\nReviewer feedback to apply: ${input.feedback}` : ''}`,
    context,
    seed: hashSeed(input.campaignId, input.attempt),
  });
  const scrub = (s: string) => scrubRestricted(s, brand.restricted_keywords) || s;
  const brief = CreativeBrief.parse({
    brief_id: stableUuid('brief', input.campaignId, input.attempt),
    campaign_id: input.campaignId,
    brand_id: brand.brand_id,
    target_audience: {
      demographics: draft.target_audience.demographics,
      psychographics: draft.target_audience.psychographics.map(scrub),
      pain_points: draft.target_audience.pain_points.map(scrub),
    },
    core_message: {
      primary_hook: scrub(draft.core_message.primary_hook),
      value_proposition: scrub(draft.core_message.value_proposition),
      call_to_action: scrub(draft.core_message.call_to_action),
    },
    trending_insights: {
      trending_topics: input.trends.map((t) => t.topic).slice(0, 5),
      trending_audio: draft.trending_audio,
      competitor_analysis: draft.competitor_analysis,
      viral_patterns: draft.viral_patterns.map(scrub),
    },
    brand_guidelines_ref: {
      tone: brand.voice_tone,
      color_palette: brand.color_palette,
      restricted_keywords: brand.restricted_keywords,
      visual_style: brand.visual_style,
    },
    variant_suggestions: draft.variant_suggestions,
    brand_alignment_score: 0,
    guideline_chunk_ids: input.chunks.map((c) => c.chunk_id).slice(0, 5),
    sources: input.trends.map((t) => ({ title: t.topic, url: t.url, detected_at: t.detected_at })),
    trend_coverage: {
      trends_used: input.trends.length,
      note: input.trends.length
        ? `Based on ${input.trends.length} current trend${input.trends.length === 1 ? '' : 's'} from the brand's trend sources.`
        : 'No trend data: no trend source of this brand has been fetched yet (PUT /brands/{id}/trend-sources), so the brief rests on the brand bible and the request alone.',
    },
    feedback_applied: input.feedback || undefined,
    generated_at: nowIso(),
    approval_status: 'pending',
  });
  return { brief, usage };
}

/** Every piece of copy in a brief, for term scanning and tone comparison. */
export const briefCopy = (b: CreativeBrief): string =>
  [
    b.core_message.primary_hook,
    b.core_message.value_proposition,
    b.core_message.call_to_action,
    ...b.target_audience.psychographics,
    ...b.target_audience.pain_points,
    ...b.trending_insights.viral_patterns,
    ...b.variant_suggestions.map((v) => v.rationale),
  ].join('\n');

/**
 * Brand alignment rubric (0–1), gate at 0.85:
 * - restricted terms 30 %: 1 when no restricted term appears anywhere in the brief copy, else the whole score is capped at 0.5;
 * - tone 25 %: cosine similarity of the brief copy to the brand voice, rescaled (0.05 → 0, 0.25 → 1: unrelated
 *   text scores about 0.02 with the hashing embedder, copy written in the brand's voice 0.15–0.3);
 * - brand reference fidelity 20 %: palette, restricted terms, tone and style copied from the bible unchanged;
 * - audience fit 15 %: share of the requested demographic's words found in the brief's audience;
 * - completeness 10 %: hook, value proposition, call to action, at least one trend and variant present.
 */
export async function scoreAlignment(
  brief: CreativeBrief,
  brand: BrandProfile,
  request: CampaignRequest,
  embedder: Embedder,
): Promise<{ score: number; breakdown: Record<string, number>; passed: boolean; usage: Usage }> {
  const copy = briefCopy(brief);
  const restricted = findRestrictedTerms(copy, brand.restricted_keywords).length === 0 ? 1 : 0;
  const { vectors, usage } = await embedder.embed([copy, brand.voice_tone]);
  const sim = cosine(vectors[0] as Float32Array, vectors[1] as Float32Array);
  const tone = Math.max(0, Math.min(1, (sim - 0.05) / 0.2));
  const ref = brief.brand_guidelines_ref;
  const fidelity =
    [
      JSON.stringify(ref.color_palette) === JSON.stringify(brand.color_palette),
      JSON.stringify(ref.restricted_keywords) === JSON.stringify(brand.restricted_keywords),
      ref.tone === brand.voice_tone,
      ref.visual_style === brand.visual_style,
    ].filter(Boolean).length / 4;
  const wanted = request.target_demographic
    .toLowerCase()
    .split(/\W+/)
    .filter((w) => w.length > 3);
  const audienceText = JSON.stringify(brief.target_audience).toLowerCase();
  const audience = wanted.length ? wanted.filter((w) => audienceText.includes(w)).length / wanted.length : 1;
  const completeness =
    [
      brief.core_message.primary_hook,
      brief.core_message.value_proposition,
      brief.core_message.call_to_action,
      brief.trending_insights.trending_topics[0],
      brief.variant_suggestions[0],
    ].filter(Boolean).length / 5;
  const breakdown = {
    restricted_terms: restricted,
    tone: round(tone),
    brand_reference: fidelity,
    audience: round(audience),
    completeness,
  };
  let score = 0.3 * restricted + 0.25 * tone + 0.2 * fidelity + 0.15 * audience + 0.1 * completeness;
  if (!restricted) score = Math.min(score, 0.5);
  score = round(score);
  return { score, breakdown, passed: score >= ALIGNMENT_THRESHOLD, usage };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
