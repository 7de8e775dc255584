import { z } from 'zod';
import { emitEvent } from '../shared/events.js';
import { stepHandler } from '../shared/handler.js';
import { prepareVariants } from './domain/campaigns.js';

const Input = z.object({ campaign_id: z.uuid(), execution: z.string() });

export const handler = stepHandler('PrepareCampaign', Input, async ({ campaign_id, execution }) => {
  const prepared = await prepareVariants(campaign_id);
  await emitEvent('Campaign Started', execution, { campaign_id, brand_id: prepared.brand_id, execution });
  return prepared;
});
