import { z } from 'zod';
import { ledgerSummary } from '../shared/data/ledger.js';
import { campaigns } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { recordMetric } from '../shared/metrics.js';

const Input = z.object({ campaign_id: z.uuid(), execution: z.string() });

/** Totals per pillar; publishes budget use as a metric (the CloudWatch alarm fires above 90 %). */
export const handler = stepHandler('SettleLedger', Input, async ({ campaign_id }) => {
  const [summary, campaign] = await Promise.all([ledgerSummary(campaign_id), campaigns.mustGet(campaign_id)]);
  const used = campaign.budget_limit_usd ? (summary.total_usd / campaign.budget_limit_usd) * 100 : 0;
  recordMetric('BudgetUsedPercent', used);
  const alerts = [50, 75, 90].filter((l) => used >= l);
  return { total_usd: summary.total_usd, alerts };
});
