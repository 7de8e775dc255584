import middy from '@middy/core';
import { z } from 'zod';
import { HttpFeedFetcher } from '../shared/adapters/http/feed-fetcher.js';
import { logger } from '../shared/commons.js';
import { trendSources, trends } from '../shared/data/repositories.js';
import { parseOrThrow } from '../shared/validation.js';
import { type ScrapeReport, scrapeTrendSources } from './domain/scrape.js';

/** EventBridge sends its scheduled-event envelope; a manual invoke may name the brands to scrape. */
const Input = z.object({ brand_ids: z.array(z.uuid()).max(100).optional() }).loose();

const fetcher = new HttpFeedFetcher();

/** Scheduled hourly: every brand's trend feeds into the trend store (kept 90 days). */
export const handler = middy(async (event: unknown): Promise<ScrapeReport> => {
  const input = parseOrThrow(Input, event ?? {}, 'ScrapeTrends input');
  const report = await scrapeTrendSources(
    {
      fetcher,
      store: {
        brandsWithSources: () => trendSources.brandsWithSources(),
        sourcesOf: (id) => trendSources.get(id),
        saveState: (id, s) => trendSources.saveState(id, s),
        upsert: (scope, list) => trends.upsert(scope, list),
      },
    },
    input.brand_ids,
  );
  if (report.failed.length) logger.warn('some trend sources failed', { failed: report.failed });
  return report;
});
