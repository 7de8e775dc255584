import { z } from 'zod';
import { stepHandler } from '../shared/handler.js';
import { recordFailure } from './domain/failures.js';

const Input = z.object({
  campaign_id: z.uuid(),
  pillar: z.string(),
  error: z.object({ Error: z.string().default('Unknown'), Cause: z.string().default('') }).passthrough(),
  execution: z.string(),
});

/**
 * Keeps the failure on the campaign and its audit log; the state machine then ends in its Fail state
 * with the error and cause returned here (the root failure, not the wrapper of a nested execution).
 */
export const handler = stepHandler(
  'RecordFailure',
  Input,
  async ({ campaign_id, pillar, error, execution }) => {
    const failure = await recordFailure(campaign_id, pillar, error, execution);
    return { recorded: true, error: failure.error, cause: failure.cause };
  },
);
