import {
  BrandPriors,
  EngagementPoint,
  type Platform,
  PlatformPost,
  PublishAt,
  ScheduledPost,
} from '../contracts/index.js';
import { body, getItem, type Item, putItem, queryPartition } from './table.js';

/**
 * Stores of issue 8: scheduled posts, the times a publication approval set, engagement time series and
 * per-brand priors. All in the single table, next to the campaign (or brand) they belong to.
 */

const C = (campaignId: string) => `CAMPAIGN#${campaignId}`;
const B = (brandId: string) => `BRAND#${brandId}`;

export const scheduledPosts = {
  async get(campaignId: string, postId: string): Promise<ScheduledPost | undefined> {
    const item = await getItem(C(campaignId), `SCHEDULE#${postId}`);
    return item ? ScheduledPost.parse(body(item)) : undefined;
  },
  /** Creates the record unless one exists; returns the stored one either way (a replay keeps the first). */
  async create(s: ScheduledPost): Promise<ScheduledPost> {
    const item = { pk: C(s.campaign_id), sk: `SCHEDULE#${s.post_id}`, ...ScheduledPost.parse(s) };
    if (await putItem(item, { ifAbsent: true })) return s;
    return (await this.get(s.campaign_id, s.post_id)) as ScheduledPost;
  },
  /** Replaces the record only if nobody changed it since `expected` was read (false otherwise). */
  async replace(next: ScheduledPost, expected: ScheduledPost): Promise<boolean> {
    return putItem(
      { pk: C(next.campaign_id), sk: `SCHEDULE#${next.post_id}`, ...ScheduledPost.parse(next) },
      { ifMatches: { updated_at: expected.updated_at, status: expected.status } },
    );
  },
  async list(campaignId: string): Promise<ScheduledPost[]> {
    return (await queryPartition(C(campaignId), 'SCHEDULE#')).map((i) => ScheduledPost.parse(body(i)));
  },
};

/** The times a publication approval set (`publish_at` of the decision), per publication. */
export const publicationTimes = {
  async put(campaignId: string, publicationId: string, at: PublishAt): Promise<void> {
    await putItem({ pk: C(campaignId), sk: `PUBTIMES#${publicationId}`, publish_at: PublishAt.parse(at) });
  },
  async get(campaignId: string, publicationId: string): Promise<PublishAt | undefined> {
    const item = await getItem(C(campaignId), `PUBTIMES#${publicationId}`);
    return item ? PublishAt.parse(item.publish_at) : undefined;
  },
};

/** A post of a campaign with the publication it belongs to (from its key). */
export interface StoredPost {
  publication_id: string;
  post: PlatformPost;
}

/** Every platform post of a campaign, all publications. */
export async function campaignPosts(campaignId: string): Promise<StoredPost[]> {
  return (await queryPartition(C(campaignId), 'POST#')).map((i) => ({
    publication_id: i.sk.split('#')[1] as string,
    post: PlatformPost.parse(body(i)),
  }));
}

/** Engagement points are kept this long after the collection window closes (DynamoDB TTL). */
export const ENGAGEMENT_RETENTION_DAYS = 90;

export interface StoredPoint extends EngagementPoint {
  post_id: string;
  platform: Platform;
  variant_id: string;
}

export const engagement = {
  /** One item per post per collection time; a replayed collection writes the same item again. */
  async put(campaignId: string, p: StoredPoint, publishedAt: string): Promise<void> {
    const expires = Math.floor(Date.parse(publishedAt) / 1000) + (30 + ENGAGEMENT_RETENTION_DAYS) * 86_400;
    const item: Item = {
      pk: C(campaignId),
      sk: `METRIC#${p.post_id}#${p.collected_at}`,
      ...EngagementPoint.parse(p),
      post_id: p.post_id,
      platform: p.platform,
      variant_id: p.variant_id,
      expires_at: expires,
    };
    await putItem(item);
  },
  /** Every point of a campaign, oldest first per post. */
  async list(campaignId: string): Promise<StoredPoint[]> {
    return (await queryPartition(C(campaignId), 'METRIC#')).map((i) => {
      const b = body<Record<string, unknown>>(i);
      return {
        ...EngagementPoint.parse(b),
        post_id: String(b.post_id),
        platform: b.platform as Platform,
        variant_id: String(b.variant_id),
      };
    });
  },
};

export const priors = {
  async get(brandId: string): Promise<BrandPriors | undefined> {
    const item = await getItem(B(brandId), 'PRIORS');
    return item ? BrandPriors.parse(body(item)) : undefined;
  },
  /**
   * Writes new priors: the first write only if there were none, later ones only if nobody wrote since
   * `expected` was read (false otherwise: read again and retry).
   */
  async put(next: BrandPriors, expected: BrandPriors | undefined): Promise<boolean> {
    const item = { pk: B(next.brand_id), sk: 'PRIORS', ...BrandPriors.parse(next) };
    return expected
      ? putItem(item, { ifMatches: { updated_at: expected.updated_at } })
      : putItem(item, { ifAbsent: true });
  },
};
