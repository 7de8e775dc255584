import { z } from 'zod';
import { logger } from '../shared/commons.js';
import { stepHandler } from '../shared/handler.js';
import { budgetDeps } from './budget-deps.js';
import { requestBudgetRaise } from './domain/budget.js';

const Input = z.object({
  token: z.string().min(1),
  execution: z.string().min(1),
  state: z.string().min(1),
  campaign_id: z.uuid(),
  variant_id: z.uuid().optional(),
  /** The Map item that paused (scene id, beat sequence, post key), when the step runs per item. */
  item: z.union([z.string(), z.number()]).optional(),
  error: z.object({ Error: z.string(), Cause: z.string().default('') }).passthrough(),
});

/**
 * A budget checkpoint (`.waitForTaskToken`): a paid step would have passed the budget, so the campaign
 * pauses here until an operator raises the budget (the step then runs again) or cancels it.
 */
export const handler = stepHandler('RequestBudgetRaise', Input, async (input) => {
  const outcome = await requestBudgetRaise(budgetDeps(), {
    ...input,
    item: input.item === undefined ? undefined : String(input.item),
  });
  if (outcome.status === 'pending')
    logger.warn('campaign paused at a budget checkpoint', {
      campaign_id: input.campaign_id,
      approval_id: outcome.approval_id,
      raise_with: `POST /operator/campaigns/${input.campaign_id}/budget`,
    });
  return outcome;
});
