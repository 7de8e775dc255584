import { z } from 'zod';
import { stepHandler } from '../shared/handler.js';
import { prepareVariants } from './domain/campaigns.js';

const Input = z.object({ campaign_id: z.uuid(), execution: z.string() });

export const handler = stepHandler('PrepareCampaign', Input, async ({ campaign_id }) =>
  prepareVariants(campaign_id),
);
