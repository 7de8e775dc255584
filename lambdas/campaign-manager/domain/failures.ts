import type { Approval } from '../../shared/contracts/index.js';
import { approvals, audit, campaigns } from '../../shared/data/repositories.js';
import { emitEvent } from '../../shared/events.js';
import { nowIso } from '../../shared/ids.js';

export interface Failure {
  error: string;
  cause: string;
}

/** The error a budget checkpoint fails with when nobody raised the budget or cancelled in time. */
export const BUDGET_RAISE_TIMED_OUT = 'BudgetRaiseTimedOut';
/** The error an operator's cancellation fails the waiting step with. */
export const CAMPAIGN_CANCELLED = 'CampaignCancelled';

/** Errors that only say "something below failed": a failure already recorded below says more. */
const WRAPPERS = new Set(['States.TaskFailed', 'States.BranchFailed', 'VariantFailed', 'Unknown']);

const asObject = (text: string): Record<string, unknown> | undefined => {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The failure a Step Functions error is really about. A nested `.sync:2` execution fails its parent
 * task with `States.TaskFailed` and the child's description as the Cause; a Lambda error's Cause is
 * `{"errorType", "errorMessage", ...}`. Unwrapped down to the first error that says what happened.
 */
export function rootFailure(error: { Error: string; Cause: string }): Failure {
  let failure: Failure = { error: error.Error, cause: error.Cause };
  for (let depth = 0; depth < 8; depth++) {
    const parsed = asObject(failure.cause);
    if (!parsed) break;
    const childError = str(parsed.Error) ?? str(parsed.error);
    const childCause = str(parsed.Cause) ?? str(parsed.cause);
    const message = str(parsed.errorMessage);
    if (childError !== undefined && (parsed.ExecutionArn ?? parsed.executionArn ?? parsed.Status)) {
      failure = { error: childError, cause: childCause ?? '' };
    } else if (message !== undefined) {
      failure = { error: str(parsed.errorType) ?? failure.error, cause: message };
    } else break;
  }
  return failure;
}

const firstLine = (s: string) => s.split('\n')[0] ?? s;

/**
 * Keeps a failure on the campaign, its audit log and the event bus, and returns what to end the
 * execution with. A cancellation stays a cancellation; a budget checkpoint that timed out says which
 * budget and step it was waiting for; a wrapper error from a nested execution keeps the failure the
 * pillar below already recorded (so `bie run` and `GET /campaigns/{id}` show the cause, not
 * `States.TaskFailed`).
 */
export async function recordFailure(
  campaignId: string,
  pillar: string,
  error: { Error: string; Cause: string },
  execution: string,
): Promise<Failure> {
  let failure = rootFailure(error);
  const campaign = await campaigns.mustGet(campaignId);
  if (failure.error === 'States.Timeout') {
    const waiting = (await approvals.list(campaignId)).filter(
      (a) => a.checkpoint === 'budget' && a.status === 'pending',
    );
    if (waiting.length > 0) {
      failure = {
        error: BUDGET_RAISE_TIMED_OUT,
        cause: `${firstLine((waiting[0] as Approval).summary).replace(/\.$/, '')}; nobody raised the budget or cancelled the campaign before the checkpoint timed out`,
      };
      for (const a of waiting) await expire(a);
    }
  }
  const recorded = campaign.failure;
  const finished = campaign.status === 'cancelled' || campaign.status === 'failed';
  if (campaign.status === 'cancelled' && recorded) failure = recorded;
  else if (finished && recorded && WRAPPERS.has(failure.error) && !WRAPPERS.has(recorded.error))
    failure = recorded;
  const cause = failure.cause.slice(0, 2000);
  const status = failure.error === CAMPAIGN_CANCELLED ? 'cancelled' : 'failed';
  await audit.append(campaignId, `failed_${pillar}`, 'workflow', {
    new_state: { error: failure.error, cause, execution, reported: error.Error },
  });
  await campaigns.update(campaignId, { status, failure: { error: failure.error, cause } });
  await emitEvent('Campaign Failed', `${execution}:${pillar}`, {
    campaign_id: campaignId,
    pillar,
    error: failure.error,
    cause,
  });
  return { error: failure.error, cause };
}

async function expire(a: Approval): Promise<void> {
  try {
    await approvals.decide(a, { status: 'expired', decided_by: 'checkpoint timeout', decided_at: nowIso() });
  } catch (error) {
    if ((error as Error).name !== 'ConflictError') throw error;
  }
}
