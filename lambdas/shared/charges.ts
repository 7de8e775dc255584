import { MODELS } from './config/index.js';
import type { Pillar } from './contracts/index.js';
import { assertBudgetAllows, chargeLedger } from './data/ledger.js';
import { nowIso, stableUuid } from './ids.js';
import type { Usage } from './ports/index.js';

const OFFLINE = MODELS.offline_stand_ins as Record<string, string>;
const TOKENS = MODELS.token_prices_usd_per_million as Record<string, { input: number; output: number }>;

/** List price of a model call from the price table (tokens priced at the blended input/output rate). */
export function listPrice(usage: Usage, task?: string): { model: string; usd: number } {
  const stand = OFFLINE[usage.model];
  const model =
    stand && stand !== 'video'
      ? usage.model === 'offline-creative-engine' && task
        ? ((MODELS.text_tasks as Record<string, string>)[task] ?? stand)
        : stand
      : usage.model;
  if (usage.unit === 'tokens') {
    const p = TOKENS[model];
    return { model, usd: p ? (usage.units * (p.input + p.output)) / 2 / 1e6 : 0 };
  }
  if (usage.unit === 'characters') {
    const p = (MODELS.voice_prices_usd_per_million_chars as Record<string, number>)[model];
    return { model, usd: p ? (usage.units * p) / 1e6 : 0 };
  }
  return { model, usd: 0 };
}

/**
 * Records a model call on the ledger, once per `key` (a replay or retry of the same step charges
 * nothing new). Offline providers cost $0 and carry the list price of the model they stand in for.
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
  const price = listPrice(args.usage, args.task);
  const list = args.listPriceUsd ?? price.usd;
  const offline = args.usage.provider === 'offline';
  await chargeLedger({
    ledger_entry_id: stableUuid('charge', args.campaignId, args.key),
    campaign_id: args.campaignId,
    variant_id: args.variantId,
    pillar: args.pillar,
    cost_type: 'api_cost',
    provider: args.usage.provider,
    model: offline ? `${args.usage.model} (for ${price.model})` : args.usage.model,
    units: args.usage.units,
    unit: args.usage.unit,
    amount_usd: args.amountUsd ?? (offline ? 0 : list),
    list_price_usd: Math.round(list * 1e6) / 1e6,
    description: args.description,
    created_at: nowIso(),
  });
}

/**
 * Budget check before a paid model call: the estimated tokens at the task's list price must fit in
 * what is left. Offline stand-ins cost nothing, so for them this only stops a campaign already over.
 */
export async function precheckModelCall(
  campaignId: string,
  task: string,
  provider: string,
  estimatedTokens: number,
): Promise<void> {
  const estimate =
    provider === 'offline'
      ? 0
      : listPrice({
          model: (MODELS.text_tasks as Record<string, string>)[task] ?? 'gpt-4o',
          provider,
          units: estimatedTokens,
          unit: 'tokens',
        }).usd;
  await assertBudgetAllows(campaignId, estimate);
}
