import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulators } from '../../local/engine/emulators.js';
import { campaignRecord } from '../support/records.js';

let emulators: Emulators;
let ledger: typeof import('../../lambdas/shared/data/ledger.js');
let repos: typeof import('../../lambdas/shared/data/repositories.js');
let budget: typeof import('../../lambdas/campaign-manager/domain/budget.js');
let failures: typeof import('../../lambdas/campaign-manager/domain/failures.js');

beforeAll(async () => {
  const { startEmulators } = await import('../../local/engine/emulators.js');
  emulators = await startEmulators(mkdtempSync(path.join(tmpdir(), 'bie-ledger-')), ['bie-media']);
  Object.assign(process.env, emulators.env, { TABLE_NAME: 'ledger-test', EVENT_BUS_NAME: 'bie-events' });
  const table = await import('../../lambdas/shared/data/table.js');
  await table.ensureTable();
  ledger = await import('../../lambdas/shared/data/ledger.js');
  repos = await import('../../lambdas/shared/data/repositories.js');
  budget = await import('../../lambdas/campaign-manager/domain/budget.js');
  failures = await import('../../lambdas/campaign-manager/domain/failures.js');
});

afterAll(async () => {
  await emulators?.stop();
});

const now = '2026-11-24T00:00:00.000Z';
async function campaign(id: string, limit: number) {
  await repos.campaigns.create(
    campaignRecord(id, { budget_limit_usd: limit, at: now, approver_email: 'cmo@brand.example' }),
  );
}
const entry = (campaignId: string, id: string, amount: number) => ({
  ledger_entry_id: id,
  campaign_id: campaignId,
  pillar: 'production' as const,
  cost_type: 'api_cost' as const,
  provider: 'test',
  model: 'veo3',
  units: 5,
  unit: 'seconds' as const,
  amount_usd: amount,
  list_price_usd: amount,
  description: 'render',
  created_at: now,
});

describe('the ledger', () => {
  it('records a replayed charge once', async () => {
    const id = '00000000-0000-4000-8000-0000000000a1';
    await campaign(id, 10);
    const first = await ledger.chargeLedger(entry(id, 'e1', 2));
    const again = await ledger.chargeLedger(entry(id, 'e1', 2));
    expect(first).toMatchObject({ duplicate: false, total_usd: 2 });
    expect(again).toMatchObject({ duplicate: true, total_usd: 2 });
    expect(await ledger.ledgerEntries(id)).toHaveLength(1);
  });

  it('never lets 50 concurrent charges pass the budget', async () => {
    const id = '00000000-0000-4000-8000-0000000000a2';
    await campaign(id, 5);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => ledger.chargeLedger(entry(id, `c${i}`, 0.5))),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter(
      (r) => r.status === 'rejected' && (r.reason as Error).name === 'BudgetExceededError',
    ).length;
    expect(ok).toBe(10);
    expect(refused).toBe(40);
    expect((await repos.campaigns.mustGet(id)).current_cost_usd).toBe(5);
    expect((await ledger.ledgerSummary(id)).total_usd).toBe(5);
  });

  it('raises each budget alert once, when it is crossed', async () => {
    const id = '00000000-0000-4000-8000-0000000000a3';
    await campaign(id, 10);
    const crossed = [];
    for (let i = 0; i < 10; i++) crossed.push((await ledger.chargeLedger(entry(id, `a${i}`, 1))).alerts);
    expect(crossed.flat()).toEqual([0.5, 0.75, 0.9]);
    expect(crossed[4]).toEqual([0.5]);
    const log = await repos.audit.list(id);
    expect(log.map((l) => l.action)).toEqual(['budget_alert_50', 'budget_alert_75', 'budget_alert_90']);
  });

  it('refuses a paid step the remaining budget cannot cover', async () => {
    const id = '00000000-0000-4000-8000-0000000000a4';
    await campaign(id, 1);
    await expect(ledger.assertBudgetAllows(id, 1.5)).rejects.toMatchObject({ name: 'BudgetExceededError' });
    await expect(ledger.assertBudgetAllows(id, 0.5)).resolves.toBeUndefined();
  });

  it('lets exactly 71 of 200 concurrent $0.07 charges through a $5 budget', async () => {
    const id = '00000000-0000-4000-8000-0000000000a5';
    await campaign(id, 5);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => ledger.chargeLedger(entry(id, `s${i}`, 0.07))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(71);
    expect((await repos.campaigns.mustGet(id)).current_cost_usd).toBe(4.97);
    expect(await ledger.budgetOf(id)).toEqual({
      spent_micros: 4_970_000,
      limit_micros: 5_000_000,
      remaining_micros: 30_000,
    });
  }, 60_000);

  it('adds 1,000 charges of $0.000001 to exactly $0.001000 and refuses the next one', async () => {
    const id = '00000000-0000-4000-8000-0000000000a6';
    await campaign(id, 0.001);
    // Sixteen at a time (two emulator requests per charge; each rewrites the growing item, so the
    // count stays where the suite stays fast — a thousand float additions would already drift).
    for (let i = 0; i < 1_000; i += 16) {
      await Promise.all(
        Array.from({ length: Math.min(16, 1_000 - i) }, (_, j) =>
          ledger.chargeLedger(entry(id, `t${i + j}`, 0.000001)),
        ),
      );
    }
    expect(await ledger.budgetOf(id)).toEqual({
      spent_micros: 1_000,
      limit_micros: 1_000,
      remaining_micros: 0,
    });
    expect((await repos.campaigns.mustGet(id)).current_cost_usd).toBe(0.001);
    const refused = ledger.chargeLedger(entry(id, 'one-more', 0.000001));
    await expect(refused).rejects.toMatchObject({ name: 'BudgetExceededError' });
    await expect(refused).rejects.toThrow(
      'budget of $0.001 exceeded at a paid step (render): $0.001 spent, this step needs $0.000001',
    );
    const summary = await ledger.ledgerSummary(id);
    expect(summary).toMatchObject({ total_usd: 0.001, entries: 1_000 });
  }, 300_000);

  it('never passes a budget with charges finer than its old six-decimal rounding', async () => {
    // $0.0000015 each against $0.00001: rounding the remaining budget to six decimals let the seventh
    // charge through (to $0.0000105). In micro-dollars each is 2 µ$, and the sixth is refused.
    const id = '00000000-0000-4000-8000-0000000000ab';
    await campaign(id, 0.00001);
    const results = [];
    for (let i = 0; i < 10; i++)
      results.push(await ledger.chargeLedger(entry(id, `f${i}`, 0.0000015)).catch((e: Error) => e.name));
    expect(results.filter((r) => r === 'BudgetExceededError')).toHaveLength(5);
    expect((await repos.campaigns.mustGet(id)).current_cost_usd).toBe(0.00001);
    expect((await ledger.ledgerSummary(id)).total_usd).toBe(0.00001);
  });

  it('names the budget, the amounts and the step when it refuses', async () => {
    const id = '00000000-0000-4000-8000-0000000000a7';
    await campaign(id, 5);
    await ledger.chargeLedger(entry(id, 'spent', 4.93));
    await expect(
      ledger.chargeLedger({
        ...entry(id, 'scene-3', 0.5),
        step: 'Production/SubmitRender',
        description: 'scene 3',
      }),
    ).rejects.toThrow(
      'budget of $5.00 exceeded at Production/SubmitRender (scene 3): $4.93 spent, this step needs $0.50',
    );
    expect(await ledger.ledgerEntries(id)).toHaveLength(1);
  });

  it('stores micro-dollars and shows dollars', async () => {
    const id = '00000000-0000-4000-8000-0000000000a8';
    await campaign(id, 0.3);
    for (let i = 0; i < 3; i++) await ledger.chargeLedger(entry(id, `d${i}`, 0.1));
    const table = await import('../../lambdas/shared/data/table.js');
    const meta = await table.getItem(`CAMPAIGN#${id}`, 'META');
    expect(meta).toMatchObject({
      budget_limit_micros: 300_000,
      current_cost_micros: 300_000,
      remaining_micros: 0,
    });
    expect(meta?.current_cost_usd).toBeUndefined();
    const row = await table.getItem(`CAMPAIGN#${id}`, 'LEDGER#d0');
    expect(row).toMatchObject({ amount_micros: 100_000, list_price_micros: 100_000 });
    // 0.1 + 0.1 + 0.1 is 0.30000000000000004 in floating point; the ledger says 0.3.
    expect((await repos.campaigns.mustGet(id)).current_cost_usd).toBe(0.3);
    expect((await ledger.ledgerSummary(id)).total_usd).toBe(0.3);
  });

  it('checks a charge against a budget raised meanwhile, and alerts again at the new levels', async () => {
    const id = '00000000-0000-4000-8000-0000000000a9';
    await campaign(id, 1);
    expect((await ledger.chargeLedger(entry(id, 'r0', 0.95))).alerts).toEqual([0.5, 0.75, 0.9]);
    await expect(ledger.chargeLedger(entry(id, 'r1', 0.1))).rejects.toMatchObject({
      name: 'BudgetExceededError',
    });
    expect(await ledger.setBudgetLimit(id, 1_000_000, 2_000_000, now)).toBe(true);
    expect(await ledger.setBudgetLimit(id, 1_000_000, 3_000_000, now)).toBe(false);
    // $1.55 of the new $2: the new budget's 50 % and 75 % levels alert.
    expect((await ledger.chargeLedger(entry(id, 'r1', 0.6))).alerts).toEqual([0.5, 0.75]);
    expect((await ledger.budgetAlerts(id)).map((a) => [a.limit_usd, a.level])).toEqual([
      [1, 0.5],
      [1, 0.75],
      [1, 0.9],
      [2, 0.5],
      [2, 0.75],
    ]);
  });

  it('reads a campaign stored in dollars before micro-dollars, and charges it exactly', async () => {
    const id = '00000000-0000-4000-8000-0000000000aa';
    const table = await import('../../lambdas/shared/data/table.js');
    await table.putItem({
      pk: `CAMPAIGN#${id}`,
      sk: 'META',
      campaign_id: id,
      campaign_name: 'old',
      brand_id: '00000000-0000-4000-8000-000000000001',
      status: 'in_production',
      request: {
        product_category: 'coffee',
        target_demographic: 'everyone',
        campaign_objective: 'awareness',
        budget_tier: 'standard',
        brand_id: '00000000-0000-4000-8000-000000000001',
      },
      budget_limit_usd: 2,
      current_cost_usd: 0.5,
      auto_approve: true,
      created_at: now,
      updated_at: now,
    });
    expect((await repos.campaigns.mustGet(id)).current_cost_usd).toBe(0.5);
    expect((await ledger.chargeLedger(entry(id, 'o1', 1.5))).total_usd).toBe(2);
    await expect(ledger.chargeLedger(entry(id, 'o2', 0.000001))).rejects.toMatchObject({
      name: 'BudgetExceededError',
    });
  });
});

/** The ports of the budget checkpoint, recording what they were asked (the store is the real table). */
function fakeDeps() {
  const calls = {
    success: [] as { token: string; output: unknown }[],
    failure: [] as { token: string; error: string; cause: string }[],
    mail: [] as { to: string[]; subject: string; text: string }[],
    events: [] as string[],
  };
  let gone = false;
  const deps: import('../../lambdas/campaign-manager/domain/budget.js').BudgetDeps = {
    store: repos.approvals,
    mailer: {
      send: async (m) => {
        calls.mail.push(m);
        return { message_id: `m${calls.mail.length}` };
      },
    },
    callbacks: {
      success: async (token, output) => {
        if (gone) throw Object.assign(new Error('gone'), { name: 'TaskDoesNotExist' });
        calls.success.push({ token, output });
      },
      failure: async (token, error, cause) => {
        if (gone) throw Object.assign(new Error('gone'), { name: 'TaskDoesNotExist' });
        calls.failure.push({ token, error, cause });
      },
      heartbeat: async () => undefined,
    },
    audit: (c, a, actor, d) => repos.audit.append(c, a, actor, d),
    events: {
      requested: async (a) => {
        calls.events.push(`requested ${a.checkpoint}`);
      },
      decided: async (a) => {
        calls.events.push(`decided ${a.status}`);
      },
    },
  };
  return { deps, calls, tokensGone: (v: boolean) => (gone = v) };
}

/** What the Catch of a paid step hands the checkpoint: the Lambda error of a refused charge. */
async function refusal(id: string, amount: number, description: string) {
  const error = await ledger
    .chargeLedger({ ...entry(id, description, amount), step: 'Production/SubmitRender', description })
    .catch((e: Error) => e);
  return {
    Error: 'BudgetExceededError',
    Cause: JSON.stringify({ errorType: (error as Error).name, errorMessage: (error as Error).message }),
  };
}

const visit = (id: string, token: string, error: { Error: string; Cause: string }, item = 'scene-1') => ({
  token,
  execution: `arn:aws:states:us-east-1:000000000000:execution:bie-Production:${id}`,
  state: 'RenderSceneBudgetPause',
  campaign_id: id,
  item,
  error,
});

describe('the budget checkpoint', () => {
  it('pauses the campaign with an approval naming the budget, the amounts and the step, once per visit', async () => {
    // Prepare
    const id = '00000000-0000-4000-8000-0000000000b1';
    await campaign(id, 1);
    await ledger.chargeLedger(entry(id, 'spent', 0.93));
    const error = await refusal(id, 0.25, 'scene 1');
    const { deps, calls } = fakeDeps();
    // Act
    const first = await budget.requestBudgetRaise(deps, visit(id, 'token-1', error));
    const replay = await budget.requestBudgetRaise(deps, visit(id, 'token-2', error));
    // Assess
    expect(first).toMatchObject({ status: 'pending' });
    expect(replay).toEqual(first);
    const [approval] = (await repos.approvals.list(id)).filter((a) => a.checkpoint === 'budget');
    expect(approval).toMatchObject({ status: 'pending', task_token: 'token-2', notified: 'mail' });
    expect(approval?.summary.split('\n')[0]).toBe(
      'Budget of $1.00 exceeded at Production/SubmitRender (scene 1): $0.93 spent, this step needs $0.25.',
    );
    expect((await repos.campaigns.mustGet(id)).status).toBe('paused');
    expect(calls.mail).toHaveLength(1);
    expect(calls.mail[0]?.to).toEqual(['cmo@brand.example']);
    expect(calls.events).toEqual(['requested budget']);
    expect(calls.success).toEqual([]);
  });

  it('resumes every paused step when the budget is raised, recording who raised it and the new limit', async () => {
    const id = '00000000-0000-4000-8000-0000000000b2';
    await campaign(id, 1);
    await ledger.chargeLedger(entry(id, 'spent', 0.93));
    const { deps, calls } = fakeDeps();
    const one = await budget.requestBudgetRaise(
      deps,
      visit(id, 'token-a', await refusal(id, 0.25, 'scene 1'), 'a'),
    );
    const two = await budget.requestBudgetRaise(
      deps,
      visit(id, 'token-b', await refusal(id, 0.25, 'scene 2'), 'b'),
    );
    await expect(
      budget.raiseBudget(deps, { campaign_id: id, budget_limit_usd: 1, decided_by: 'finance' }),
    ).rejects.toMatchObject({ name: 'ValidationError', issues: [{ path: 'budget_limit_usd' }] });
    // Act
    const raised = await budget.raiseBudget(deps, {
      campaign_id: id,
      budget_limit_usd: 2,
      decided_by: 'finance',
    });
    // Assess
    expect(raised).toMatchObject({
      previous_budget_limit_usd: 1,
      budget_limit_usd: 2,
      current_cost_usd: 0.93,
    });
    expect(raised.resumed.sort()).toEqual(
      [one, two].map((o) => (o as { approval_id: string }).approval_id).sort(),
    );
    expect(calls.success.map((c) => c.token).sort()).toEqual(['token-a', 'token-b']);
    const decided = (await repos.approvals.list(id)).filter((a) => a.checkpoint === 'budget');
    expect(decided.map((a) => [a.status, a.decided_by, a.feedback])).toEqual([
      ['approved', 'finance', 'budget raised from $1.00 to $2.00 by finance'],
      ['approved', 'finance', 'budget raised from $1.00 to $2.00 by finance'],
    ]);
    expect(await repos.campaigns.mustGet(id)).toMatchObject({ status: 'in_production', budget_limit_usd: 2 });
    expect((await ledger.chargeLedger(entry(id, 'scene 1', 0.25))).total_usd).toBe(1.18);
  });

  it('lets a step replayed after a raise (its token lost meanwhile) run at once', async () => {
    const id = '00000000-0000-4000-8000-0000000000b3';
    await campaign(id, 1);
    await ledger.chargeLedger(entry(id, 'spent', 0.93));
    const error = await refusal(id, 0.25, 'scene 1');
    const { deps, calls, tokensGone } = fakeDeps();
    await budget.requestBudgetRaise(deps, visit(id, 'token-1', error));
    tokensGone(true);
    expect(
      (await budget.raiseBudget(deps, { campaign_id: id, budget_limit_usd: 5, decided_by: 'ops' })).resumed,
    ).toEqual([]);
    tokensGone(false);
    // The runtime restarted: the checkpoint runs again with the same error.
    expect(await budget.requestBudgetRaise(deps, visit(id, 'token-2', error))).toEqual({ status: 'covered' });
    expect(calls.success.map((c) => c.token)).toEqual(['token-2']);
  });

  it('asks again when a decision did not raise the budget, instead of resuming into the same refusal', async () => {
    const id = '00000000-0000-4000-8000-0000000000b4';
    await campaign(id, 1);
    await ledger.chargeLedger(entry(id, 'spent', 0.93));
    const error = await refusal(id, 0.25, 'scene 1');
    const { deps } = fakeDeps();
    const first = (await budget.requestBudgetRaise(deps, visit(id, 't1', error))) as { approval_id: string };
    const approval = await repos.approvals.get(first.approval_id);
    // Approved on the generic approvals route: no raise, so the step fails again at the same limit.
    await repos.approvals.decide(approval as never, {
      status: 'approved',
      decided_by: 'someone',
      decided_at: now,
    });
    const second = (await budget.requestBudgetRaise(deps, visit(id, 't2', error))) as { approval_id: string };
    expect(second.approval_id).not.toBe(first.approval_id);
    expect((await repos.approvals.get(second.approval_id))?.status).toBe('pending');
  });

  it('cancels a paused campaign: the step fails with CampaignCancelled and the campaign ends cancelled', async () => {
    const id = '00000000-0000-4000-8000-0000000000b5';
    await campaign(id, 1);
    const { deps, calls } = fakeDeps();
    await expect(budget.cancelCampaign(deps, { campaign_id: id, decided_by: 'ops' })).rejects.toMatchObject({
      name: 'ConflictError',
    });
    await ledger.chargeLedger(entry(id, 'spent', 0.93));
    const error = await refusal(id, 0.25, 'scene 1');
    await budget.requestBudgetRaise(deps, visit(id, 't1', error));
    // Act
    await budget.cancelCampaign(deps, { campaign_id: id, decided_by: 'ops', reason: 'too dear' });
    const failure = await failures.recordFailure(
      id,
      'production',
      { Error: 'CampaignCancelled', Cause: 'cancelled by ops: too dear' },
      'exec',
    );
    const outer = await failures.recordFailure(
      id,
      'campaign_manager',
      {
        Error: 'VariantFailed',
        Cause: 'a variant failed or ran out of revisions; see the campaign audit log',
      },
      'exec',
    );
    // Assess
    expect(calls.failure).toEqual([
      { token: 't1', error: 'CampaignCancelled', cause: 'cancelled by ops: too dear' },
    ]);
    expect(failure).toEqual({ error: 'CampaignCancelled', cause: 'cancelled by ops: too dear' });
    expect(outer).toEqual(failure);
    expect(await repos.campaigns.mustGet(id)).toMatchObject({
      status: 'cancelled',
      failure: { error: 'CampaignCancelled', cause: 'cancelled by ops: too dear' },
    });
    // A replayed checkpoint of a cancelled campaign fails at once.
    expect(await budget.requestBudgetRaise(deps, visit(id, 't9', error, 'other'))).toEqual({
      status: 'cancelled',
    });
    await expect(
      budget.raiseBudget(deps, { campaign_id: id, budget_limit_usd: 9, decided_by: 'ops' }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
    });
  });

  it('fails a campaign whose checkpoint timed out, naming the budget and the step it waited for', async () => {
    const id = '00000000-0000-4000-8000-0000000000b6';
    await campaign(id, 1);
    await ledger.chargeLedger(entry(id, 'spent', 0.93));
    const { deps } = fakeDeps();
    await budget.requestBudgetRaise(deps, visit(id, 't1', await refusal(id, 0.25, 'scene 1')));
    // Act
    const failure = await failures.recordFailure(
      id,
      'production',
      { Error: 'States.Timeout', Cause: '' },
      'exec',
    );
    // Assess
    expect(failure.error).toBe('BudgetRaiseTimedOut');
    expect(failure.cause).toMatch(
      /^Budget of \$1\.00 exceeded at Production\/SubmitRender \(scene 1\): \$0\.93 spent, this step needs \$0\.25; nobody raised the budget/,
    );
    expect((await repos.approvals.list(id)).map((a) => a.status)).toEqual(['expired']);
    expect((await repos.campaigns.mustGet(id)).failure).toEqual(failure);
  });
});
