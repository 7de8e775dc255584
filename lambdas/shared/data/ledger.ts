import { BUDGET_ALERT_LEVELS, CostEntry, type Pillar } from '../contracts/index.js';
import { BudgetExceededError } from '../errors.js';
import { audit, campaigns } from './repositories.js';
import {
  body,
  doc,
  getItem,
  isConditionalFailure,
  putItem,
  queryPartition,
  tableName,
  UpdateCommand,
} from './table.js';

export interface ChargeResult {
  duplicate: boolean;
  total_usd: number;
  alerts: number[];
}

const C = (id: string) => `CAMPAIGN#${id}`;
const round = (n: number) => Math.round(n * 1e6) / 1e6;

/**
 * Records a charge exactly once and never lets the campaign pass its budget, without transactions:
 * one conditional update adds the amount and the entry id to the campaign together, and fails when the
 * entry was already charged or the budget would be exceeded. The ledger row is written after, idempotently,
 * so a crash between the two is repaired by the replay (the update then reports a duplicate).
 */
export async function chargeLedger(input: CostEntry): Promise<ChargeResult> {
  const entry = CostEntry.parse(input);
  const campaign = await campaigns.mustGet(entry.campaign_id);
  const limit = campaign.budget_limit_usd;
  let total: number;
  let duplicate = false;
  try {
    const res = await doc.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: C(entry.campaign_id), sk: 'META' },
        UpdateExpression: 'ADD current_cost_usd :amt, charged_entries :ids',
        ConditionExpression: 'NOT contains(charged_entries, :id) AND current_cost_usd <= :maxBefore',
        ExpressionAttributeValues: {
          ':amt': entry.amount_usd,
          ':ids': new Set([entry.ledger_entry_id]),
          ':id': entry.ledger_entry_id,
          ':maxBefore': round(limit - entry.amount_usd),
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    total = Number(res.Attributes?.current_cost_usd ?? 0);
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
    const item = await getItem(C(entry.campaign_id), 'META');
    const charged = (item?.charged_entries as Set<string> | undefined) ?? new Set<string>();
    total = Number(item?.current_cost_usd ?? 0);
    if (!charged.has(entry.ledger_entry_id))
      throw new BudgetExceededError(entry.campaign_id, limit, total + entry.amount_usd);
    duplicate = true;
  }
  await putItem(
    { pk: C(entry.campaign_id), sk: `LEDGER#${entry.ledger_entry_id}`, ...entry },
    { ifAbsent: true },
  );
  const alerts: number[] = [];
  if (!duplicate && limit > 0) {
    const before = total - entry.amount_usd;
    for (const level of BUDGET_ALERT_LEVELS) {
      if (before / limit < level && total / limit >= level) {
        const first = await putItem(
          { pk: C(entry.campaign_id), sk: `ALERT#${level * 100}`, level, at: entry.created_at },
          { ifAbsent: true },
        );
        if (first) {
          alerts.push(level);
          await audit.append(entry.campaign_id, `budget_alert_${level * 100}`, 'ledger', {
            new_state: { total_usd: total, limit_usd: limit },
          });
        }
      }
    }
  }
  return { duplicate, total_usd: round(total), alerts };
}

/** Fails before a paid step that the remaining budget cannot cover. */
export async function assertBudgetAllows(campaignId: string, estimatedUsd: number): Promise<void> {
  const c = await campaigns.mustGet(campaignId);
  if (c.current_cost_usd + estimatedUsd > c.budget_limit_usd) {
    throw new BudgetExceededError(campaignId, c.budget_limit_usd, c.current_cost_usd + estimatedUsd);
  }
}

/** The budget alert levels (0.5, 0.75, 0.9) a campaign has crossed, with when. */
export async function budgetAlerts(campaignId: string): Promise<{ level: number; at: string }[]> {
  return (await queryPartition(C(campaignId), 'ALERT#')).map((i) => ({
    level: Number(i.level),
    at: String(i.at),
  }));
}

export async function ledgerEntries(campaignId: string): Promise<CostEntry[]> {
  return (await queryPartition(C(campaignId), 'LEDGER#')).map((i) => CostEntry.parse(body(i)));
}

export interface LedgerSummary {
  by_pillar: Record<Pillar, { amount_usd: number; list_price_usd: number; entries: number }>;
  total_usd: number;
  total_list_price_usd: number;
  entries: number;
}

export async function ledgerSummary(campaignId: string): Promise<LedgerSummary> {
  const entries = await ledgerEntries(campaignId);
  const pillars: Pillar[] = ['strategist', 'copywriter', 'production', 'campaign_manager', 'broadcaster'];
  const by_pillar = Object.fromEntries(
    pillars.map((p) => [p, { amount_usd: 0, list_price_usd: 0, entries: 0 }]),
  ) as LedgerSummary['by_pillar'];
  for (const e of entries) {
    const p = by_pillar[e.pillar];
    p.amount_usd = round(p.amount_usd + e.amount_usd);
    p.list_price_usd = round(p.list_price_usd + e.list_price_usd);
    p.entries++;
  }
  return {
    by_pillar,
    total_usd: round(entries.reduce((t, e) => t + e.amount_usd, 0)),
    total_list_price_usd: round(entries.reduce((t, e) => t + e.list_price_usd, 0)),
    entries: entries.length,
  };
}

/**
 * Runs `fn` once per key: a second call (a Lambda retry, a crash replay) returns the stored result.
 * For work that must not be paid twice — model calls, renders, publishing.
 */
export async function idempotent<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const existing = await getItem(`IDEMP#${key}`, 'IDEMP');
  if (existing) return existing.result as T;
  const result = await fn();
  const stored = await putItem(
    {
      pk: `IDEMP#${key}`,
      sk: 'IDEMP',
      result: JSON.parse(JSON.stringify(result ?? null)),
      at: new Date().toISOString(),
    },
    { ifAbsent: true },
  );
  if (!stored) return (await getItem(`IDEMP#${key}`, 'IDEMP'))?.result as T;
  return result;
}
