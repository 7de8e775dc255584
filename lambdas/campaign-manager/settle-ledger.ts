import { z } from 'zod';
import { budgetAlerts, ledgerSummary } from '../shared/data/ledger.js';
import { campaigns } from '../shared/data/repositories.js';
import { emitEvent } from '../shared/events.js';
import { stepHandler } from '../shared/handler.js';
import { recordMetric } from '../shared/metrics.js';

const Input = z.object({ campaign_id: z.uuid(), execution: z.string() });

/** Totals per pillar; publishes budget use as a metric (the CloudWatch alarm fires above 90 %). */
export const handler = stepHandler('SettleLedger', Input, async ({ campaign_id }) => {
  const [summary, campaign] = await Promise.all([ledgerSummary(campaign_id), campaigns.mustGet(campaign_id)]);
  const used = campaign.budget_limit_usd ? (summary.total_usd / campaign.budget_limit_usd) * 100 : 0;
  recordMetric('BudgetUsedPercent', used);
  const alerts = [50, 75, 90].filter((l) => used >= l);
  // Every threshold the ledger recorded as crossed, once per level (the event id is per level).
  for (const a of await budgetAlerts(campaign_id)) {
    await emitEvent('Budget Threshold Crossed', `budget-${a.level}`, {
      campaign_id,
      at: a.at,
      threshold_percent: Math.round(a.level * 100),
      used_usd: summary.total_usd,
      limit_usd: campaign.budget_limit_usd,
    });
  }
  return { total_usd: summary.total_usd, alerts };
});
