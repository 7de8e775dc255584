import { tokens } from '../../shared/adapters/offline/hashing-embedder.js';
import type { TrendItem } from '../../shared/ports/index.js';

export { decodeXml, parseFeed } from '../../shared/feeds/rss-atom.js';

export interface RankedTrend extends TrendItem {
  relevance: number;
}

/** Relevance to the campaign: keyword overlap (60 %), recency over 30 days (25 %), engagement (15 %). */
export function rankTrends(items: TrendItem[], context: string, now = Date.now()): RankedTrend[] {
  const want = new Set(tokens(context).filter((t) => t.length > 3));
  return items
    .map((t) => {
      const words = new Set(tokens(`${t.title} ${t.summary} ${t.category ?? ''}`));
      const overlap = [...want].filter(
        (w) => words.has(w) || [...words].some((x) => x.startsWith(w.slice(0, 5))),
      ).length;
      const keyword = want.size ? Math.min(1, overlap / Math.min(4, want.size)) : 0;
      const ageDays = t.published_at ? (now - Date.parse(t.published_at)) / 86_400_000 : 60;
      const recency = Math.max(0, 1 - Math.max(0, ageDays) / 30);
      const engagement = Math.min(
        1,
        (t.engagement_score ?? 0.5) > 1 ? (t.engagement_score ?? 0) / 100 : (t.engagement_score ?? 0.5),
      );
      return {
        ...t,
        relevance: Math.round((0.6 * keyword + 0.25 * recency + 0.15 * engagement) * 1000) / 1000,
      };
    })
    .sort((a, b) => b.relevance - a.relevance || a.title.localeCompare(b.title));
}
