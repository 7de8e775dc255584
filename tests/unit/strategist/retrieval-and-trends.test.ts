import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../../lambdas/shared/adapters/offline/hashing-embedder.js';
import { chunkGuidelines, parseBrandBible } from '../../../lambdas/strategist/domain/brand-bible.js';
import { parseFeed, rankTrends } from '../../../lambdas/strategist/domain/trends.js';
import { BrandChunkCache, topK } from '../../../lambdas/strategist/domain/vector-search.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const embedder = new HashingEmbedder();

describe('guideline retrieval', () => {
  const brand = parseBrandBible(readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8'));
  const chunks = chunkGuidelines(brand).map((c, i) => ({
    chunk: {
      chunk_id: `c${i}`,
      brand_id: brand.brand_id,
      category: c.category,
      heading: c.heading,
      content: c.content,
      embedding_model: embedder.model,
    },
    embedding: embedder.embedOne(`${c.heading}\n${c.content}`),
  }));

  it('returns the tone section first for a question about voice and tone', () => {
    const [first] = topK(embedder.embedOne('what voice and tone do we speak in'), chunks, 5);
    expect(first?.chunk.category).toBe('voice_tone');
  });

  it('returns at most k chunks, best first', () => {
    const hits = topK(embedder.embedOne('colour palette espresso crema'), chunks, 5);
    expect(hits).toHaveLength(5);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('embeds deterministically into unit vectors', () => {
    const a = embedder.embedOne('slow mornings');
    expect(Array.from(a)).toEqual(Array.from(embedder.embedOne('slow mornings')));
    expect(Math.sqrt(a.reduce((t, x) => t + x * x, 0))).toBeCloseTo(1, 5);
  });
});

describe('the brand chunk cache', () => {
  it('serves hits within the TTL and reloads after it', async () => {
    let now = 0;
    let loads = 0;
    const cache = new BrandChunkCache(3_600_000, () => now);
    const load = async () => {
      loads++;
      return [];
    };
    await cache.get('b', load);
    await cache.get('b', load);
    now = 3_600_001;
    await cache.get('b', load);
    expect({ loads, hits: cache.hits, misses: cache.misses }).toEqual({ loads: 2, hits: 1, misses: 2 });
  });
});

describe('trend feeds', () => {
  it('parses RSS items with entities and dates', () => {
    const items = parseFeed(
      readFileSync(path.join(ROOT, 'examples/trends/social-video.rss.xml'), 'utf8'),
      'rss',
    );
    expect(items).toHaveLength(8);
    expect(items.find((i) => i.url.endsWith('cafe-collabs'))?.summary).toContain('foot traffic & discovery');
    expect(items[0]?.published_at).toBe('2026-11-16T08:00:00.000Z');
  });

  it('parses Atom entries with link href and category terms', () => {
    const items = parseFeed(
      readFileSync(path.join(ROOT, 'examples/trends/creator-economy.atom.xml'), 'utf8'),
      'atom',
    );
    expect(items).toHaveLength(6);
    expect(items[0]).toMatchObject({
      title: 'Nitro coffee goes mainstream on TikTok',
      url: 'https://signals.example.org/nitro',
      category: 'coffee',
    });
  });

  it('handles CDATA', () => {
    const [item] = parseFeed(
      '<rss><channel><title>T</title><item><title><![CDATA[A <b>bold</b> trend]]></title><link>u</link></item></channel></rss>',
      's',
    );
    expect(item?.title).toBe('A bold trend');
  });

  it('ranks coffee trends first for a coffee campaign', () => {
    const items = parseFeed(
      readFileSync(path.join(ROOT, 'examples/trends/social-video.rss.xml'), 'utf8'),
      'rss',
    );
    const ranked = rankTrends(items, 'cold brew coffee for commuters', Date.parse('2026-11-24T00:00:00Z'));
    expect(ranked[0]?.title).toMatch(/coffee|brew|Commute/i);
    expect(ranked.at(-1)?.title).not.toMatch(/cold brew/i);
  });
});
