import { z } from 'zod';
import { brands, briefs, campaigns } from '../shared/data/repositories.js';
import { BrandNotFoundError } from '../shared/errors.js';
import { stepHandler } from '../shared/handler.js';
import { recordMetric } from '../shared/metrics.js';
import { embedder } from '../shared/providers/text.js';
import { scoreAlignment } from './domain/brief.js';

const Input = z.object({ campaign_id: z.uuid(), brief_id: z.uuid(), execution: z.string() });

export const handler = stepHandler('ScoreAlignment', Input, async ({ campaign_id, brief_id }) => {
  const campaign = await campaigns.mustGet(campaign_id);
  const brand = await brands.get(campaign.brand_id);
  if (!brand) throw new BrandNotFoundError(campaign.brand_id);
  const brief = await briefs.get(campaign_id, brief_id);
  const { score, breakdown, passed } = await scoreAlignment(brief, brand, campaign.request, embedder());
  await briefs.put({ ...brief, brand_alignment_score: score, alignment_breakdown: breakdown });
  recordMetric('BrandAlignmentScore', score);
  return { score, passed };
});
