import { z } from 'zod';
import { campaigns, trends } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { rankTrends } from './domain/trends.js';

const Input = z.object({ campaign_id: z.uuid(), execution: z.string() });

/**
 * The most relevant stored trends for this campaign (the hourly scraper keeps the store fresh). An
 * empty store is not an error: the brief says it had no trend data.
 */
export const handler = stepHandler('GatherTrends', Input, async ({ campaign_id }) => {
  const campaign = await campaigns.mustGet(campaign_id);
  const r = campaign.request;
  const stored = await trends.listFor(campaign.brand_id);
  const ranked = rankTrends(
    stored.map((t) => ({
      title: t.topic,
      url: t.url,
      source: t.source,
      summary: t.summary,
      published_at: t.published_at,
      category: t.category,
      engagement_score: t.engagement_score,
    })),
    `${r.product_category} ${r.product_name ?? ''} ${r.target_demographic} ${r.key_message ?? ''}`,
  );
  const byUrl = new Map(stored.map((t) => [t.url || t.topic, t.trend_id]));
  return {
    trend_ids: ranked
      .slice(0, 5)
      .map((t) => byUrl.get(t.url || t.title) as string)
      .filter(Boolean),
    trends_available: stored.length,
  };
});
