import type { TrendItem } from '../ports/index.js';

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
