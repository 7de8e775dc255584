import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulators } from '../../local/engine/emulators.js';

let emulators: Emulators;
let ledger: typeof import('../../lambdas/shared/data/ledger.js');
let repos: typeof import('../../lambdas/shared/data/repositories.js');

beforeAll(async () => {
  const { startEmulators } = await import('../../local/engine/emulators.js');
  emulators = await startEmulators(mkdtempSync(path.join(tmpdir(), 'bie-ledger-')), ['bie-media']);
  Object.assign(process.env, emulators.env, { TABLE_NAME: 'ledger-test' });
  const table = await import('../../lambdas/shared/data/table.js');
  await table.ensureTable();
  ledger = await import('../../lambdas/shared/data/ledger.js');
  repos = await import('../../lambdas/shared/data/repositories.js');
});

afterAll(async () => {
  await emulators?.stop();
});

const now = '2026-11-24T00:00:00.000Z';
async function campaign(id: string, budget: number) {
  await repos.campaigns.create({
    campaign_id: id,
    campaign_name: 'c',
    brand_id: '00000000-0000-4000-8000-000000000001',
    status: 'in_production',
    request: {
      product_category: 'coffee',
      target_demographic: 'everyone',
      campaign_objective: 'awareness',
      budget_tier: 'standard',
      brand_id: '00000000-0000-4000-8000-000000000001',
    },
    budget_limit_usd: budget,
    current_cost_usd: 0,
    auto_approve: true,
    created_at: now,
    updated_at: now,
  });
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
});
