import { z } from 'zod';
import { brands, campaigns, trends } from '../shared/data/repositories.js';
import { BrandNotFoundError } from '../shared/errors.js';
import { stepHandler } from '../shared/handler.js';
import { rankTrends, relevantTrends, trendAudience } from './domain/trends.js';

const Input = z.object({ campaign_id: z.uuid(), execution: z.string() });

/**
 * The stored trends relevant to this brand, its category and audience (the hourly scraper keeps the
 * store fresh); trends about something else never reach the brief. An empty store, or one with nothing
 * relevant, is not an error: the brief says it had no trend data.
 */
export const handler = stepHandler('GatherTrends', Input, async ({ campaign_id }) => {
  const campaign = await campaigns.mustGet(campaign_id);
  const brand = await brands.get(campaign.brand_id);
  if (!brand) throw new BrandNotFoundError(campaign.brand_id);
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
    trendAudience(brand, campaign.request),
  );
  const byUrl = new Map(stored.map((t) => [t.url || t.topic, t.trend_id]));
  const kept = relevantTrends(ranked);
  return {
    trend_ids: kept.map((t) => byUrl.get(t.url || t.title) as string).filter(Boolean),
    trends_available: stored.length,
    trends_irrelevant: ranked.filter((t) => !t.relevant).length,
  };
});
