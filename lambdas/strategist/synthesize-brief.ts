import { z } from 'zod';
import { briefWithPriors } from '../campaign-manager/domain/priors.js';
import { chargeUsage, precheckModelCall } from '../shared/charges.js';
import { priors } from '../shared/data/distribution.js';
import { brands, briefs, campaigns, trends } from '../shared/data/repositories.js';
import { BrandNotFoundError } from '../shared/errors.js';
import { stepHandler } from '../shared/handler.js';
import { textModel, textModelProvider } from '../shared/providers/text.js';
import { loadChunks } from './context.js';
import { synthesizeBrief } from './domain/brief.js';

const Input = z.object({
  campaign_id: z.uuid(),
  feedback: z.string().default(''),
  attempt: z.number().int().min(1),
  chunk_ids: z.array(z.string()).max(5),
  trend_ids: z.array(z.string()),
  execution: z.string(),
});

export const handler = stepHandler('SynthesizeBrief', Input, async (input) => {
  const campaign = await campaigns.mustGet(input.campaign_id);
  const brand = await brands.get(campaign.brand_id);
  if (!brand) throw new BrandNotFoundError(campaign.brand_id);
  const { chunks } = await loadChunks(brand.brand_id);
  const wanted = new Set(input.chunk_ids);
  await precheckModelCall(input.campaign_id, 'creative_brief', textModelProvider(), 4000);
  const { brief: drafted, usage } = await synthesizeBrief({
    campaignId: input.campaign_id,
    request: campaign.request,
    brand,
    chunks: chunks.filter((c) => wanted.has(c.chunk.chunk_id)).map((c) => c.chunk),
    trends: await trends.get(brand.brand_id, input.trend_ids),
    feedback: input.feedback,
    attempt: input.attempt,
    textModel: textModel(),
  });
  // The closed loop (issue 8): past A/B winners order the variant suggestions; the brief cites them.
  const brief = briefWithPriors(drafted, await priors.get(brand.brand_id));
  await chargeUsage({
    campaignId: input.campaign_id,
    pillar: 'strategist',
    key: `brief:${brief.brief_id}`,
    usage,
    task: 'creative_brief',
    description: 'creative brief synthesis',
  });
  await briefs.put(brief);
  return { brief_id: brief.brief_id };
});
