import { z } from 'zod';
import { chargeUsage, precheckModelCall } from '../shared/charges.js';
import { OutlineDraft, SCRIPT_SECONDS, VariantType } from '../shared/contracts/index.js';
import { workDocs } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { hashSeed, stableUuid } from '../shared/ids.js';
import { generateFromTemplate, PROMPTS } from '../shared/prompts/creative.js';
import { textModel, textModelProvider } from '../shared/providers/text.js';
import { loadCreativeContext, modelContext, promptBrand } from './context.js';
import { HookSet, HooksState, resolveHook } from './domain/hooks.js';

const Input = z.object({
  campaign_id: z.uuid(),
  brief_id: z.uuid(),
  variant_id: z.uuid(),
  variant_type: VariantType,
  feedback: z.string().default(''),
  attempt: z.number().int().min(1),
  hook_set_id: z.string(),
  hooks: HooksState,
  execution: z.string(),
});

export const Outline = z.object({
  outline_id: z.string(),
  brief_id: z.string(),
  variant_type: VariantType,
  hook: z.string(),
  feedback: z.string(),
  beats: OutlineDraft.shape.beats,
});

export const handler = stepHandler('OutlineScript', Input, async (input) => {
  const ctx = await loadCreativeContext(input.campaign_id, input.brief_id);
  const hookSet = await workDocs.get(input.campaign_id, 'hookset', input.hook_set_id, HookSet);
  const hook = resolveHook(hookSet, input.hooks.review?.chosen_hook_id);
  const outlineId = stableUuid('outline', input.execution, input.variant_id, input.attempt);
  await precheckModelCall(input.campaign_id, 'script_outline', textModelProvider(), 2000);
  const { value, usage } = await generateFromTemplate(
    textModel(),
    PROMPTS.script_outline,
    promptBrand(ctx),
    {
      seconds: ctx.campaign.request.target_duration_seconds ?? 30,
      variant: input.variant_type,
      hook: hook.text,
      feedback: input.feedback || undefined,
    },
    {
      schema: OutlineDraft,
      context: modelContext(ctx, {
        variant_type: input.variant_type,
        feedback: input.feedback || undefined,
        hook: hook.text,
      }),
      seed: hashSeed(outlineId),
    },
  );
  const total = value.beats.reduce((t, b) => t + b.duration_seconds, 0);
  if (total < SCRIPT_SECONDS.min || total > SCRIPT_SECONDS.max)
    throw new Error(`outline totals ${total}s, outside 15–60 s`);
  await chargeUsage({
    campaignId: input.campaign_id,
    variantId: input.variant_id,
    pillar: 'copywriter',
    key: `${outlineId}:outline`,
    usage,
    task: 'script_outline',
    description: 'script outline',
  });
  await workDocs.put(input.campaign_id, 'outline', outlineId, {
    outline_id: outlineId,
    brief_id: input.brief_id,
    variant_type: input.variant_type,
    hook: hook.text,
    feedback: input.feedback,
    beats: value.beats,
  });
  return { outline_id: outlineId, beats: value.beats.map((b) => ({ sequence: b.sequence })) };
});
