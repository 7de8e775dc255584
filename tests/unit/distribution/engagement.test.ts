import { describe, expect, it } from 'vitest';
import {
  buildAbReport,
  buildPerformance,
  isCollectionDue,
  type PostInfo,
} from '../../../lambdas/broadcaster/domain/engagement.js';

const PUBLISHED = '2026-03-01T12:00:00.000Z';
const at = (hours: number) => Date.parse(PUBLISHED) + hours * 3_600_000;
const iso = (hours: number) => new Date(at(hours)).toISOString();
const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const CAMPAIGN = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';

describe('the engagement collection schedule', () => {
  it('collects a new post at once, then hourly for 48 h', () => {
    expect(isCollectionDue(PUBLISHED, undefined, at(0.1))).toBe(true);
    expect(isCollectionDue(PUBLISHED, iso(1), at(1.5))).toBe(false);
    expect(isCollectionDue(PUBLISHED, iso(1), at(2))).toBe(true);
    expect(isCollectionDue(PUBLISHED, iso(47), at(47.95))).toBe(true); // five minutes early still counts
  });

  it('then daily until day 30, then never', () => {
    expect(isCollectionDue(PUBLISHED, iso(49), at(50))).toBe(false);
    expect(isCollectionDue(PUBLISHED, iso(49), at(73))).toBe(true);
    expect(isCollectionDue(PUBLISHED, iso(24 * 29), at(24 * 30 + 1))).toBe(true);
    expect(isCollectionDue(PUBLISHED, iso(24 * 30 + 1), at(24 * 32))).toBe(false);
  });

  it('never collects a post before it goes out', () => {
    expect(isCollectionDue(PUBLISHED, undefined, at(-1))).toBe(false);
  });
});

const posts: PostInfo[] = [
  {
    post_id: 'tiktok_a',
    platform: 'tiktok',
    variant_id: A,
    variant_type: 'humorous',
    publication_status: 'published',
    published_at: PUBLISHED,
  },
  {
    post_id: 'youtube_a',
    platform: 'youtube',
    variant_id: A,
    variant_type: 'humorous',
    publication_status: 'published',
    published_at: PUBLISHED,
  },
  {
    post_id: 'tiktok_b',
    platform: 'tiktok',
    variant_id: B,
    variant_type: 'emotional',
    publication_status: 'published',
    published_at: PUBLISHED,
  },
];
const point = (post_id: string, hours: number, views: number, engaged: number) => ({
  post_id,
  collected_at: iso(hours),
  views,
  likes: engaged,
  comments: 0,
  shares: 0,
});

describe('performance and the A/B report', () => {
  it('keeps each post’s series and totals the latest points per variant, platform and campaign', () => {
    const perf = buildPerformance(
      CAMPAIGN,
      posts,
      [
        point('tiktok_a', 2, 900, 90),
        point('tiktok_a', 1, 400, 40),
        point('youtube_a', 1, 100, 5),
        point('tiktok_b', 1, 1000, 50),
      ],
      new Date(at(3)),
    );
    expect(perf.posts[0]?.series.map((p) => p.views)).toEqual([400, 900]);
    expect(perf.posts[0]?.latest).toEqual({
      views: 900,
      likes: 90,
      comments: 0,
      shares: 0,
      engagement_rate: 0.1,
    });
    expect(perf.by_variant).toEqual([
      {
        variant_id: A,
        variant_type: 'humorous',
        views: 1000,
        likes: 95,
        comments: 0,
        shares: 0,
        engagement_rate: 0.095,
      },
      {
        variant_id: B,
        variant_type: 'emotional',
        views: 1000,
        likes: 50,
        comments: 0,
        shares: 0,
        engagement_rate: 0.05,
      },
    ]);
    expect(perf.by_platform.find((p) => p.platform === 'tiktok')?.views).toBe(1900);
    expect(perf.totals.views).toBe(2000);
  });

  it('names a winner only at significance with the minimum sample, with Wilson intervals', () => {
    const big = buildPerformance(
      CAMPAIGN,
      posts,
      [point('tiktok_a', 1, 5000, 600), point('tiktok_b', 1, 5000, 300)],
      new Date(at(2)),
    );
    const report = buildAbReport(big);
    expect(report).toMatchObject({ decision: 'winner', winner: A });
    expect(report.variants[0]).toMatchObject({
      variant_id: A,
      variant_type: 'humorous',
      meets_min_sample: true,
    });
    expect(report.variants[0]?.ci95.low).toBeGreaterThan(0.11);
    expect(report.variants[0]?.ci95.high).toBeLessThan(0.13);
    expect(report.comparison?.p_value).toBeLessThan(0.001);

    const small = buildPerformance(
      CAMPAIGN,
      posts,
      [point('tiktok_a', 1, 500, 60), point('tiktok_b', 1, 500, 30)],
      new Date(at(2)),
    );
    expect(buildAbReport(small)).toMatchObject({ decision: 'insufficient_sample' });
    expect(buildAbReport(small).winner).toBeUndefined();

    const close = buildPerformance(
      CAMPAIGN,
      posts,
      [point('tiktok_a', 1, 5000, 505), point('tiktok_b', 1, 5000, 500)],
      new Date(at(2)),
    );
    expect(buildAbReport(close)).toMatchObject({ decision: 'not_significant' });
  });
});
