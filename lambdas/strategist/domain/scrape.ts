import type { TrendSource, TrendSourceState } from '../../shared/contracts/index.js';
import type { StoredTrend, TrendScope } from '../../shared/data/repositories.js';
import { nowIso, shortHash } from '../../shared/ids.js';
import type { FeedFetcher, TrendItem } from '../../shared/ports/index.js';

export interface TrendStore {
  brandsWithSources(): Promise<string[]>;
  sourcesOf(brandId: string): Promise<{ sources: TrendSource[]; state: TrendSourceState[] }>;
  saveState(brandId: string, state: TrendSourceState): Promise<void>;
  upsert(scope: TrendScope, list: StoredTrend[]): Promise<void>;
}

export interface ScrapeReport {
  brands: number;
  sources: number;
  fetched: number;
  not_modified: number;
  failed: { brand_id: string; url: string; error: string }[];
  stored: number;
}

/** Feed items as stored trends (ids from the item URL, so a re-fetch updates instead of duplicating). */
export function toStoredTrends(
  items: TrendItem[],
  category: string | undefined,
  at = nowIso(),
): StoredTrend[] {
  return items.map((t) => ({
    trend_id: shortHash(t.url || `${t.source}:${t.title}`),
    topic: t.title,
    source: t.source,
    url: t.url,
    summary: t.summary.slice(0, 500),
    category: t.category ?? category ?? 'general',
    engagement_score: t.engagement_score ?? 0.5,
    detected_at: at,
    published_at: t.published_at,
  }));
}

/**
 * Reads every brand's trend sources: conditional GET with the validators of the last fetch, items
 * upserted under the brand, the outcome saved per source. A failing feed is recorded and skipped:
 * one broken source never stops the others (nor lands the schedule in its dead-letter queue).
 */
export async function scrapeTrendSources(
  deps: { store: TrendStore; fetcher: FeedFetcher; concurrency?: number },
  brandIds?: string[],
): Promise<ScrapeReport> {
  const report: ScrapeReport = { brands: 0, sources: 0, fetched: 0, not_modified: 0, failed: [], stored: 0 };
  const brands = brandIds ?? (await deps.store.brandsWithSources());
  const work: { brandId: string; source: TrendSource; state?: TrendSourceState }[] = [];
  for (const brandId of brands) {
    const { sources, state } = await deps.store.sourcesOf(brandId);
    if (sources.length) report.brands++;
    for (const source of sources)
      work.push({ brandId, source, state: state.find((s) => s.url === source.url) });
  }
  report.sources = work.length;
  const one = async ({ brandId, source, state }: (typeof work)[number]) => {
    const at = nowIso();
    try {
      const res = await deps.fetcher.fetch(source.url, {
        etag: state?.etag,
        last_modified: state?.last_modified,
      });
      if (res.status === 'not-modified') {
        report.not_modified++;
        await deps.store.saveState(brandId, {
          ...state,
          url: source.url,
          last_fetched_at: at,
          last_status: 'not-modified',
        });
        return;
      }
      const stored = toStoredTrends(res.items, source.category, at);
      await deps.store.upsert({ brandId }, stored);
      report.fetched++;
      report.stored += stored.length;
      await deps.store.saveState(brandId, {
        url: source.url,
        etag: res.etag,
        last_modified: res.last_modified,
        last_fetched_at: at,
        last_status: 'fetched',
        items_stored: stored.length,
      });
    } catch (error) {
      const message = (error as Error).message.slice(0, 500);
      report.failed.push({ brand_id: brandId, url: source.url, error: message });
      await deps.store.saveState(brandId, {
        ...state,
        url: source.url,
        last_fetched_at: at,
        last_status: 'failed',
        last_error: message,
      });
    }
  };
  const queue = [...work];
  await Promise.all(
    Array.from({ length: Math.min(deps.concurrency ?? 4, queue.length) }, async () => {
      for (let w = queue.shift(); w; w = queue.shift()) await one(w);
    }),
  );
  return report;
}
