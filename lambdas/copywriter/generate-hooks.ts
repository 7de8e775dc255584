import { z } from 'zod';
import { hookTypeBoosts } from '../campaign-manager/domain/priors.js';
import { chargeUsage, precheckModelCall } from '../shared/charges.js';
import {
  HOOK_QUALITY_THRESHOLD,
  HOOK_VARIATIONS,
  HookDrafts,
  VariantType,
} from '../shared/contracts/index.js';
import { priors } from '../shared/data/distribution.js';
import { approvals, hooks, workDocs } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { hashSeed, stableUuid } from '../shared/ids.js';
import { recordMetric } from '../shared/metrics.js';
import { generateFromTemplate, PROMPTS } from '../shared/prompts/creative.js';
import { textModel, textModelProvider } from '../shared/providers/text.js';
import { loadCreativeContext, modelContext, promptBrand } from './context.js';
import { applyHookPriors } from './domain/hook-priors.js';
import { type HookSet, hookGate, pinnedHookSet, type RankedHooks, rankHooks } from './domain/hooks.js';

export { HookSet } from './domain/hooks.js';

const Input = z.object({
  campaign_id: z.uuid(),
  brief_id: z.uuid(),
  variant_id: z.uuid(),
  variant_type: VariantType,
  feedback: z.string().default(''),
  attempt: z.number().int().min(1),
  execution: z.string(),
});

const ROUNDS = 3;

/** The hook named by the variant's latest decided script approval, when it was a rejection naming one. */
async function hookChosenAtScriptReview(campaignId: string, variantId: string) {
  const decided = (await approvals.list(campaignId))
    .filter((a) => a.checkpoint === 'script' && a.variant_id === variantId && a.decided_at)
    .sort((a, b) => (b.decided_at ?? '').localeCompare(a.decided_at ?? ''));
  const last = decided[0];
  if (last?.status !== 'rejected' || !last.chosen_hook_id) return undefined;
  const hook = last.choices?.find((c) => c.hook_id === last.chosen_hook_id);
  return hook ? { hook, others: last.choices ?? [] } : undefined;
}

/**
 * ≥ 50 hook variations, scored and ranked; restricted terms discarded before ranking. The hook quality
 * gate (≥ 0.75) regenerates up to 3 times; a set still below it is kept with the gate's reason and the
 * state machine sends it to hook review (the top 3 to choose from), never on silently.
 */
export const handler = stepHandler('GenerateHooks', Input, async (input) => {
  const ctx = await loadCreativeContext(input.campaign_id, input.brief_id);
  const hookSetId = stableUuid('hooks', input.execution, input.variant_id, input.attempt);
  // A reviewer who sent the last script back naming another of its top hooks: rewrite around that one.
  const chosen =
    input.attempt > 1 ? await hookChosenAtScriptReview(input.campaign_id, input.variant_id) : undefined;
  if (chosen) {
    const doc = pinnedHookSet(hookSetId, chosen.hook, chosen.others);
    await workDocs.put(input.campaign_id, 'hookset', hookSetId, doc);
    return {
      hook_set_id: hookSetId,
      count: doc.count,
      selected_quality: doc.selected.quality_score,
      gate_passed: true,
      gate_reason: doc.gate?.reason ?? '',
    };
  }
  let best: RankedHooks | undefined;
  let rounds = 0;
  // The closed loop (issue 8): hook types that won this brand's past A/B tests rank higher.
  const boosts = hookTypeBoosts(await priors.get(ctx.brand.brand_id));
  await precheckModelCall(input.campaign_id, 'hook_variations', textModelProvider(), 6000);
  for (let round = 0; round < ROUNDS; round++) {
    rounds = round + 1;
    const { value, usage } = await generateFromTemplate(
      textModel(),
      PROMPTS.hook_variations,
      promptBrand(ctx),
      {
        count: HOOK_VARIATIONS + 10,
        variant: input.variant_type,
        core: ctx.brief.core_message,
        feedback: input.feedback || undefined,
      },
      {
        schema: HookDrafts,
        context: modelContext(ctx, {
          variant_type: input.variant_type,
          feedback: input.feedback || undefined,
          count: HOOK_VARIATIONS + 10,
        }),
        seed: hashSeed(hookSetId, round),
      },
    );
    await chargeUsage({
      campaignId: input.campaign_id,
      variantId: input.variant_id,
      pillar: 'copywriter',
      key: `${hookSetId}:round${round}`,
      usage,
      task: 'hook_variations',
      description: `hook variations, round ${round + 1}`,
    });
    const ranked = applyHookPriors(
      rankHooks(value.hooks, {
        hookSetId,
        restricted: ctx.brand.restricted_keywords,
        trendWords: ctx.brief.trending_insights.trending_topics.join(' ').toLowerCase().split(/\W+/),
      }),
      boosts,
    );
    if (!best || ranked.selected.quality_score > best.selected.quality_score) best = ranked;
    if (ranked.selected.quality_score >= HOOK_QUALITY_THRESHOLD) break;
  }
  const set = best as RankedHooks;
  const gate = hookGate(set.selected.quality_score, rounds, set.variations.length);
  await hooks.putSet(input.campaign_id, hookSetId, set.variations);
  const doc: HookSet = {
    hook_set_id: hookSetId,
    selected: {
      hook_id: set.selected.hook_id,
      text: set.selected.text,
      hook_type: set.selected.hook_type,
      quality_score: set.selected.quality_score,
    },
    top: set.top.map((h) => ({
      hook_id: h.hook_id,
      text: h.text,
      quality_score: h.quality_score,
      hook_type: h.hook_type,
    })),
    rationale: set.rationale,
    count: set.variations.length,
    gate,
  };
  await workDocs.put(input.campaign_id, 'hookset', hookSetId, doc);
  recordMetric('HookQualityScore', set.selected.quality_score);
  return {
    hook_set_id: hookSetId,
    count: set.variations.length,
    selected_quality: set.selected.quality_score,
    gate_passed: gate.passed,
    gate_reason: gate.reason,
  };
});
