import { z } from 'zod';
import { brands, briefs, campaigns } from '../shared/data/repositories.js';
import { BrandNotFoundError } from '../shared/errors.js';
import { stepHandler } from '../shared/handler.js';
import { recordMetric } from '../shared/metrics.js';
import { scoreAlignment } from './domain/brief.js';

const Input = z.object({ campaign_id: z.uuid(), brief_id: z.uuid(), execution: z.string() });

export const handler = stepHandler('ScoreAlignment', Input, async ({ campaign_id, brief_id }) => {
  const campaign = await campaigns.mustGet(campaign_id);
  const brand = await brands.get(campaign.brand_id);
  if (!brand) throw new BrandNotFoundError(campaign.brand_id);
  const brief = await briefs.get(campaign_id, brief_id);
  const { score, breakdown, findings, passed } = scoreAlignment(brief, brand, campaign.request);
  await briefs.put({
    ...brief,
    brand_alignment_score: score,
    alignment_breakdown: breakdown,
    alignment_findings: findings,
  });
  recordMetric('BrandAlignmentScore', score);
  return { score, passed };
});
