import { z } from 'zod';
import { announceBudgetAlerts, emitBudgetAlert } from '../shared/charges.js';
import { budgetAlerts, budgetOf, ledgerSummary } from '../shared/data/ledger.js';
import { campaigns } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { recordMetric } from '../shared/metrics.js';

const Input = z.object({ campaign_id: z.uuid(), execution: z.string() });

/**
 * Totals per pillar; publishes budget use as a metric (the CloudWatch alarm fires above 90 %). The
 * alerts were announced by the steps that crossed them; this catches up any announcement a crash
 * lost and emits every alert's event again (same event id: consumers drop the duplicate).
 */
export const handler = stepHandler('SettleLedger', Input, async ({ campaign_id }) => {
  const [summary, campaign, budget] = await Promise.all([
    ledgerSummary(campaign_id),
    campaigns.mustGet(campaign_id),
    budgetOf(campaign_id),
  ]);
  // Integer micro-dollars: the percentage is exact to the hundredth.
  const used = budget.limit_micros
    ? Math.floor((budget.spent_micros * 10_000) / budget.limit_micros) / 100
    : 0;
  recordMetric('BudgetUsedPercent', used);
  await announceBudgetAlerts(campaign);
  const crossed = await budgetAlerts(campaign_id);
  for (const a of crossed) await emitBudgetAlert(campaign_id, a);
  const alerts = [50, 75, 90].filter((l) => used >= l);
  return { total_usd: summary.total_usd, alerts };
});
