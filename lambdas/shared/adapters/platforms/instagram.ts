import { z } from 'zod';
import type { BlobStore, EngagementSnapshot, Publisher, PublishRequest } from '../../ports/index.js';
import { ProviderRetryableError } from '../../ports/index.js';
import { ApiEngagement, type PlatformHttp, PlatformPublishError, poll, type Sleep } from './http.js';
import { Progress, postText } from './progress.js';

export interface InstagramOptions {
  /** Graph API base with its version, e.g. https://graph.facebook.com/v23.0 */
  graphUrl: string;
  /** The Instagram professional account that posts. */
  userId: string;
  /** Meta fetches the video itself: a presigned URL of the rendition, valid this long. */
  presignSeconds?: number;
  /** Container status checks per call (Meta: about once a minute, for up to five minutes). */
  statusPolls?: number;
  pollIntervalMs?: number;
  sleep?: Sleep;
}

/** Meta answers an expired or revoked token with OAuthException code 190, often as HTTP 400. */
export const metaAuthFailure = (status: number, body: string): boolean =>
  (status === 400 || status === 401) && /"code"\s*:\s*190\b/.test(body);

const InstagramProgress = z.object({
  container_id: z.string().min(1),
  media_id: z.string().min(1),
  permalink: z.string().min(1),
});

const Id = z.object({ id: z.string().min(1) });
const ContainerStatus = z.object({ status_code: z.string(), status: z.string().optional() });
const Media = z.object({ id: z.string(), permalink: z.string().optional(), caption: z.string().optional() });
const PublishingLimit = z.object({
  data: z.array(
    z.object({ quota_usage: z.number(), config: z.object({ quota_total: z.number() }).optional() }),
  ),
});

/**
 * Instagram Reels through the Content Publishing API: a REELS container made from a presigned HTTPS
 * URL of the rendition (Meta downloads it), `status_code` polled until FINISHED, `media_publish`, then
 * the permalink. The container and media ids are saved as progress; a container found PUBLISHED on a
 * retry (the answer to media_publish was lost) is matched to its media by caption instead of being
 * published again.
 */
export class InstagramPublisher implements Publisher {
  readonly provider = 'instagram';

  constructor(
    private readonly http: PlatformHttp,
    private readonly blobs: BlobStore,
    private readonly opts: InstagramOptions,
  ) {}

  async publish(req: PublishRequest) {
    const progress = await Progress.load(req.progress, InstagramProgress);
    const caption = postText(req).slice(0, 2200);
    const done = () => ({
      post_id: progress.value.media_id as string,
      url: progress.value.permalink ?? `https://www.instagram.com/`,
      status: 'published' as const,
    });
    if (progress.value.media_id && progress.value.permalink) return done();

    if (progress.value.container_id && !progress.value.media_id) {
      const { status_code } = await this.containerStatus(progress.value.container_id);
      if (status_code === 'PUBLISHED') {
        await progress.save({ media_id: await this.findPublished(caption) });
      } else if (status_code === 'EXPIRED' || status_code === 'ERROR') {
        await progress.drop('container_id');
      }
    }
    if (!progress.value.media_id) {
      if (!progress.value.container_id) {
        await this.checkLimit();
        if (!req.video_key)
          throw new PlatformPublishError('instagram', 'the request names no video_key to presign');
        const videoUrl = await this.blobs.presign(req.video_key, this.opts.presignSeconds ?? 3 * 3600);
        const container = await this.http.json(
          this.url(`/${this.opts.userId}/media`),
          {
            method: 'POST',
            json: { media_type: 'REELS', video_url: videoUrl, caption, share_to_feed: true },
          },
          Id,
        );
        await progress.save({ container_id: container.id });
      }
      await this.awaitFinished(progress.value.container_id as string);
      const media = await this.http.json(
        this.url(`/${this.opts.userId}/media_publish?creation_id=${progress.value.container_id}`),
        { method: 'POST' },
        Id,
        { once: true },
      );
      await progress.save({ media_id: media.id });
    }
    const media = await this.http.json(
      this.url(`/${progress.value.media_id}?fields=id,permalink,shortcode`),
      { method: 'GET' },
      Media,
    );
    await progress.save({ permalink: media.permalink ?? `https://www.instagram.com/reel/${media.id}/` });
    return done();
  }

  private containerStatus(containerId: string) {
    return this.http.json(
      this.url(`/${containerId}?fields=status_code,status`),
      { method: 'GET' },
      ContainerStatus,
    );
  }

  private async awaitFinished(containerId: string): Promise<void> {
    const finished = await poll(
      this.opts.sleep,
      this.opts.pollIntervalMs ?? 60_000,
      this.opts.statusPolls ?? 5,
      async () => {
        const s = await this.containerStatus(containerId);
        if (s.status_code === 'FINISHED') return true;
        if (s.status_code === 'ERROR' || s.status_code === 'EXPIRED') {
          throw new PlatformPublishError(
            'instagram',
            `the Reels container ${s.status_code}: ${s.status ?? ''}`,
          );
        }
        return undefined;
      },
    );
    if (!finished)
      throw new ProviderRetryableError(`instagram: container ${containerId} is still processing`, 60);
  }

  /** The account's recent media with this caption: the post a lost media_publish answer made. */
  private async findPublished(caption: string): Promise<string> {
    const recent = await this.http.json(
      this.url(`/${this.opts.userId}/media?fields=id,caption,permalink&limit=25`),
      { method: 'GET' },
      z.object({ data: z.array(Media) }),
    );
    const match = recent.data.find((m) => m.caption === caption);
    if (!match) {
      throw new PlatformPublishError(
        'instagram',
        'the container is already published but its media is not among the 25 latest posts; not publishing it again',
      );
    }
    return match.id;
  }

  /** Accounts may publish a limited number of posts per 24 h: read the endpoint rather than guess. */
  private async checkLimit(): Promise<void> {
    const limit = await this.http.json(
      this.url(`/${this.opts.userId}/content_publishing_limit?fields=quota_usage,config`),
      { method: 'GET' },
      PublishingLimit,
    );
    const usage = limit.data[0];
    if (usage?.config && usage.quota_usage >= usage.config.quota_total) {
      throw new PlatformPublishError(
        'instagram',
        `the account has published ${usage.quota_usage} of its ${usage.config.quota_total} posts allowed in 24 hours`,
      );
    }
  }

  private url(path: string): string {
    return `${this.opts.graphUrl.replace(/\/$/, '')}${path}`;
  }
}

const Insights = z.object({
  data: z.array(z.object({ name: z.string(), values: z.array(z.object({ value: z.number() })) })),
});

/** Media insights of Reels (views, likes, comments, shares, reach, total watch time in ms). */
export class InstagramEngagement extends ApiEngagement {
  readonly platform = 'instagram' as const;

  async fetch(platformPostIds: string[]): Promise<EngagementSnapshot[]> {
    const out: EngagementSnapshot[] = [];
    for (const id of platformPostIds) {
      const url = `${this.baseUrl.replace(/\/$/, '')}/${id}/insights?metric=views,likes,comments,shares,reach,ig_reels_video_view_total_time`;
      let insights: z.infer<typeof Insights>;
      try {
        insights = await this.http.json(url, { method: 'GET' }, Insights);
      } catch (error) {
        // A deleted post (or one made before the account turned professional) has no insights.
        if (error instanceof PlatformPublishError && error.status === 400) continue;
        throw error;
      }
      const metric = (name: string) => insights.data.find((m) => m.name === name)?.values[0]?.value;
      const watchMs = metric('ig_reels_video_view_total_time');
      out.push({
        platform: 'instagram',
        platform_post_id: id,
        collected_at: this.now().toISOString(),
        views: metric('views') ?? 0,
        likes: metric('likes') ?? 0,
        comments: metric('comments') ?? 0,
        shares: metric('shares') ?? 0,
        ...(watchMs !== undefined ? { watch_time_seconds: Math.round(watchMs / 1000) } : {}),
        // Meta retired media impressions in 2025; reach (accounts that saw it) is the nearest figure.
        ...(metric('reach') !== undefined ? { impressions: metric('reach') } : {}),
      });
    }
    return out;
  }
}
