import { z } from 'zod';
import { audit, campaigns } from '../shared/data/repositories.js';
import { emitEvent } from '../shared/events.js';
import { stepHandler } from '../shared/handler.js';

const Input = z.object({
  campaign_id: z.uuid(),
  pillar: z.string(),
  error: z.object({ Error: z.string().default('Unknown'), Cause: z.string().default('') }).passthrough(),
  execution: z.string(),
});

/** Keeps the failure on the campaign and its audit log; the state machine then ends in its Fail state. */
export const handler = stepHandler(
  'RecordFailure',
  Input,
  async ({ campaign_id, pillar, error, execution }) => {
    const cause = error.Cause.slice(0, 2000);
    await audit.append(campaign_id, `failed_${pillar}`, 'workflow', {
      new_state: { error: error.Error, cause, execution },
    });
    await campaigns.update(campaign_id, { status: 'failed', failure: { error: error.Error, cause } });
    await emitEvent('Campaign Failed', `${execution}:${pillar}`, {
      campaign_id,
      pillar,
      error: error.Error,
      cause,
    });
    return { recorded: true };
  },
);
