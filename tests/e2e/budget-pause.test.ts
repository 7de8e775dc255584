import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '../../local/embedded.js';

// Budget rehearsals on the embedded runtime: the offline stand-ins charge the list prices of the models
// they stand in for, so a budget that is too small pauses the campaign as it would live.
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-e2e-budget-'));
Object.assign(process.env, {
  BIE_MASTER_WIDTH: '180',
  BIE_MASTER_HEIGHT: '320',
  BIE_RENDITION_SCALE: '0.25',
  BIE_X264_PRESET: 'ultrafast',
});
const ROOT = path.resolve(import.meta.dirname, '../..');
const brandText = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');

let app: Embedded;
let cli: typeof import('../../cli/run.js');
let view: typeof import('../../lambdas/campaign-manager/domain/campaign-view.js').campaignView;

beforeAll(async () => {
  const { startEmbedded } = await import('../../local/embedded.js');
  app = await startEmbedded({ dataDir, retryIntervalMs: 0 });
  cli = await import('../../cli/run.js');
  view = (await import('../../lambdas/campaign-manager/domain/campaign-view.js')).campaignView;
  await cli.api(app.runtime.info.apiUrl, 'POST', '/brands', brandText, 'text/markdown');
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

type Pending = {
  approval_id: string;
  checkpoint: string;
  campaign_id: string;
  summary: string;
  subject_id: string;
};

/**
 * A rehearsed, auto-approved standard campaign (the content checkpoints decide themselves; budgets never
 * do). At list price its text steps cost about $0.04 and each of its 3–5 s scenes $0.60 or $0.90 (Veo 3.1
 * fast with audio, $0.15/s, rendered 4 or 6 s): about $2.50–3.70 for 15 s.
 */
async function startRehearsal(budget: number) {
  return cli.api<{ campaign_id: string; execution_arn: string }>(
    app.runtime.info.apiUrl,
    'POST',
    '/campaigns',
    {
      campaign_request: {
        ...cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
        budget_tier: 'standard',
        target_duration_seconds: 15,
        budget_limit_usd: budget,
        rehearse: true,
      },
      auto_approve: true,
    },
  );
}

/** The budget checkpoints a campaign waits at, once at least one is there (and the others have settled). */
async function budgetPauses(campaignId: string): Promise<Pending[]> {
  let found: Pending[] = [];
  for (let i = 0; i < 1200; i++) {
    const { approvals } = await cli.api<{ approvals: Pending[] }>(
      app.runtime.info.apiUrl,
      'GET',
      '/operator/approvals',
    );
    const now = approvals.filter((a) => a.campaign_id === campaignId && a.checkpoint === 'budget');
    if (now.length > 0 && now.length === found.length) return now;
    found = now;
    await new Promise((r) => setTimeout(r, now.length > 0 ? 500 : 100));
  }
  throw new Error(`campaign ${campaignId} never paused at a budget checkpoint`);
}

const mails = () =>
  readdirSync(app.emulators.mailboxDir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => readFileSync(path.join(app.emulators.mailboxDir, f), 'utf8'));

/** Lifecycle events of a campaign, once per event id (a catch-up may deliver an event again). */
const eventsOf = (campaignId: string, type: string) => {
  const byId = new Map<string, Record<string, unknown>>();
  for (const e of app.emulators.events.events()) {
    const d = e.detail as Record<string, unknown>;
    if (e['detail-type'] === type && d.campaign_id === campaignId && !byId.has(String(d.event_id)))
      byId.set(String(d.event_id), d);
  }
  return [...byId.values()];
};

/** The alert levels a spend has reached of a limit (both in dollars; exact in micro-dollars). */
const levelsReached = (spentUsd: number, limitUsd: number) =>
  [50, 75, 90].filter((l) => Math.round(spentUsd * 1e6) * 100 >= l * Math.round(limitUsd * 1e6));

const PAUSED_RENDER =
  /^Budget of \$1\.00 exceeded at Production\/SubmitRender \(scene[^)]*\): \$0\.\d+ spent, this step needs \$0\.\d+\./;

describe('a rehearsed campaign whose budget is too small', () => {
  let campaign: { campaign_id: string; execution_arn: string };
  let pauses: Pending[];

  beforeAll(async () => {
    // $1: the text steps and a scene or two fit; the rest of the scenes do not.
    campaign = await startRehearsal(1);
    pauses = await budgetPauses(campaign.campaign_id);
  }, 240_000);

  it('pauses at a budget checkpoint that names the budget, the amount spent, what the step needs and the step', async () => {
    expect(pauses.length).toBeGreaterThan(0);
    for (const p of pauses) {
      expect(p.summary).toMatch(PAUSED_RENDER);
      expect(p.summary).toContain(`POST /operator/campaigns/${campaign.campaign_id}/budget`);
    }
    const v = await view(campaign.campaign_id);
    expect(v.campaign.status).toBe('paused');
    expect(app.runtime.runner.describeExecution(campaign.execution_arn).status).toBe('RUNNING');
    expect(v.ledger.total_usd).toBeLessThanOrEqual(1);
    expect(mails().some((m) => m.includes('Budget reached') && m.includes(campaign.campaign_id))).toBe(true);
  });

  it('has charged list prices as rehearsal rows, and alerted from the steps that crossed 50 %', async () => {
    const v = await view(campaign.campaign_id);
    expect(v.ledger.entries.length).toBeGreaterThan(0);
    expect(v.ledger.entries.every((e) => e.rehearsal === true && e.amount_usd === e.list_price_usd)).toBe(
      true,
    );
    const alerts = eventsOf(campaign.campaign_id, 'Budget Threshold Crossed');
    // A scene render needs at most $0.90 and did not fit: more than half of the $1 is spent.
    expect(alerts.map((a) => a.threshold_percent)).toEqual(levelsReached(v.ledger.total_usd, 1));
    expect(alerts.map((a) => a.threshold_percent)).toContain(50);
    for (const a of alerts) {
      expect(a.limit_usd).toBe(1);
      expect(String(a.step)).toMatch(/^(Production|Copywriter|Strategist)\//);
    }
    expect(mails().some((m) => m.includes('Budget alert: 50% of $1.00'))).toBe(true);
  });

  it('refuses a raise that is not above the budget, naming the field', async () => {
    await expect(
      cli.api(app.runtime.info.apiUrl, 'POST', `/operator/campaigns/${campaign.campaign_id}/budget`, {
        budget_limit_usd: 1,
      }),
    ).rejects.toMatchObject({ issues: [{ path: 'budget_limit_usd' }] });
  });

  it('resumes the paused steps when an operator raises the budget, and publishes', async () => {
    // Act
    const raised = await cli.api<{
      resumed: string[];
      budget_limit_usd: number;
      previous_budget_limit_usd: number;
    }>(app.runtime.info.apiUrl, 'POST', `/operator/campaigns/${campaign.campaign_id}/budget`, {
      budget_limit_usd: 4,
      decided_by: 'finance',
    });
    const done = await app.runtime.runner.waitForExecution(campaign.execution_arn);
    // Assess
    expect(raised).toMatchObject({ previous_budget_limit_usd: 1, budget_limit_usd: 4 });
    expect(raised.resumed).toEqual(expect.arrayContaining(pauses.map((p) => p.approval_id)));
    expect(done.status).toBe('SUCCEEDED');
    const v = await view(campaign.campaign_id);
    expect(v.campaign).toMatchObject({ status: 'published', budget_limit_usd: 4 });
    const decided = v.approvals.filter((a) => a.checkpoint === 'budget');
    expect(decided.length).toBeGreaterThanOrEqual(pauses.length);
    for (const a of decided) {
      expect(a).toMatchObject({ status: 'approved', decided_by: 'finance' });
      expect(a.feedback).toBe('budget raised from $1.00 to $4.00 by finance');
    }
    expect(v.audit.map((a) => a.action)).toContain('budget_raised');
  }, 300_000);

  it('has exactly one ledger row per charged step, the paused renders included', async () => {
    const v = await view(campaign.campaign_id);
    const keys = v.ledger.entries.map((e) => `${e.step} ${e.description}`);
    expect(new Set(keys).size).toBe(keys.length);
    const script = v.scripts.at(-1);
    const renders = v.ledger.entries.filter((e) => e.step === 'Production/SubmitRender');
    expect(renders).toHaveLength(script?.scenes.length ?? -1);
    expect(renders.every((e) => e.rehearsal && e.amount_usd > 0)).toBe(true);
    expect(v.ledger.entries.filter((e) => e.step === 'Broadcaster/PublishPost')).toHaveLength(4);
    expect(v.campaign.current_cost_usd).toBe(v.ledger.total_usd);
    expect(v.ledger.total_usd).toBeGreaterThan(1);
    expect(v.ledger.total_usd).toBeLessThanOrEqual(4);
    expect(v.ledger.rehearsal_usd).toBe(v.ledger.total_usd);
  });

  it('alerts again at the levels of the raised budget that the resumed renders reach', async () => {
    const v = await view(campaign.campaign_id);
    const alerts = eventsOf(campaign.campaign_id, 'Budget Threshold Crossed').filter(
      (a) => a.limit_usd === 4,
    );
    expect(alerts.map((a) => a.threshold_percent)).toEqual(levelsReached(v.ledger.total_usd, 4));
  });
});

describe('a rehearsed campaign paused for its budget and cancelled', () => {
  it('ends cancelled, naming who cancelled it', async () => {
    // Prepare
    const campaign = await startRehearsal(1);
    const paused = await budgetPauses(campaign.campaign_id);
    for (const p of paused) expect(p.summary).toMatch(PAUSED_RENDER);
    // Act
    const cancelled = await cli.api<{ status: string; cancelled: string[] }>(
      app.runtime.info.apiUrl,
      'POST',
      `/operator/campaigns/${campaign.campaign_id}/cancel`,
      { decided_by: 'finance', reason: 'not this quarter' },
    );
    const done = await app.runtime.runner.waitForExecution(campaign.execution_arn);
    // Assess
    expect(cancelled).toMatchObject({ campaign_id: campaign.campaign_id, status: 'cancelled' });
    expect(cancelled.cancelled).toEqual(expect.arrayContaining(paused.map((p) => p.approval_id)));
    expect(done).toMatchObject({ status: 'FAILED', error: 'CampaignCancelled' });
    const v = await view(campaign.campaign_id);
    expect(v.campaign.status).toBe('cancelled');
    expect(v.campaign.failure).toEqual({
      error: 'CampaignCancelled',
      cause: 'cancelled by finance: not this quarter',
    });
    expect(v.ledger.total_usd).toBeLessThanOrEqual(1);
    expect(v.approvals.filter((a) => a.checkpoint === 'budget').every((a) => a.status === 'rejected')).toBe(
      true,
    );
    await expect(
      cli.api(app.runtime.info.apiUrl, 'POST', `/operator/campaigns/${campaign.campaign_id}/cancel`, {}),
    ).rejects.toThrow(/409/);
  }, 240_000);
});
