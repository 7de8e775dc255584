import { approvals, audit } from '../shared/data/repositories.js';
import { emitEvent } from '../shared/events.js';
import { mailer, taskCallbacks } from '../shared/services.js';
import type { BudgetDeps } from './domain/budget.js';

/** The ports of the budget checkpoint and of the operator's raise and cancel routes. */
export const budgetDeps = (): BudgetDeps => ({
  store: approvals,
  mailer: mailer(),
  callbacks: taskCallbacks(),
  audit: (campaignId, action, actor, details) => audit.append(campaignId, action, actor, details),
  events: {
    requested: (a, approver) =>
      emitEvent('Approval Requested', a.approval_id, {
        campaign_id: a.campaign_id,
        approval_id: a.approval_id,
        checkpoint: a.checkpoint,
        variant_id: a.variant_id,
        approver,
      }),
    decided: (a) =>
      emitEvent('Approval Decided', a.approval_id, {
        campaign_id: a.campaign_id,
        approval_id: a.approval_id,
        checkpoint: a.checkpoint,
        decision: a.status === 'approved' ? 'approved' : 'rejected',
        decided_by: a.decided_by ?? 'unknown',
        at: a.decided_at,
      }),
  },
});
