import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrendItem } from '../../../lambdas/shared/ports/index.js';
import {
  parseFeed,
  rankTrends,
  relevantTrends,
  trendAudience,
} from '../../../lambdas/strategist/domain/trends.js';
import { labelledBrands } from '../../support/brand-fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const NOW = Date.parse('2026-11-24T00:00:00Z');
const feed = parseFeed(readFileSync(path.join(ROOT, 'examples/trends/social-video.rss.xml'), 'utf8'), 'rss');
const byCategory = (c: string) => {
  const b = labelledBrands().find((x) => x.category === c);
  if (!b) throw new Error(c);
  return b;
};

const trend = (title: string, summary: string, category?: string): TrendItem => ({
  title,
  summary,
  url: `https://trends.example.com/${title.length}`,
  source: 'test',
  published_at: '2026-11-20T00:00:00Z',
  category,
});

describe('trend relevance to the brand, its category and audience', () => {
  it('keeps a gym-routine trend away from a bicycle repair shop, and a repair trend in', () => {
    const b = byCategory('cycling');
    const items = [
      ...feed,
      trend(
        'Winter commuters tune up their bikes',
        'Riders share brake and gear fixes before the cold.',
        'cycling',
      ),
    ];
    const ranked = rankTrends(items, trendAudience(b.brand, b.request), NOW);
    const gym = ranked.find((t) => /gym/i.test(t.title));
    expect(gym?.relevant).toBe(false);
    expect(gym?.reason).toMatch(/fitness/);
    const kept = relevantTrends(ranked).map((t) => t.title);
    expect(kept).toContain('Winter commuters tune up their bikes');
    expect(kept.some((t) => /coffee|brew|cafe|gym/i.test(t))).toBe(false);
  });

  it('keeps the same gym trend for a fitness brand, and coffee trends for a coffee brand', () => {
    const fit = byCategory('fitness');
    expect(
      relevantTrends(rankTrends(feed, trendAudience(fit.brand, fit.request), NOW)).map((t) => t.title),
    ).toContain('Gym-to-desk routines trend among returning exercisers');
    const coffee = byCategory('coffee');
    const kept = relevantTrends(rankTrends(feed, trendAudience(coffee.brand, coffee.request), NOW));
    expect(`${kept[0]?.title} ${kept[0]?.summary}`).toMatch(/coffee|brew|cafe/i);
    expect(kept.map((t) => t.title)).not.toContain('Gym-to-desk routines trend among returning exercisers');
  });

  it('lets format trends (sound-off viewing, captions) reach every brand', () => {
    for (const b of labelledBrands())
      expect(
        rankTrends(feed, trendAudience(b.brand, b.request), NOW)
          .filter((t) => t.relevant)
          .map((t) => t.title),
        b.brand.name,
      ).toContain('Sound-off viewing makes on-screen text essential');
  });

  it('ranks every irrelevant trend after the relevant ones, with no relevance weight', () => {
    const b = byCategory('finance');
    const ranked = rankTrends(feed, trendAudience(b.brand, b.request), NOW);
    const firstIrrelevant = ranked.findIndex((t) => !t.relevant);
    expect(ranked.slice(firstIrrelevant).every((t) => !t.relevant)).toBe(true);
    expect(ranked.filter((t) => !t.relevant).every((t) => t.relevance <= 0.4)).toBe(true);
  });
});
