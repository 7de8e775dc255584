import { z } from 'zod';
import { campaigns, trends } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { rankTrends } from './domain/trends.js';
import { scrapeTrends } from './scrape-trends.js';

const Input = z.object({ campaign_id: z.uuid(), execution: z.string() });

/** The most relevant stored trends for this campaign (the hourly scraper keeps the store fresh). */
export const handler = stepHandler('GatherTrends', Input, async ({ campaign_id }) => {
  const r = (await campaigns.mustGet(campaign_id)).request;
  let stored = await trends.list();
  if (!stored.length) {
    await scrapeTrends();
    stored = await trends.list();
  }
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
  };
});
