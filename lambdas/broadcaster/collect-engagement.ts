import middy from '@middy/core';
import { z } from 'zod';
import { parseOrThrow } from '../shared/validation.js';
import { type CollectionSummary, collectDueEngagement } from './engagement-service.js';

/** EventBridge sends its scheduled-event envelope; a manual invoke may pass the clock (tests, backfills). */
const Input = z.object({ now: z.iso.datetime({ offset: true }).optional() }).loose();

/**
 * Scheduled hourly: engagement of every published post whose collection is due (hourly for 48 h, then
 * daily for 30 days) into the time series; decided A/B tests update their brand's priors.
 */
export const handler = middy(async (event: unknown): Promise<CollectionSummary> => {
  const input = parseOrThrow(Input, event ?? {}, 'CollectEngagement input');
  return collectDueEngagement(input.now ? new Date(input.now) : new Date());
});
