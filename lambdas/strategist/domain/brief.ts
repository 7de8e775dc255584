import { capForFindings, describeFindings, judgeCopy } from '../../shared/brand-safety/copy-judge.js';
import { describeHit, rewriteRestricted } from '../../shared/brand-safety/restricted-terms.js';
import { logger } from '../../shared/commons.js';
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
import type { TextModel, Usage } from '../../shared/ports/index.js';
import { brandContext, generateFromTemplate, PROMPTS } from '../../shared/prompts/creative.js';

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
  const { value: draft, usage } = await generateFromTemplate(
    input.textModel,
    PROMPTS.creative_brief,
    brandContext(brand, request),
    {
      request,
      guidelines: context.guidelines,
      trends: context.trends.map((t) => t.title),
      feedback: input.feedback || undefined,
    },
    {
      schema: BriefDraft,
      context: { ...context, brand_audience: brand.audience, claims_policy: brand.claims_policy },
      seed: hashSeed(input.campaignId, input.attempt),
    },
  );
  // A restricted term takes its whole sentence out (never a fragment); a field left empty gets a line
  // from the request or the product instead, itself checked.
  const terms = brand.restricted_keywords;
  const product = request.product_name ?? request.product_category;
  const scrub = (s: string, fallback = '') => {
    const r = rewriteRestricted(s, terms, fallback);
    if (r.hits.length)
      logger.info('restricted terms rewritten out of the brief', {
        removed: r.removed,
        hits: r.hits.map(describeHit),
        fallback: r.usedFallback,
      });
    return r.text;
  };
  const scrubList = (xs: string[]) => xs.map((x) => scrub(x)).filter(Boolean);
  const listOr = (xs: string[], fallback: string[]) => {
    const kept = scrubList(xs);
    return kept.length >= 2 ? kept : [...kept, ...scrubList(fallback)].slice(0, Math.max(2, kept.length));
  };
  const brief = CreativeBrief.parse({
    brief_id: stableUuid('brief', input.campaignId, input.attempt),
    campaign_id: input.campaignId,
    brand_id: brand.brand_id,
    target_audience: {
      demographics: draft.target_audience.demographics,
      psychographics: listOr(draft.target_audience.psychographics, [
        `Cares about ${request.product_category}`,
        'Discovers brands through short-form video and friends',
      ]),
      pain_points: listOr(draft.target_audience.pain_points, [
        `Too many ${request.product_category} options look alike`,
        'Marketing claims are hard to trust',
      ]),
    },
    core_message: {
      primary_hook: scrub(draft.core_message.primary_hook, `Meet ${product} from ${brand.name}.`),
      value_proposition: scrub(
        draft.core_message.value_proposition,
        request.key_message ??
          request.product_description ??
          `${product}, made for ${request.target_demographic}.`,
      ),
      call_to_action: scrub(
        draft.core_message.call_to_action,
        request.call_to_action ?? `Discover ${product}`,
      ),
    },
    trending_insights: {
      trending_topics: input.trends.map((t) => t.topic).slice(0, 5),
      trending_audio: draft.trending_audio,
      competitor_analysis: draft.competitor_analysis,
      viral_patterns: listOr(draft.viral_patterns, ['Open on motion within the first second']).slice(
        0,
        Math.max(1, draft.viral_patterns.length),
      ),
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
 * Brand alignment (0–1), gate at 0.85. The brief's copy is judged against the bible (copy-judge): restricted
 * terms 25 %, claims policy 20 %, on-category vocabulary 20 %, voice and tone 15 %; then audience fit
 * 10 % (share of the requested demographic's words in the brief's audience), brand reference fidelity
 * 5 % (palette, restricted terms, tone and style copied unchanged) and completeness 5 %. A restricted term
 * caps the score at 0.5, an off-category word at 0.7, a claim at 0.75, a voice break at 0.8: one fault
 * is never averaged away.
 */
export function scoreAlignment(
  brief: CreativeBrief,
  brand: BrandProfile,
  request: CampaignRequest,
): { score: number; breakdown: Record<string, number>; findings: string[]; passed: boolean } {
  const judgement = judgeCopy(briefCopy(brief), brand, request);
  const j = judgement.scores;
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
      brief.variant_suggestions[0],
    ].filter(Boolean).length / 4;
  const breakdown = {
    restricted_terms: j.restricted,
    claims: round(j.claims),
    off_category: round(j.off_category),
    voice: round(j.voice),
    audience: round(audience),
    brand_reference: fidelity,
    completeness,
  };
  const weighted =
    0.25 * j.restricted +
    0.2 * j.claims +
    0.2 * j.off_category +
    0.15 * j.voice +
    0.1 * audience +
    0.05 * fidelity +
    0.05 * completeness;
  const score = round(Math.min(weighted, capForFindings(judgement)));
  return { score, breakdown, findings: describeFindings(judgement), passed: score >= ALIGNMENT_THRESHOLD };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
