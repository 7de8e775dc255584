import { z } from 'zod';
import { chargeUsage, precheckModelCall } from '../shared/charges.js';
import { SceneDraft } from '../shared/contracts/index.js';
import { workDocs } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { hashSeed, stableUuid } from '../shared/ids.js';
import { generateFromTemplate, PROMPTS } from '../shared/prompts/creative.js';
import { textModel, textModelProvider } from '../shared/providers/text.js';
import { loadCreativeContext, modelContext, promptBrand } from './context.js';
import { Outline } from './outline-script.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  outline_id: z.string(),
  sequence: z.number().int().min(1),
  execution: z.string(),
});

/** One scene of the outline (run in parallel by the Map state). */
export const handler = stepHandler('WriteScene', Input, async (input) => {
  const outline = await workDocs.get(input.campaign_id, 'outline', input.outline_id, Outline);
  const beat = outline.beats.find((b) => b.sequence === input.sequence);
  if (!beat) throw new Error(`outline ${input.outline_id} has no beat ${input.sequence}`);
  const ctx = await loadCreativeContext(input.campaign_id, outline.brief_id);
  const sceneId = stableUuid('scene', input.outline_id, input.sequence);
  await precheckModelCall(input.campaign_id, 'scene', textModelProvider(), 2000);
  const { value, usage } = await generateFromTemplate(
    textModel(),
    PROMPTS.scene,
    promptBrand(ctx),
    {
      sequence: beat.sequence,
      seconds: beat.duration_seconds,
      purpose: beat.purpose,
      last: beat.sequence === outline.beats.length,
    },
    {
      schema: SceneDraft,
      context: modelContext(ctx, {
        variant_type: outline.variant_type,
        feedback: outline.feedback || undefined,
        hook: outline.hook,
        beat,
        total_beats: outline.beats.length,
      }),
      seed: hashSeed(sceneId),
    },
  );
  await chargeUsage({
    campaignId: input.campaign_id,
    variantId: input.variant_id,
    pillar: 'copywriter',
    key: `${sceneId}:scene`,
    usage,
    task: 'scene',
    description: `scene ${beat.sequence}`,
  });
  await workDocs.put(input.campaign_id, 'scene', sceneId, {
    scene_id: sceneId,
    sequence: beat.sequence,
    duration_seconds: beat.duration_seconds,
    draft: value,
  });
  return { scene_id: sceneId, sequence: beat.sequence };
});
