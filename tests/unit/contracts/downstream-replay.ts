/**
 * The parse steps every pillar applies to a campaign's request, replayed in memory with the offline
 * stand-ins (the creative engine and the hashing embedder), in pipeline order: the stored campaign,
 * trend ranking, brief synthesis and its alignment score, hooks, outline, scenes and the finalised
 * script of every variant, the campaign package and each platform's copy. Each step calls the same
 * domain function and the same zod contract as its handler; what a handler does between them (read
 * and write the table, charge the ledger) is left out. A step that throws is what would fail a
 * campaign later, after `POST /campaigns` answered 201.
 */

import { writePlatformCopy } from '../../../lambdas/broadcaster/domain/captions.js';
import { modelContext } from '../../../lambdas/copywriter/context.js';
import { checkScriptCompliance } from '../../../lambdas/copywriter/domain/compliance.js';
import { finalizeScenes } from '../../../lambdas/copywriter/domain/finalize.js';
import { rankHooks } from '../../../lambdas/copywriter/domain/hooks.js';
import { OfflineCreativeEngine } from '../../../lambdas/shared/adapters/offline/creative-engine.js';
import { findRestrictedTerms } from '../../../lambdas/shared/brand-safety/restricted-terms.js';
import { MODELS } from '../../../lambdas/shared/config/index.js';
import {
  type BrandProfile,
  Campaign,
  CampaignPackage,
  type CreateCampaignBody,
  type CreativeBrief,
  HOOK_VARIATIONS,
  HookDrafts,
  HookVariation,
  OutlineDraft,
  SCRIPT_SECONDS,
  SceneDraft,
  Script,
  type VariantType,
} from '../../../lambdas/shared/contracts/index.js';
import type { StoredTrend } from '../../../lambdas/shared/data/repositories.js';
import { hashSeed, stableUuid } from '../../../lambdas/shared/ids.js';
import { scoreAlignment, synthesizeBrief } from '../../../lambdas/strategist/domain/brief.js';
import { rankTrends, relevantTrends, trendAudience } from '../../../lambdas/strategist/domain/trends.js';

const engine = new OfflineCreativeEngine();
const NOW = '2026-11-29T12:00:00.000Z';

/** Runs every downstream step on one accepted body; throws where a pillar would fail the campaign. */
export async function replayDownstream(
  body: CreateCampaignBody,
  brand: BrandProfile,
  trends: StoredTrend[],
  approver = 'brand-manager@example.com',
): Promise<void> {
  const request = body.campaign_request;
  const campaignId = stableUuid('campaign', 'replay', JSON.stringify(body));
  // createCampaign: the stored campaign (repositories parse it on every write and read).
  const campaign = Campaign.parse({
    campaign_id: campaignId,
    campaign_name: request.campaign_name ?? `${brand.name} — ${request.product_category}`,
    brand_id: request.brand_id,
    status: 'in_production',
    request,
    budget_limit_usd: request.budget_limit_usd ?? MODELS.default_budget_usd[request.budget_tier],
    current_cost_usd: 0,
    auto_approve: body.auto_approve ?? false,
    approver_email: body.approver_email ?? approver,
    created_at: NOW,
    updated_at: NOW,
  });

  // GatherTrends, SynthesizeBrief, ScoreAlignment.
  const ranked = rankTrends(
    trends.map((t) => ({ title: t.topic, url: t.url, source: t.source, summary: t.summary })),
    trendAudience(brand, campaign.request),
  );
  const chosen = relevantTrends(ranked).map((r) => trends.find((t) => t.url === r.url) as StoredTrend);
  const { brief } = await synthesizeBrief({
    campaignId,
    request: campaign.request,
    brand,
    chunks: [],
    trends: chosen,
    attempt: 1,
    textModel: engine,
  });
  scoreAlignment(brief, brand, campaign.request);

  // PrepareCampaign, then the Copywriter of each variant.
  const types: VariantType[] = campaign.request.variants ?? ['emotional'];
  const scripts: Script[] = [];
  for (const variant_type of types) {
    scripts.push(await writeScript({ campaign, brief, brand }, variant_type));
  }

  // PackageCampaign and PlanDistribution.
  for (const script of scripts) {
    const pkg = CampaignPackage.parse({
      campaign_id: campaignId,
      variant_id: script.variant_id,
      master_video_url: 's3://bucket/master.mp4',
      script: { voiceover_full_text: script.voiceover_full_text, scenes: script.scenes },
      metadata: {
        variant_type: script.variant_tag,
        target_platforms: campaign.request.target_platforms ?? ['tiktok', 'instagram', 'youtube', 'linkedin'],
      },
    });
    for (const platform of pkg.metadata.target_platforms) {
      writePlatformCopy({
        platform,
        script,
        brand,
        trendingTopics: brief.trending_insights.trending_topics,
        callToAction: brief.core_message.call_to_action,
        restrictedCheck: (t) => findRestrictedTerms(t, brand.restricted_keywords),
      });
    }
  }
}

/** GenerateHooks, OutlineScript, WriteScene (each beat) and FinalizeScript of one variant. */
async function writeScript(
  ctx: { campaign: Campaign; brief: CreativeBrief; brand: BrandProfile },
  variant_type: VariantType,
): Promise<Script> {
  const { campaign, brief, brand } = ctx;
  const variantId = stableUuid('variant', campaign.campaign_id, variant_type);
  const hookSetId = stableUuid('hooks', variantId);
  const drafted = await engine.generate({
    task: 'hook_variations',
    schema: HookDrafts,
    system: '',
    prompt: 'hooks',
    context: modelContext(ctx, { variant_type, count: HOOK_VARIATIONS + 10 }),
    seed: hashSeed(hookSetId, 0),
  });
  const hooks = rankHooks(drafted.value.hooks, {
    hookSetId,
    restricted: brand.restricted_keywords,
    trendWords: brief.trending_insights.trending_topics.join(' ').toLowerCase().split(/\W+/),
  });
  for (const h of hooks.variations) HookVariation.parse(h);
  const hook = hooks.selected;

  const outline = await engine.generate({
    task: 'script_outline',
    schema: OutlineDraft,
    system: '',
    prompt: 'outline',
    context: modelContext(ctx, { variant_type, hook: hook.text }),
    seed: hashSeed(variantId, 'outline'),
  });
  const total = outline.value.beats.reduce((t, b) => t + b.duration_seconds, 0);
  if (total < SCRIPT_SECONDS.min || total > SCRIPT_SECONDS.max)
    throw new Error(`outline totals ${total}s, outside 15–60 s`);

  const drafts = [];
  for (const beat of outline.value.beats) {
    const { value: draft } = await engine.generate({
      task: 'scene',
      schema: SceneDraft,
      system: '',
      prompt: 'scene',
      context: modelContext(ctx, {
        variant_type,
        hook: hook.text,
        beat,
        total_beats: outline.value.beats.length,
      }),
      seed: hashSeed(variantId, beat.sequence),
    });
    drafts.push({
      scene_id: stableUuid('scene', variantId, beat.sequence),
      duration_seconds: beat.duration_seconds,
      draft,
    });
  }
  const scenes = finalizeScenes(drafts, brand, {
    product: campaign.request.product_name ?? campaign.request.product_category,
    callToAction: brief.core_message.call_to_action,
  });
  const draft = {
    script_id: stableUuid('script', campaign.campaign_id, variantId),
    brief_id: brief.brief_id,
    campaign_id: campaign.campaign_id,
    variant_id: variantId,
    version: 1,
    hook: {
      text: hook.text,
      hook_type: hook.hook_type,
      quality_score: hook.quality_score,
      variations_generated: hooks.variations.length,
      selected_rationale: hooks.rationale,
    },
    top_hooks: hooks.top.map((h) => ({ hook_id: h.hook_id, text: h.text, quality_score: h.quality_score })),
    scenes,
    voiceover_full_text: scenes.map((s) => s.voiceover_text).join(' '),
    total_duration_seconds: scenes.reduce((t, s) => t + s.duration_seconds, 0),
    variant_tag: variant_type,
    brand_compliance_score: 0,
    generated_at: NOW,
    approval_status: 'pending' as const,
  };
  const report = checkScriptCompliance(draft, brand, brief.core_message.call_to_action, campaign.request);
  if (report.violations.length)
    throw new Error(`restricted terms in ${report.violations.map((v) => v.field_path).join(', ')}`);
  return Script.parse({ ...draft, brand_compliance_score: report.score });
}
