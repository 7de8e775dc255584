import { approvals, audit } from '../shared/data/repositories.js';
import { approvalEvents } from '../shared/events.js';
import { mailer, taskCallbacks } from '../shared/services.js';
import type { BudgetDeps } from './domain/budget.js';

/** The ports of the budget checkpoint and of the operator's raise and cancel routes. */
export const budgetDeps = (): BudgetDeps => ({
  store: approvals,
  mailer: mailer(),
  callbacks: taskCallbacks(),
  audit: (campaignId, action, actor, details) => audit.append(campaignId, action, actor, details),
  events: approvalEvents,
});
