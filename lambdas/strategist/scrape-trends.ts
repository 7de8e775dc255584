import middy from '@middy/core';
import { trends } from '../shared/data/repositories.js';
import { nowIso, shortHash } from '../shared/ids.js';
import { trendSource } from '../shared/services.js';

/** Reads the trend sources into the store (incremental: items are keyed by their URL). */
export async function scrapeTrends(): Promise<number> {
  const items = await trendSource().fetch();
  const at = nowIso();
  await trends.upsert(
    items.map((t) => ({
      trend_id: shortHash(t.url || t.title),
      topic: t.title,
      source: t.source,
      url: t.url,
      summary: t.summary.slice(0, 500),
      category: t.category ?? 'general',
      engagement_score: t.engagement_score ?? 0.5,
      detected_at: at,
      published_at: t.published_at,
    })),
  );
  return items.length;
}

/** Scheduled hourly by EventBridge (and by the embedded runtime's scheduler). */
export const handler = middy(async () => ({ stored: await scrapeTrends() }));
