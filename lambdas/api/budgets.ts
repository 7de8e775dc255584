import { budgetDeps } from '../campaign-manager/budget-deps.js';
import { cancelCampaign, raiseBudget } from '../campaign-manager/domain/budget.js';
import { BudgetRaiseBody, CancelCampaignBody } from '../shared/contracts/index.js';
import { parseOrThrow } from '../shared/validation.js';
import { type ApiEvent, apiHandler, json, parseBody, pathUuid, readBody } from './http.js';

/** Who decided: the name given, with the IAM principal API Gateway authenticated (absent locally). */
function who(event: ApiEvent, name: string): string {
  const ctx = event.requestContext as { authorizer?: { iam?: { userArn?: string } } };
  const arn = ctx.authorizer?.iam?.userArn;
  return arn ? `${name} (${arn})` : name;
}

/**
 * Operator routes of a campaign's budget (IAM only): raise it — the steps paused at a budget
 * checkpoint run again — or cancel a campaign paused at one.
 */
export const handler = apiHandler({
  'POST /operator/campaigns/{id}/budget': async (event) => {
    const id = pathUuid(event);
    const body = parseBody(event, BudgetRaiseBody, 'budget raise');
    const raised = await raiseBudget(budgetDeps(), {
      campaign_id: id,
      budget_limit_usd: body.budget_limit_usd,
      decided_by: who(event, body.decided_by),
    });
    return json(200, raised);
  },
  'POST /operator/campaigns/{id}/cancel': async (event) => {
    const id = pathUuid(event);
    // An empty body is a cancellation by "operator" without a reason.
    const body = parseOrThrow(CancelCampaignBody, readBody(event, 'cancellation') ?? {}, 'cancellation');
    const cancelled = await cancelCampaign(budgetDeps(), {
      campaign_id: id,
      decided_by: who(event, body.decided_by),
      reason: body.reason,
    });
    return json(200, cancelled);
  },
});
