import { logger } from './commons.js';
import { MODELS } from './config/index.js';
import type { Campaign, CostEntry, Pillar, RenderJob } from './contracts/index.js';
import {
  assertBudgetAllows,
  budgetAlerts,
  type ChargeResult,
  chargeLedger,
  claimAlertAnnouncement,
} from './data/ledger.js';
import { campaigns } from './data/repositories.js';
import { emitEvent } from './events.js';
import { nowIso, stableUuid } from './ids.js';
import { formatUsd, toMicros, toUsd } from './money.js';
import type { TaskCallbacks, Usage } from './ports/index.js';
import { mailer } from './services.js';
import { stepLabel } from './step-context.js';

const OFFLINE = MODELS.offline_stand_ins as Record<string, string>;
const TOKENS = MODELS.token_prices_usd_per_million as Record<string, { input: number; output: number }>;
const VOICE = MODELS.voice_prices_usd_per_million_chars as Record<string, number>;

/**
 * List price of a model call in micro-dollars, from the price table. Prices are USD per million units,
 * so units × price is micro-dollars with no division (tokens at the blended input/output rate).
 */
export function listPriceMicros(usage: Usage, task?: string): { model: string; micros: number } {
  const stand = OFFLINE[usage.model];
  const model =
    stand && stand !== 'video'
      ? usage.model === 'offline-creative-engine' && task
        ? ((MODELS.text_tasks as Record<string, string>)[task] ?? stand)
        : stand
      : usage.model;
  if (usage.unit === 'tokens') {
    const p = TOKENS[model];
    return { model, micros: p ? Math.round((usage.units * (p.input + p.output)) / 2) : 0 };
  }
  if (usage.unit === 'characters') {
    const p = VOICE[model];
    return { model, micros: p ? Math.round(usage.units * p) : 0 };
  }
  return { model, micros: 0 };
}

/**
 * What a step is charged. A real provider: its price, always. An offline stand-in: nothing, or — when
 * the campaign rehearses its budget — the list price of the model it stands in for, marked as a
 * rehearsal, so a budget can be tried end to end offline.
 */
export function chargeFor(
  campaign: Pick<Campaign, 'request'>,
  provider: string,
  listMicros: number,
  realMicros = listMicros,
): { micros: number; rehearsal: boolean } {
  if (provider !== 'offline') return { micros: realMicros, rehearsal: false };
  return campaign.request.rehearse
    ? { micros: listMicros, rehearsal: true }
    : { micros: 0, rehearsal: false };
}

/** The price of a render a campaign is charged (dollars, as the render job records it). */
export const renderCostUsd = (campaign: Pick<Campaign, 'request'>, provider: string, listUsd: number) =>
  toUsd(chargeFor(campaign, provider, toMicros(listUsd)).micros);

/** Charges the ledger and announces any budget alert level the charge crossed, from the step that crossed it. */
export async function recordCharge(campaign: Campaign, entry: CostEntry): Promise<ChargeResult> {
  const result = await chargeLedger(entry);
  if (result.alerts.length > 0) await announceBudgetAlerts(campaign);
  return result;
}

/**
 * Records a model call on the ledger, once per `key` (a replay or retry of the same step charges
 * nothing new). Offline providers carry the list price of the model they stand in for, and charge it
 * only in a budget rehearsal.
 */
export async function chargeUsage(args: {
  campaignId: string;
  variantId?: string;
  pillar: Pillar;
  key: string;
  usage: Usage;
  task?: string;
  description: string;
  listPriceUsd?: number;
  amountUsd?: number;
}): Promise<void> {
  const campaign = await campaigns.mustGet(args.campaignId);
  const price = listPriceMicros(args.usage, args.task);
  const list = args.listPriceUsd === undefined ? price.micros : toMicros(args.listPriceUsd);
  const real = args.amountUsd === undefined ? list : toMicros(args.amountUsd);
  const charge = chargeFor(campaign, args.usage.provider, list, real);
  const offline = args.usage.provider === 'offline';
  await recordCharge(campaign, {
    ledger_entry_id: stableUuid('charge', args.campaignId, args.key),
    campaign_id: args.campaignId,
    variant_id: args.variantId,
    pillar: args.pillar,
    cost_type: 'api_cost',
    provider: args.usage.provider,
    model: offline ? `${args.usage.model} (for ${price.model})` : args.usage.model,
    units: args.usage.units,
    unit: args.usage.unit,
    amount_usd: toUsd(charge.micros),
    list_price_usd: toUsd(list),
    ...(charge.rehearsal ? { rehearsal: true } : {}),
    description: args.description,
    created_at: nowIso(),
  });
}

/**
 * Budget check before a paid model call: the estimated tokens at the task's list price must fit in
 * what is left. Offline stand-ins cost nothing outside a rehearsal, so then this only stops a campaign
 * already over its budget.
 */
export async function precheckModelCall(
  campaignId: string,
  task: string,
  provider: string,
  estimatedTokens: number,
): Promise<void> {
  const campaign = await campaigns.mustGet(campaignId);
  const list = listPriceMicros(
    {
      model: (MODELS.text_tasks as Record<string, string>)[task] ?? 'gpt-4o',
      provider,
      units: estimatedTokens,
      unit: 'tokens',
    },
    task,
  ).micros;
  const need = chargeFor(campaign, provider, list).micros;
  await assertBudgetAllows(
    campaignId,
    toUsd(need),
    `${task.replaceAll('_', ' ')}, ~${estimatedTokens} tokens`,
  );
}

const tokenGone = (e: unknown) =>
  ['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken'].includes((e as { name?: string }).name ?? '');

/**
 * Charges a finished render, once per job (the webhook, the poller or a replayed SubmitRender may all
 * get here). When the budget refuses it, the clip stays stored and the waiting render task is failed
 * with BudgetExceededError, so the state machine pauses at its budget checkpoint; a raise runs
 * SubmitRender again, which finds the finished job and charges it then. Returns whether it was charged.
 */
export async function chargeRender(job: RenderJob, callbacks: TaskCallbacks): Promise<boolean> {
  const campaign = await campaigns.mustGet(job.campaign_id);
  try {
    await recordCharge(campaign, {
      ledger_entry_id: stableUuid('charge', job.campaign_id, `render:${job.job_id}`),
      campaign_id: job.campaign_id,
      variant_id: job.variant_id,
      pillar: 'production',
      cost_type: 'api_cost',
      provider: job.provider,
      model:
        job.provider === 'offline' ? `offline-procedural-renderer (for ${job.model_name})` : job.model_name,
      units: Number(job.parameters.duration_seconds ?? 0),
      unit: 'seconds',
      amount_usd: job.cost_usd,
      list_price_usd: job.list_price_usd,
      ...(chargeFor(campaign, job.provider, 0).rehearsal ? { rehearsal: true } : {}),
      step: stepLabel('SubmitRender'),
      description: `scene render ${job.scene_id}`,
      created_at: nowIso(),
    });
    return true;
  } catch (error) {
    if ((error as Error).name !== 'BudgetExceededError' || !job.task_token) throw error;
    try {
      await callbacks.failure(job.task_token, 'BudgetExceededError', (error as Error).message);
    } catch (e) {
      if (!tokenGone(e)) throw e;
    }
    return false;
  }
}

/**
 * Announces the budget alerts not announced yet: a `Budget Threshold Crossed` event and a mail to the
 * campaign's approver (when the stack has a sender; API-only stacks just record). Each alert is claimed
 * first, so concurrent steps announce it once. A failed announcement is logged, never fails the paid
 * step; SettleLedger emits every alert's event again (same event id) so the events are not lost.
 */
export async function announceBudgetAlerts(campaign: Campaign): Promise<void> {
  for (const a of await budgetAlerts(campaign.campaign_id)) {
    if (a.announced_at) continue;
    if (!(await claimAlertAnnouncement(campaign.campaign_id, a.alert_id, nowIso()))) continue;
    const percent = Math.round(a.level * 100);
    try {
      await emitBudgetAlert(campaign.campaign_id, a);
      const m = mailer();
      if (m && campaign.approver_email) {
        const limit = formatUsd(toMicros(a.limit_usd));
        const used = formatUsd(toMicros(a.used_usd));
        const subject = `Budget alert: ${percent}% of ${limit} used by campaign ${campaign.campaign_name}`;
        const text = `${campaign.campaign_name} (${campaign.campaign_id}) has used ${used} of its ${limit} budget (${percent}%)${a.step ? `, at ${a.step}` : ''}.\nAt 100% the campaign pauses until the budget is raised (POST /operator/campaigns/${campaign.campaign_id}/budget) or the campaign is cancelled.\n`;
        await m.send({
          to: [campaign.approver_email],
          subject,
          text,
          html: `<pre>${escapeHtml(text)}</pre>`,
        });
      }
    } catch (error) {
      logger.error('budget alert not announced', {
        campaign_id: campaign.campaign_id,
        percent,
        error: error as Error,
      });
    }
  }
}

/** The lifecycle event of one alert; its id is stable per alert, so emitting it again is a duplicate. */
export async function emitBudgetAlert(
  campaignId: string,
  a: Awaited<ReturnType<typeof budgetAlerts>>[number],
): Promise<void> {
  await emitEvent('Budget Threshold Crossed', `budget-${a.alert_id}`, {
    campaign_id: campaignId,
    at: a.at,
    threshold_percent: Math.round(a.level * 100),
    used_usd: a.used_usd,
    limit_usd: a.limit_usd,
    ...(a.step ? { step: a.step } : {}),
  });
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
