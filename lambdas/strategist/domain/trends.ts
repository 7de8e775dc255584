import { tokens } from '../../shared/adapters/offline/hashing-embedder.js';
import type { TrendItem } from '../../shared/ports/index.js';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function decodeXml(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&(\w+);/g, (m, e: string) => ENTITIES[e] ?? m)
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const tag = (xml: string, name: string): string | undefined => {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'i').exec(xml);
  return m?.[1] === undefined ? undefined : decodeXml(m[1]);
};

/** RSS 2.0 `<item>` and Atom `<entry>` feeds, tolerant of CDATA, entities and Atom `<link href>`. */
export function parseFeed(xml: string, source: string): TrendItem[] {
  const isAtom = /<feed[\s>]/i.test(xml) && !/<rss[\s>]/i.test(xml);
  const blocks = xml.match(isAtom ? /<entry[\s>][\s\S]*?<\/entry>/gi : /<item[\s>][\s\S]*?<\/item>/gi) ?? [];
  const feedTitle = tag(xml.replace(/<(item|entry)[\s>][\s\S]*?<\/\1>/gi, ''), 'title') ?? source;
  return blocks
    .map((b): TrendItem => {
      const link = isAtom ? (/<link[^>]*href="([^"]+)"/i.exec(b)?.[1] ?? '') : (tag(b, 'link') ?? '');
      const published = tag(b, isAtom ? 'updated' : 'pubDate') ?? tag(b, 'published');
      const date = published ? new Date(published) : undefined;
      const engagement = Number(
        tag(b, 'engagement') ?? /<[^>]*engagement[^>]*>([\d.]+)</i.exec(b)?.[1] ?? Number.NaN,
      );
      return {
        title: tag(b, 'title') ?? '',
        url: decodeXml(link),
        source: feedTitle,
        summary: tag(b, isAtom ? 'summary' : 'description') ?? tag(b, 'content') ?? '',
        published_at: date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined,
        category: tag(b, 'category') ?? /<category[^>]*term="([^"]+)"/i.exec(b)?.[1],
        engagement_score: Number.isFinite(engagement) ? engagement : undefined,
      };
    })
    .filter((t) => t.title);
}

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
