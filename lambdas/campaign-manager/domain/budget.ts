import type { ApprovalEvents, ApprovalStore } from '../../approvals/domain/approvals.js';
import type { Approval, Campaign } from '../../shared/contracts/index.js';
import { budgetOf, setBudgetLimit } from '../../shared/data/ledger.js';
import { campaigns } from '../../shared/data/repositories.js';
import { ConflictError, ValidationError } from '../../shared/errors.js';
import { nowIso, stableUuid } from '../../shared/ids.js';
import { type BudgetRefusal, formatUsd, parseBudgetRefusal, toMicros, toUsd } from '../../shared/money.js';
import type { Mailer, TaskCallbacks } from '../../shared/ports/index.js';
import { CAMPAIGN_CANCELLED, rootFailure } from './failures.js';

/** A week: the TimeoutSeconds of every budget checkpoint in the ASL (then the campaign fails, naming the budget). */
export const BUDGET_PAUSE_SECONDS = 7 * 24 * 3600;

export interface BudgetDeps {
  store: ApprovalStore & { list(campaignId: string): Promise<Approval[]> };
  /** Absent when the stack has no sender (API-only): the pause is recorded and announced as an event. */
  mailer?: Mailer;
  callbacks: TaskCallbacks;
  audit(
    campaignId: string,
    action: string,
    actor: string,
    details?: { previous_state?: unknown; new_state?: unknown },
  ): Promise<void>;
  events?: ApprovalEvents;
}

export interface BudgetPauseRequest {
  token: string;
  execution: string;
  /** The checkpoint state (`RenderSceneBudgetPause`). */
  state: string;
  campaign_id: string;
  variant_id?: string;
  /** Which item of a Map iteration paused (a scene, a platform): checkpoints of siblings stay apart. */
  item?: string;
  /** The error the paid step failed with, as the Catch recorded it. */
  error: { Error: string; Cause: string };
}

export type BudgetPauseOutcome =
  | { status: 'covered' }
  | { status: 'cancelled' }
  | { status: 'pending'; approval_id: string };

const FINISHED = new Set(['published', 'failed', 'cancelled']);
const gone = (e: unknown) =>
  ['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken'].includes((e as { name?: string }).name ?? '');

/** Hands a decision to the waiting checkpoint; a token that is gone is applied when the step replays. */
async function send(
  deps: BudgetDeps,
  token: string,
  outcome: { ok: true; output: unknown } | { ok: false; cause: string },
) {
  try {
    if (outcome.ok) await deps.callbacks.success(token, outcome.output);
    else await deps.callbacks.failure(token, CAMPAIGN_CANCELLED, outcome.cause);
    return true;
  } catch (error) {
    if (gone(error)) return false;
    throw error;
  }
}

const covers = async (campaignId: string, refusal: BudgetRefusal | undefined): Promise<boolean> => {
  if (!refusal) return false;
  const b = await budgetOf(campaignId);
  return b.spent_micros + refusal.needMicros <= b.limit_micros;
};

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function pauseSummary(
  c: Campaign,
  message: string,
  refusal: BudgetRefusal | undefined,
  expires: string,
): string {
  const suggest = refusal ? toUsd(refusal.spentMicros + refusal.needMicros) : undefined;
  return [
    `${capitalized(message)}.`,
    `Campaign ${c.campaign_name} (${c.campaign_id}) is paused at this step until its budget is raised or it is cancelled (by ${expires}).`,
    `Raise: POST /operator/campaigns/${c.campaign_id}/budget {"budget_limit_usd": ${suggest ?? 'NEW_LIMIT'}}${suggest ? ' or more' : ''}`,
    `Cancel: POST /operator/campaigns/${c.campaign_id}/cancel`,
  ].join('\n');
}

/**
 * The budget checkpoint (a `.waitForTaskToken` state the ASL enters when a paid step throws
 * BudgetExceededError). If the budget now covers the step (raised meanwhile, or a replay after the
 * raise), the step runs again at once; if the campaign was cancelled, the checkpoint fails with
 * CampaignCancelled. Otherwise an Approval with checkpoint `budget` holds the token, the approver is
 * mailed and the campaign is `paused` until an operator raises the budget or cancels.
 *
 * Each visit at a given budget limit maps to its own approval: a replay finds it again (and its token
 * is refreshed); a decision that did not raise the limit (an approve on the generic approvals route)
 * cannot resume the step in a loop, because the next visit asks again.
 */
export async function requestBudgetRaise(
  deps: BudgetDeps,
  req: BudgetPauseRequest,
): Promise<BudgetPauseOutcome> {
  const message = rootFailure(req.error).cause;
  const refusal = parseBudgetRefusal(message);
  const campaign = await campaigns.mustGet(req.campaign_id);
  if (campaign.status === 'cancelled') {
    await send(deps, req.token, { ok: false, cause: campaign.failure?.cause ?? 'cancelled' });
    return { status: 'cancelled' };
  }
  if (await covers(req.campaign_id, refusal)) {
    await send(deps, req.token, { ok: true, output: { resumed: 'the budget covers the step' } });
    return { status: 'covered' };
  }
  const { limit_micros } = await budgetOf(req.campaign_id);
  for (let visit = 0; visit < 100; visit++) {
    const approvalId = stableUuid('budget', req.execution, req.state, req.item ?? '', limit_micros, visit);
    const existing = await deps.store.get(approvalId);
    if (existing?.status === 'pending') {
      await deps.store.setToken(existing, req.token);
      return { status: 'pending', approval_id: approvalId };
    }
    if (existing?.status === 'rejected') {
      await send(deps, req.token, { ok: false, cause: existing.feedback || 'cancelled' });
      return { status: 'cancelled' };
    }
    if (existing) continue;
    const created = nowIso();
    const expires = new Date(Date.now() + BUDGET_PAUSE_SECONDS * 1000).toISOString();
    const approval: Approval = {
      approval_id: approvalId,
      campaign_id: req.campaign_id,
      variant_id: req.variant_id,
      checkpoint: 'budget',
      subject_id: req.item ? `${refusal?.step ?? req.state} #${req.item}` : (refusal?.step ?? req.state),
      summary: pauseSummary(campaign, message, refusal, expires),
      task_token: req.token,
      status: 'pending',
      notified: deps.mailer && campaign.approver_email ? 'mail' : 'none',
      expires_at: expires,
      created_at: created,
    };
    if (!(await deps.store.create(approval))) continue;
    // A cancel that landed between the check above and this approval did not see it: end it here.
    const now = await campaigns.mustGet(req.campaign_id);
    if (now.status === 'cancelled') {
      const cause = now.failure?.cause ?? 'cancelled';
      await decideAll(deps, [approval], 'rejected', 'workflow', cause);
      return { status: 'cancelled' };
    }
    await campaigns.update(req.campaign_id, { status: 'paused' });
    await deps.audit(req.campaign_id, 'budget_paused', 'workflow', {
      new_state: { approval_id: approvalId, message, limit_usd: toUsd(limit_micros) },
    });
    if (deps.mailer && campaign.approver_email) {
      await deps.mailer.send({
        to: [campaign.approver_email],
        subject: `Budget reached: campaign ${campaign.campaign_name} paused at ${refusal?.step ?? req.state}`,
        text: `${approval.summary}\n\nApproval id: ${approvalId}\n`,
        html: `<h2>Budget reached</h2><pre>${escapeHtml(approval.summary)}</pre><p>Approval id: ${approvalId}</p>`,
      });
    }
    await deps.events?.requested(approval, campaign.approver_email ?? 'operator');
    // A raise that landed between the check above and this approval would not have seen it.
    if (await covers(req.campaign_id, refusal)) {
      await decideAll(deps, [approval], 'approved', 'budget raised meanwhile', 'budget covers the step');
    }
    return { status: 'pending', approval_id: approvalId };
  }
  throw new ConflictError(
    `budget checkpoint ${req.state} of campaign ${req.campaign_id} was visited too often`,
  );
}

const pendingBudgetApprovals = async (deps: BudgetDeps, campaignId: string) =>
  (await deps.store.list(campaignId)).filter((a) => a.checkpoint === 'budget' && a.status === 'pending');

/** Decides approvals once each and resumes (or fails) their checkpoints; returns the ids it resumed. */
async function decideAll(
  deps: BudgetDeps,
  list: Approval[],
  status: 'approved' | 'rejected',
  decidedBy: string,
  note: string,
): Promise<string[]> {
  const resumed: string[] = [];
  for (const a of list) {
    let decided: Approval;
    try {
      decided = await deps.store.decide(a, {
        status,
        decided_by: decidedBy,
        decided_at: nowIso(),
        feedback: note,
      });
    } catch (error) {
      if (error instanceof ConflictError) continue;
      throw error;
    }
    await deps.audit(a.campaign_id, `approval_${status}_budget`, decidedBy, {
      new_state: { approval_id: a.approval_id, feedback: note },
    });
    await deps.events?.decided(decided);
    const output = { approval_id: a.approval_id, decision: 'approve', decided_by: decidedBy, feedback: note };
    if (
      await send(
        deps,
        decided.task_token,
        status === 'approved' ? { ok: true, output } : { ok: false, cause: note },
      )
    )
      resumed.push(a.approval_id);
  }
  return resumed;
}

export interface BudgetRaise {
  campaign_id: string;
  previous_budget_limit_usd: number;
  budget_limit_usd: number;
  current_cost_usd: number;
  /** Budget checkpoints this raise resumed (their steps run again; one that still does not fit pauses again). */
  resumed: string[];
}

/**
 * An operator raises a campaign's budget: the new limit must be above the current one; the raise is
 * recorded (who, from, to) on the audit log and on every budget checkpoint it decides, and each paused
 * step runs again. Raising a campaign that is not paused is allowed (ahead of a pause).
 */
export async function raiseBudget(
  deps: BudgetDeps,
  input: { campaign_id: string; budget_limit_usd: number; decided_by: string },
): Promise<BudgetRaise> {
  const campaign = await campaigns.mustGet(input.campaign_id);
  if (FINISHED.has(campaign.status))
    throw new ConflictError(
      `campaign ${input.campaign_id} is ${campaign.status}; its budget can no longer be raised`,
    );
  const before = await budgetOf(input.campaign_id);
  const to = toMicros(input.budget_limit_usd);
  if (to <= before.limit_micros) {
    throw new ValidationError('invalid budget raise', [
      {
        path: 'budget_limit_usd',
        message: `must be above the current budget of ${formatUsd(before.limit_micros)}`,
      },
    ]);
  }
  if (!(await setBudgetLimit(input.campaign_id, before.limit_micros, to, nowIso())))
    throw new ConflictError(
      `the budget of campaign ${input.campaign_id} changed meanwhile; read it and try again`,
    );
  const note = `budget raised from ${formatUsd(before.limit_micros)} to ${formatUsd(to)} by ${input.decided_by}`;
  await deps.audit(input.campaign_id, 'budget_raised', input.decided_by, {
    previous_state: { budget_limit_usd: toUsd(before.limit_micros) },
    new_state: { budget_limit_usd: toUsd(to) },
  });
  const resumed = await decideAll(
    deps,
    await pendingBudgetApprovals(deps, input.campaign_id),
    'approved',
    input.decided_by,
    note,
  );
  if (campaign.status === 'paused') await campaigns.update(input.campaign_id, { status: 'in_production' });
  return {
    campaign_id: input.campaign_id,
    previous_budget_limit_usd: toUsd(before.limit_micros),
    budget_limit_usd: toUsd(to),
    current_cost_usd: toUsd(before.spent_micros),
    resumed,
  };
}

/**
 * An operator cancels a campaign paused at a budget checkpoint: it ends `cancelled`, with who cancelled
 * it (and why) as its failure cause; the paused steps fail with CampaignCancelled.
 */
export async function cancelCampaign(
  deps: BudgetDeps,
  input: { campaign_id: string; decided_by: string; reason?: string },
): Promise<{ campaign_id: string; status: 'cancelled'; cancelled: string[] }> {
  const campaign = await campaigns.mustGet(input.campaign_id);
  if (FINISHED.has(campaign.status))
    throw new ConflictError(`campaign ${input.campaign_id} is already ${campaign.status}`);
  const waiting = await pendingBudgetApprovals(deps, input.campaign_id);
  if (waiting.length === 0) {
    throw new ConflictError(
      `campaign ${input.campaign_id} is not paused at a budget checkpoint; a campaign waiting at an approval is stopped by rejecting it`,
    );
  }
  const cause = `cancelled by ${input.decided_by}${input.reason ? `: ${input.reason}` : ''}`;
  // First, so every step that fails now (and any replay) finds the campaign cancelled.
  await campaigns.update(input.campaign_id, {
    status: 'cancelled',
    failure: { error: CAMPAIGN_CANCELLED, cause },
  });
  await deps.audit(input.campaign_id, 'campaign_cancelled', input.decided_by, { new_state: { cause } });
  // Listed again after the status: a checkpoint that opened meanwhile is ended too (it re-reads the
  // status after creating its approval, so none is left pending either way).
  const pending = await pendingBudgetApprovals(deps, input.campaign_id);
  const cancelled = await decideAll(deps, pending, 'rejected', input.decided_by, cause);
  return { campaign_id: input.campaign_id, status: 'cancelled', cancelled };
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
