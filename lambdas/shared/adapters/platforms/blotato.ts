import { z } from 'zod';
import type { Platform } from '../../contracts/index.js';
import type { BlobStore, Publisher, PublishRequest } from '../../ports/index.js';
import { ProviderRetryableError } from '../../ports/index.js';
import {
  type AccessToken,
  PlatformAuthError,
  type PlatformHttp,
  PlatformPublishError,
  poll,
  type Sleep,
} from './http.js';
import { Progress, postText, titleOf } from './progress.js';
import type { TikTokPrivacy } from './tiktok.js';

/** An API key: nothing to refresh, so a refused key is a clear failure at once. */
export class ApiKey implements AccessToken {
  constructor(
    private readonly key: () => Promise<string>,
    private readonly platform: 'blotato' = 'blotato',
  ) {}
  token(): Promise<string> {
    return this.key();
  }
  async refresh(): Promise<string> {
    throw new PlatformAuthError(
      this.platform,
      'the API key was refused (check the key and that the plan includes API access)',
    );
  }
}

/** Blotato takes its key in its own header. */
export const blotatoAuthHeader = (key: string): Record<string, string> => ({ 'blotato-api-key': key });

export interface BlotatoOptions {
  /** https://backend.blotato.com */
  baseUrl: string;
  /** Blotato account id per platform (`GET /v2/users/me/accounts`). */
  accountIds: Partial<Record<Platform, string>>;
  tiktokPrivacy?: TikTokPrivacy;
  youtubePrivacy?: 'public' | 'unlisted' | 'private';
  presignSeconds?: number;
  statusPolls?: number;
  pollIntervalMs?: number;
  sleep?: Sleep;
}

const BlotatoProgress = z.object({
  media_url: z.string().min(1),
  submission_id: z.string().min(1),
  public_url: z.string().min(1),
  scheduled: z.boolean(),
});
const Submission = z.object({
  postSubmissionId: z.string().min(1),
  status: z.string().optional(),
  publicUrl: z.string().optional(),
  errorMessage: z.string().optional(),
});

/**
 * Blotato as an aggregator for any platform: the rendition is handed over by a presigned URL
 * (`POST /v2/media`, which returns a Blotato-hosted URL), the post is submitted (`POST /v2/posts`)
 * and its submission polled until published or failed. The submission id is the post id we keep;
 * it is saved before polling, so a retry only polls. Failed submissions are not resubmitted
 * (Blotato's advice): the failure is reported.
 */
export class BlotatoPublisher implements Publisher {
  readonly provider = 'blotato';

  constructor(
    private readonly http: PlatformHttp,
    private readonly blobs: BlobStore,
    private readonly opts: BlotatoOptions,
  ) {}

  async publish(req: PublishRequest) {
    const progress = await Progress.load(req.progress, BlotatoProgress);
    const result = () => ({
      post_id: progress.value.submission_id as string,
      url: progress.value.public_url as string,
      status: progress.value.scheduled ? ('scheduled' as const) : ('published' as const),
    });
    if (progress.value.submission_id && progress.value.public_url) return result();

    if (!progress.value.submission_id) {
      const accountId = this.opts.accountIds[req.platform];
      if (!accountId) {
        throw new PlatformPublishError(
          'blotato',
          `no Blotato account is configured for ${req.platform} (BLOTATO_ACCOUNT_IDS)`,
        );
      }
      if (!progress.value.media_url) {
        if (!req.video_key)
          throw new PlatformPublishError('blotato', 'the request names no video_key to presign');
        const url = await this.blobs.presign(req.video_key, this.opts.presignSeconds ?? 3600);
        const media = await this.http.json(
          this.url('/v2/media'),
          { method: 'POST', json: { url } },
          z.object({ url: z.string().min(1) }),
        );
        await progress.save({ media_url: media.url });
      }
      const scheduled = req.scheduled_time !== undefined && Date.parse(req.scheduled_time) > Date.now();
      const res = await this.http.json(
        this.url('/v2/posts'),
        {
          method: 'POST',
          json: {
            post: {
              accountId,
              content: { text: postText(req), mediaUrls: [progress.value.media_url], platform: req.platform },
              target: this.target(req),
            },
            ...(scheduled ? { scheduledTime: new Date(req.scheduled_time as string).toISOString() } : {}),
          },
        },
        Submission,
        { once: true },
      );
      await progress.save({ submission_id: res.postSubmissionId, scheduled });
    }
    const id = progress.value.submission_id as string;
    const url = await poll(
      this.opts.sleep,
      this.opts.pollIntervalMs ?? 2000,
      this.opts.statusPolls ?? 30,
      async () => {
        const s = await this.http.json(
          this.url(`/v2/posts/${encodeURIComponent(id)}`),
          { method: 'GET' },
          Submission,
        );
        if (s.status === 'published') return s.publicUrl ?? `blotato:${id}`;
        if (s.status === 'scheduled') return `blotato:${id}`;
        if (s.status === 'failed') {
          throw new PlatformPublishError(
            'blotato',
            `submission ${id} failed: ${s.errorMessage ?? 'no reason given'}`,
          );
        }
        return undefined;
      },
    );
    if (!url) throw new ProviderRetryableError(`blotato: submission ${id} is still in progress`, 30);
    // A scheduled post has no public URL yet: keep polling on a later call rather than storing a stand-in.
    if (!url.startsWith('blotato:')) await progress.save({ public_url: url });
    return { ...result(), url };
  }

  /** Per-platform target fields (Blotato's publish reference). */
  private target(req: PublishRequest): Record<string, unknown> {
    switch (req.platform) {
      case 'tiktok':
        return {
          targetType: 'tiktok',
          privacyLevel: this.opts.tiktokPrivacy ?? 'SELF_ONLY',
          disabledComments: false,
          disabledDuet: false,
          disabledStitch: false,
          isBrandedContent: false,
          isYourBrand: false,
          isAiGenerated: req.ai_generated,
        };
      case 'youtube':
        return {
          targetType: 'youtube',
          title: titleOf(req.title ?? req.caption),
          privacyStatus: this.opts.youtubePrivacy ?? 'public',
          shouldNotifySubscribers: true,
          containsSyntheticMedia: req.ai_generated,
        };
      case 'instagram':
        return { targetType: 'instagram', mediaType: 'reel' };
      case 'linkedin':
        return { targetType: 'linkedin' };
    }
  }

  private url(path: string): string {
    return new URL(path, this.opts.baseUrl).toString();
  }
}
