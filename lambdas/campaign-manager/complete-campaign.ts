import { z } from 'zod';
import { ledgerSummary } from '../shared/data/ledger.js';
import { audit, campaigns } from '../shared/data/repositories.js';
import { emitEvent } from '../shared/events.js';
import { stepHandler } from '../shared/handler.js';

const Input = z.object({ campaign_id: z.uuid(), publications: z.array(z.unknown()), execution: z.string() });

export const handler = stepHandler('CompleteCampaign', Input, async ({ campaign_id, publications }) => {
  const summary = await ledgerSummary(campaign_id);
  await campaigns.update(campaign_id, { status: 'published' });
  await audit.append(campaign_id, 'campaign_published', 'workflow', {
    new_state: { publications: publications.length, total_usd: summary.total_usd },
  });
  await emitEvent('Campaign Published', 'published', {
    campaign_id,
    publications: publications.length,
    total_usd: summary.total_usd,
  });
  return { status: 'published', total_usd: summary.total_usd };
});
