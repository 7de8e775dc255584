import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { BUDGET_ALERT_LEVELS, CostEntry, type Pillar } from '../contracts/index.js';
import { BudgetExceededError, NotFoundError } from '../errors.js';
import { toMicros, toUsd } from '../money.js';
import { currentStep } from '../step-context.js';
import { audit } from './repositories.js';
import {
  body,
  doc,
  getItem,
  type Item,
  isConditionalFailure,
  putItem,
  queryPartition,
  tableName,
  UpdateCommand,
} from './table.js';

/**
 * The ledger and the budget, in integer micro-dollars (lambdas/shared/money.ts). The campaign's META
 * item holds `budget_limit_micros`, `current_cost_micros` and the set of charged entry ids; each charge
 * is also a `LEDGER#` row, and each budget alert level crossed an `ALERT#` item.
 */

export interface ChargeResult {
  duplicate: boolean;
  total_usd: number;
  total_micros: number;
  /** Alert levels (0.5, 0.75, 0.9) this charge crossed, each reported once per budget limit. */
  alerts: number[];
}

const C = (id: string) => `CAMPAIGN#${id}`;

export interface BudgetState {
  limit_micros: number;
  spent_micros: number;
  /** Always `limit_micros - spent_micros`: stored, so one conditional update can check and charge. */
  remaining_micros: number;
}

/**
 * Reads the budget and, only when asked, the set of charged entries (the META item's one growing
 * attribute, left out of the other reads).
 */
async function readBudget(campaignId: string, entryId?: string): Promise<BudgetState & { charged: boolean }> {
  const names: Record<string, string> = {
    '#l': 'budget_limit_micros',
    '#c': 'current_cost_micros',
    '#r': 'remaining_micros',
    '#lu': 'budget_limit_usd',
    '#cu': 'current_cost_usd',
    '#pk': 'pk',
    ...(entryId ? { '#e': 'charged_entries' } : {}),
  };
  const res = await doc.send(
    new GetCommand({
      TableName: tableName(),
      Key: { pk: C(campaignId), sk: 'META' },
      ConsistentRead: true,
      ProjectionExpression: Object.keys(names).join(', '),
      ExpressionAttributeNames: names,
    }),
  );
  const item = res.Item;
  if (!item) throw new NotFoundError('campaign', campaignId);
  if (typeof item.remaining_micros !== 'number') {
    await migrateToMicros(campaignId, item);
    return readBudget(campaignId, entryId);
  }
  const charged = item.charged_entries as Set<string> | undefined;
  return {
    limit_micros: Number(item.budget_limit_micros),
    spent_micros: Number(item.current_cost_micros),
    remaining_micros: Number(item.remaining_micros),
    charged: entryId ? Boolean(charged?.has(entryId)) : false,
  };
}

/** The budget of a campaign as stored, in micro-dollars (campaigns stored in dollars are converted once). */
export async function budgetOf(campaignId: string): Promise<BudgetState> {
  const { charged: _c, ...budget } = await readBudget(campaignId);
  return budget;
}

/** Campaigns stored before micro-dollars (dollar attributes only) get their micro-dollar attributes once. */
async function migrateToMicros(campaignId: string, item: Record<string, unknown>): Promise<void> {
  const limit =
    typeof item.budget_limit_micros === 'number'
      ? item.budget_limit_micros
      : toMicros(Number(item.budget_limit_usd ?? 0));
  const spent =
    typeof item.current_cost_micros === 'number'
      ? item.current_cost_micros
      : toMicros(Number(item.current_cost_usd ?? 0));
  try {
    await doc.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: C(campaignId), sk: 'META' },
        UpdateExpression: 'SET budget_limit_micros = :l, current_cost_micros = :c, remaining_micros = :r',
        ConditionExpression: 'attribute_not_exists(remaining_micros)',
        ExpressionAttributeValues: { ':l': limit, ':c': spent, ':r': limit - spent },
      }),
    );
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
}

/** `Production/SubmitRender (scene render 3)`: the step running now and what it pays for. */
const stepOf = (step: string | undefined, detail?: string): string =>
  `${step ?? currentStep() ?? 'a paid step'}${detail ? ` (${detail})` : ''}`;

/**
 * Records a charge exactly once and never lets the campaign pass its budget, without transactions:
 * one conditional update adds the amount to the spend, takes it from the remaining budget and adds the
 * entry id to the charged set, all together; it fails when the entry was already charged or the
 * remaining budget is smaller than the amount (integer micro-dollars: exact, and a raise moves the
 * limit and the remaining budget together, so no charge races it). The ledger row is written after,
 * idempotently, so a crash between the two is repaired by the replay (the update then reports a
 * duplicate). A refusal throws BudgetExceededError naming the budget, the amounts and the step; the
 * state machine pauses there until the budget is raised.
 */
export async function chargeLedger(input: CostEntry): Promise<ChargeResult> {
  const entry = CostEntry.parse({ ...input, step: input.step ?? currentStep() });
  const amount = toMicros(entry.amount_usd);
  let after: BudgetState;
  let duplicate = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await doc.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: { pk: C(entry.campaign_id), sk: 'META' },
          UpdateExpression: 'ADD current_cost_micros :amt, remaining_micros :neg, charged_entries :ids',
          ConditionExpression: 'remaining_micros >= :amt AND NOT contains(charged_entries, :id)',
          ExpressionAttributeValues: {
            ':amt': amount,
            ':neg': -amount,
            ':ids': new Set([entry.ledger_entry_id]),
            ':id': entry.ledger_entry_id,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const spent = Number(res.Attributes?.current_cost_micros);
      const remaining = Number(res.Attributes?.remaining_micros);
      after = { spent_micros: spent, remaining_micros: remaining, limit_micros: spent + remaining };
      break;
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
      // Refused, a duplicate, or a campaign stored before micro-dollars (readBudget converts it).
      const now = await readBudget(entry.campaign_id, entry.ledger_entry_id);
      if (now.charged) {
        duplicate = true;
        after = now;
        break;
      }
      if (now.remaining_micros >= amount && attempt === 0) continue;
      throw new BudgetExceededError(entry.campaign_id, {
        limitMicros: now.limit_micros,
        spentMicros: now.spent_micros,
        needMicros: amount,
        step: stepOf(entry.step, entry.description),
      });
    }
  }
  const { amount_usd: _a, list_price_usd, ...row } = entry;
  await putItem(
    {
      pk: C(entry.campaign_id),
      sk: `LEDGER#${entry.ledger_entry_id}`,
      ...row,
      amount_micros: amount,
      list_price_micros: toMicros(list_price_usd),
    },
    { ifAbsent: true },
  );
  const total = after.spent_micros;
  const alerts = duplicate ? [] : await recordAlerts(entry, total - amount, total, after.limit_micros);
  return { duplicate, total_usd: toUsd(total), total_micros: total, alerts };
}

/** Alert levels crossed from `before` to `after` (exact: integers, no division). */
export function crossedLevels(beforeMicros: number, afterMicros: number, limitMicros: number): number[] {
  if (limitMicros <= 0) return [];
  return BUDGET_ALERT_LEVELS.filter((level) => {
    const percent = Math.round(level * 100);
    return beforeMicros * 100 < percent * limitMicros && afterMicros * 100 >= percent * limitMicros;
  });
}

/**
 * Records the alert levels this charge crossed (the update returned the spend before and after it,
 * atomically), one item per level and budget limit, written if absent.
 */
async function recordAlerts(
  entry: CostEntry,
  before: number,
  after: number,
  limit: number,
): Promise<number[]> {
  const alerts: number[] = [];
  for (const level of crossedLevels(before, after, limit)) {
    const percent = Math.round(level * 100);
    // One per level and budget limit: after a raise, the new budget's levels alert again.
    const first = await putItem(
      {
        pk: C(entry.campaign_id),
        sk: `ALERT#${limit}#${percent}`,
        level,
        at: entry.created_at,
        used_micros: after,
        limit_micros: limit,
        step: stepOf(entry.step, entry.description),
      },
      { ifAbsent: true },
    );
    if (first) {
      alerts.push(level);
      await audit.append(entry.campaign_id, `budget_alert_${percent}`, 'ledger', {
        new_state: { total_usd: toUsd(after), limit_usd: toUsd(limit), step: entry.step },
      });
    }
  }
  return alerts;
}

/** Fails before a paid step that the remaining budget cannot cover. */
export async function assertBudgetAllows(
  campaignId: string,
  estimatedUsd: number,
  detail?: string,
): Promise<void> {
  const b = await budgetOf(campaignId);
  const need = toMicros(estimatedUsd);
  if (b.spent_micros + need > b.limit_micros) {
    throw new BudgetExceededError(campaignId, {
      limitMicros: b.limit_micros,
      spentMicros: b.spent_micros,
      needMicros: need,
      step: stepOf(undefined, detail),
    });
  }
}

/**
 * Sets a new budget limit if the limit is still `fromMicros` (an operator's raise; a concurrent raise
 * makes this one a conflict rather than silently overwriting it). The remaining budget moves with it.
 * Returns whether it was set.
 */
export async function setBudgetLimit(
  campaignId: string,
  fromMicros: number,
  toLimitMicros: number,
  at: string,
): Promise<boolean> {
  await readBudget(campaignId); // converts a campaign stored before micro-dollars
  try {
    await doc.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: C(campaignId), sk: 'META' },
        UpdateExpression: 'SET budget_limit_micros = :to, updated_at = :at ADD remaining_micros :delta',
        ConditionExpression: 'budget_limit_micros = :from',
        ExpressionAttributeValues: {
          ':to': toLimitMicros,
          ':from': fromMicros,
          ':delta': toLimitMicros - fromMicros,
          ':at': at,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

export interface BudgetAlert {
  /** The item's sort key: names the alert for `claimAlertAnnouncement` and its event id. */
  alert_id: string;
  level: number;
  at: string;
  used_usd: number;
  limit_usd: number;
  step?: string;
  announced_at?: string;
}

/** The budget alert levels (0.5, 0.75, 0.9) a campaign has crossed, with when, at what spend and limit. */
export async function budgetAlerts(campaignId: string): Promise<BudgetAlert[]> {
  return (await queryPartition(C(campaignId), 'ALERT#')).map((i) => ({
    alert_id: i.sk,
    level: Number(i.level),
    at: String(i.at),
    used_usd: toUsd(Number(i.used_micros ?? 0)),
    limit_usd: toUsd(Number(i.limit_micros ?? 0)),
    ...(i.step ? { step: String(i.step) } : {}),
    ...(i.announced_at ? { announced_at: String(i.announced_at) } : {}),
  }));
}

/**
 * Claims the announcement of an alert (event and mail): true for exactly one caller, so steps that
 * cross levels at the same time do not mail twice.
 */
export async function claimAlertAnnouncement(
  campaignId: string,
  alertId: string,
  at: string,
): Promise<boolean> {
  try {
    await doc.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: C(campaignId), sk: alertId },
        UpdateExpression: 'SET announced_at = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(announced_at)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

/** A stored ledger row in dollars (rows written before micro-dollars carry dollars already). */
function entryFromItem(i: Item): CostEntry {
  const b = body<Record<string, unknown>>(i);
  const usd = (micros: unknown, dollars: unknown) => (typeof micros === 'number' ? toUsd(micros) : dollars);
  const { amount_micros, list_price_micros, ...rest } = b;
  return CostEntry.parse({
    ...rest,
    amount_usd: usd(amount_micros, b.amount_usd),
    list_price_usd: usd(list_price_micros, b.list_price_usd),
  });
}

export async function ledgerEntries(campaignId: string): Promise<CostEntry[]> {
  return (await queryPartition(C(campaignId), 'LEDGER#')).map(entryFromItem);
}

export interface LedgerSummary {
  by_pillar: Record<Pillar, { amount_usd: number; list_price_usd: number; entries: number }>;
  total_usd: number;
  total_list_price_usd: number;
  /** What of the total was charged at list price by offline stand-ins in a budget rehearsal. */
  rehearsal_usd: number;
  entries: number;
}

/** Totals summed in micro-dollars (exact), shown in dollars. */
export async function ledgerSummary(campaignId: string): Promise<LedgerSummary> {
  const entries = await ledgerEntries(campaignId);
  const pillars: Pillar[] = ['strategist', 'copywriter', 'production', 'campaign_manager', 'broadcaster'];
  const sums = Object.fromEntries(pillars.map((p) => [p, { amount: 0, list: 0, entries: 0 }])) as Record<
    Pillar,
    { amount: number; list: number; entries: number }
  >;
  let rehearsal = 0;
  for (const e of entries) {
    const p = sums[e.pillar];
    p.amount += toMicros(e.amount_usd);
    p.list += toMicros(e.list_price_usd);
    p.entries++;
    if (e.rehearsal) rehearsal += toMicros(e.amount_usd);
  }
  const by_pillar = Object.fromEntries(
    pillars.map((p) => [
      p,
      { amount_usd: toUsd(sums[p].amount), list_price_usd: toUsd(sums[p].list), entries: sums[p].entries },
    ]),
  ) as LedgerSummary['by_pillar'];
  return {
    by_pillar,
    total_usd: toUsd(pillars.reduce((t, p) => t + sums[p].amount, 0)),
    total_list_price_usd: toUsd(pillars.reduce((t, p) => t + sums[p].list, 0)),
    rehearsal_usd: toUsd(rehearsal),
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
