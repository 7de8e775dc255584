import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { metrics } from '../shared/commons.js';
import { brands, briefs, campaigns } from '../shared/data/repositories.js';
import { BrandNotFoundError } from '../shared/errors.js';
import { stepHandler } from '../shared/handler.js';
import { embedder } from '../shared/services.js';
import { scoreAlignment } from './domain/brief.js';

const Input = z.object({ campaign_id: z.uuid(), brief_id: z.uuid(), execution: z.string() });

export const handler = stepHandler('ScoreAlignment', Input, async ({ campaign_id, brief_id }) => {
  const campaign = await campaigns.mustGet(campaign_id);
  const brand = await brands.get(campaign.brand_id);
  if (!brand) throw new BrandNotFoundError(campaign.brand_id);
  const brief = await briefs.get(campaign_id, brief_id);
  const { score, breakdown, passed } = await scoreAlignment(brief, brand, campaign.request, embedder());
  await briefs.put({ ...brief, brand_alignment_score: score, alignment_breakdown: breakdown });
  metrics.addMetric('BrandAlignmentScore', MetricUnit.Count, score);
  return { score, passed };
});
