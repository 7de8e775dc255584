import type {
  AbReport,
  EngagementPoint,
  PerformanceReport,
  Platform,
  VariantType,
} from '../../shared/contracts/index.js';
import { compareVariants, engagementRate } from './ab-stats.js';

/**
 * Engagement collection schedule and reports. Pure functions.
 *
 * Platforms report lifetime counters, so a post's latest point is its total; a variant's total is the
 * sum of its posts' latest points. Collection: hourly for the first 48 h after a post went out (when
 * engagement moves fastest), then daily until day 30, then never.
 */

const HOUR = 3_600_000;
export const COLLECTION = {
  hourlyForMs: 48 * HOUR,
  windowMs: 30 * 24 * HOUR,
  /** A run a little early still counts (the rule fires about hourly, not to the second). */
  slackMs: 5 * 60_000,
} as const;

/** Whether a post published at `publishedAt` and last collected at `last` is due at `now`. */
export function isCollectionDue(publishedAt: string, last: string | undefined, now: number): boolean {
  const published = Date.parse(publishedAt);
  if (!Number.isFinite(published) || now < published) return false;
  if (last === undefined) return true;
  const lastAt = Date.parse(last);
  // The window closes after day 30, but the first collection past it still records the final totals.
  if (lastAt - published >= COLLECTION.windowMs) return false;
  const interval = now - published < COLLECTION.hourlyForMs ? HOUR : 24 * HOUR;
  return now - lastAt >= interval - COLLECTION.slackMs;
}

export interface PostInfo {
  post_id: string;
  platform: Platform;
  variant_id: string;
  variant_type?: VariantType;
  publication_status: 'scheduled' | 'published' | 'failed' | 'cancelled';
  published_at?: string;
}

export interface PostPoint extends EngagementPoint {
  post_id: string;
}

type Totals = PerformanceReport['totals'];
const zero = (): Omit<Totals, 'engagement_rate'> => ({ views: 0, likes: 0, comments: 0, shares: 0 });
const withRate = (t: Omit<Totals, 'engagement_rate'>): Totals => ({
  ...t,
  engagement_rate: engagementRate(t),
});
const add = (a: Omit<Totals, 'engagement_rate'>, b: EngagementPoint) => {
  a.views += b.views;
  a.likes += b.likes;
  a.comments += b.comments;
  a.shares += b.shares;
};

/** Series per post, totals per variant, per platform and overall. */
export function buildPerformance(
  campaignId: string,
  posts: readonly PostInfo[],
  points: readonly PostPoint[],
  now: Date,
): PerformanceReport {
  const byPost = new Map<string, EngagementPoint[]>();
  for (const { post_id, ...p } of points) {
    const list = byPost.get(post_id) ?? [];
    list.push(p);
    byPost.set(post_id, list);
  }
  const variants = new Map<string, { variant_type?: VariantType; t: ReturnType<typeof zero> }>();
  const platforms = new Map<Platform, ReturnType<typeof zero>>();
  const total = zero();
  const rows = posts.map((post) => {
    const series = (byPost.get(post.post_id) ?? []).sort((a, b) =>
      a.collected_at.localeCompare(b.collected_at),
    );
    const last = series.at(-1);
    const latest = zero();
    if (last) add(latest, last);
    const v = variants.get(post.variant_id) ?? { variant_type: post.variant_type, t: zero() };
    variants.set(post.variant_id, v);
    const p = platforms.get(post.platform) ?? zero();
    platforms.set(post.platform, p);
    if (last) {
      add(v.t, last);
      add(p, last);
      add(total, last);
    }
    return {
      post_id: post.post_id,
      platform: post.platform,
      variant_id: post.variant_id,
      ...(post.variant_type ? { variant_type: post.variant_type } : {}),
      publication_status: post.publication_status,
      ...(post.published_at ? { published_at: post.published_at } : {}),
      series,
      latest: withRate(latest),
    };
  });
  return {
    campaign_id: campaignId,
    generated_at: now.toISOString(),
    posts: rows,
    by_variant: [...variants].map(([variant_id, v]) => ({
      variant_id,
      ...(v.variant_type ? { variant_type: v.variant_type } : {}),
      ...withRate(v.t),
    })),
    by_platform: [...platforms].map(([platform, t]) => ({ platform, ...withRate(t) })),
    totals: withRate(total),
  };
}

/** The A/B report of a campaign's variants from its performance (ab-stats.ts decides). */
export function buildAbReport(
  perf: PerformanceReport,
  opts: { alpha?: number; minViews?: number } = {},
): AbReport {
  const result = compareVariants(
    perf.by_variant.map((v) => ({
      variant_id: v.variant_id,
      metrics: { views: v.views, likes: v.likes, shares: v.shares, comments: v.comments },
    })),
    opts,
  );
  const types = new Map(perf.by_variant.map((v) => [v.variant_id, v.variant_type]));
  return {
    campaign_id: perf.campaign_id,
    generated_at: perf.generated_at,
    decision: result.decision,
    ...(result.winner ? { winner: result.winner } : {}),
    alpha: result.alpha,
    min_views: result.min_views,
    variants: result.variants.map((v) => {
      const type = types.get(v.variant_id);
      return { ...v, ...(type ? { variant_type: type } : {}) };
    }),
    ...(result.comparison ? { comparison: result.comparison } : {}),
  };
}
