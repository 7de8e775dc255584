import { z } from 'zod';
import type { EngagementSnapshot, Publisher, PublishRequest } from '../../ports/index.js';
import { ProviderRetryableError } from '../../ports/index.js';
import { ApiEngagement, type PlatformHttp, PlatformPublishError, poll, type Sleep } from './http.js';
import { fileSize, Progress, postText, readRange, titleOf } from './progress.js';

/** Headers of every LinkedIn REST call (versioned API, Rest.li 2.0 encoding). */
export const linkedInHeaders = (version: string): Record<string, string> => ({
  'linkedin-version': version,
  'x-restli-protocol-version': '2.0.0',
});

export interface LinkedInOptions {
  /** https://api.linkedin.com */
  baseUrl: string;
  /** The member or organization that posts: `urn:li:person:…` or `urn:li:organization:…`. */
  author: string;
  statusPolls?: number;
  pollIntervalMs?: number;
  sleep?: Sleep;
}

const Instruction = z.object({ uploadUrl: z.string().min(1), firstByte: z.number(), lastByte: z.number() });
const LinkedInProgress = z.object({
  video_urn: z.string().min(1),
  upload_token: z.string(),
  instructions: z.array(Instruction),
  /** ETag of each part, by position; '' for parts not yet accepted. */
  etags: z.array(z.string()),
  finalized: z.boolean(),
  /** A post was requested: if its answer was lost, the author's posts are searched before another. */
  posting: z.boolean(),
  post_urn: z.string().min(1),
});

const Initialize = z.object({
  value: z.object({
    video: z.string().min(1),
    // LinkedIn's multipart upload handle (not a credential); absent for single-part uploads.
    uploadToken: z.string().optional(),
    uploadInstructions: z.array(Instruction).min(1),
  }),
});
const VideoStatus = z.object({ status: z.string() });
const AuthorPosts = z.object({
  elements: z.array(
    z.object({
      id: z.string(),
      content: z.object({ media: z.object({ id: z.string() }).optional() }).optional(),
    }),
  ),
});

/**
 * LinkedIn through the Videos API (initializeUpload → a PUT per part, keeping each ETag →
 * finalizeUpload → AVAILABLE) and the Posts API (the post URN comes back in `x-restli-id`). Every
 * accepted part, the finalization and the post are saved as progress; before posting again after a
 * lost answer, the author's latest posts are searched for this video.
 */
export class LinkedInPublisher implements Publisher {
  readonly provider = 'linkedin';

  constructor(
    private readonly http: PlatformHttp,
    private readonly opts: LinkedInOptions,
  ) {}

  static postUrl(urn: string): string {
    return `https://www.linkedin.com/feed/update/${urn}/`;
  }

  async publish(req: PublishRequest) {
    const progress = await Progress.load(req.progress, LinkedInProgress);
    const done = (urn: string) => ({
      post_id: urn,
      url: LinkedInPublisher.postUrl(urn),
      status: 'published' as const,
    });
    if (progress.value.post_urn) return done(progress.value.post_urn);

    if (!progress.value.video_urn) {
      const size = await fileSize(req.video_path);
      const init = await this.http.json(
        this.url('/rest/videos?action=initializeUpload'),
        {
          method: 'POST',
          json: {
            initializeUploadRequest: {
              owner: this.opts.author,
              fileSizeBytes: size,
              uploadCaptions: false,
              uploadThumbnail: false,
            },
          },
        },
        Initialize,
      );
      await progress.save({
        video_urn: init.value.video,
        upload_token: init.value.uploadToken ?? '',
        instructions: init.value.uploadInstructions,
        etags: init.value.uploadInstructions.map(() => ''),
        finalized: false,
        posting: false,
      });
    }
    const state = () => progress.value as z.infer<typeof LinkedInProgress>;
    if (
      !state().finalized &&
      state().etags.every(Boolean) &&
      (await this.videoStatus(state().video_urn)) !== 'WAITING_UPLOAD'
    ) {
      // Every part was in and LinkedIn moved on: the answer to finalizeUpload was lost, not the call.
      await progress.save({ finalized: true });
    }
    if (!state().finalized) {
      const etags = [...state().etags];
      for (const [i, part] of state().instructions.entries()) {
        if (etags[i]) continue;
        const res = await this.http.call(
          part.uploadUrl,
          {
            method: 'PUT',
            headers: { 'content-type': 'application/octet-stream' },
            body: await readRange(req.video_path, part.firstByte, part.lastByte),
          },
          { auth: false },
        );
        await res.body?.cancel();
        const etag = res.headers.get('etag');
        if (!etag) throw new PlatformPublishError('linkedin', `part ${i + 1} was accepted without an ETag`);
        etags[i] = etag;
        await progress.save({ etags });
      }
      const fin = await this.http.call(this.url('/rest/videos?action=finalizeUpload'), {
        method: 'POST',
        json: {
          finalizeUploadRequest: {
            video: state().video_urn,
            uploadToken: state().upload_token,
            uploadedPartIds: etags,
          },
        },
      });
      await fin.body?.cancel();
      await progress.save({ finalized: true });
    }
    await this.awaitAvailable(progress);

    let urn = state().posting ? await this.findPost(state().video_urn) : undefined;
    if (!urn) {
      await progress.save({ posting: true });
      const res = await this.http.call(
        this.url('/rest/posts'),
        {
          method: 'POST',
          json: {
            author: this.opts.author,
            commentary: escapeLittleText(postText(req)).slice(0, 3000),
            visibility: 'PUBLIC',
            distribution: {
              feedDistribution: 'MAIN_FEED',
              targetEntities: [],
              thirdPartyDistributionChannels: [],
            },
            content: { media: { id: state().video_urn, title: titleOf(req.title ?? req.caption, 200) } },
            lifecycleState: 'PUBLISHED',
            isReshareDisabledByAuthor: false,
          },
        },
        { once: true },
      );
      await res.body?.cancel();
      urn = res.headers.get('x-restli-id') ?? undefined;
      if (!urn)
        throw new PlatformPublishError('linkedin', 'the post was created but no x-restli-id came back');
    }
    await progress.save({ post_urn: urn });
    return done(urn);
  }

  private async awaitAvailable(progress: Progress<typeof LinkedInProgress>): Promise<void> {
    const urn = progress.value.video_urn as string;
    const ready = await poll(
      this.opts.sleep,
      this.opts.pollIntervalMs ?? 5000,
      this.opts.statusPolls ?? 12,
      async () => {
        const status = await this.videoStatus(urn);
        if (status === 'AVAILABLE') return true;
        if (status === 'PROCESSING_FAILED') {
          // The video is unusable: the next attempt uploads it again.
          await progress.drop('video_urn', 'upload_token', 'instructions', 'etags', 'finalized');
          throw new PlatformPublishError('linkedin', `video ${urn} failed processing`);
        }
        return undefined;
      },
    );
    if (!ready) throw new ProviderRetryableError(`linkedin: video ${urn} is still processing`, 30);
  }

  private async videoStatus(urn: string): Promise<string> {
    const v = await this.http.json(
      this.url(`/rest/videos/${encodeURIComponent(urn)}`),
      { method: 'GET' },
      VideoStatus,
    );
    return v.status;
  }

  private async findPost(videoUrn: string): Promise<string | undefined> {
    const url = new URL('/rest/posts', this.opts.baseUrl);
    url.searchParams.set('q', 'author');
    url.searchParams.set('author', this.opts.author);
    url.searchParams.set('count', '20');
    const posts = await this.http.json(
      url.toString(),
      { method: 'GET', headers: { 'x-restli-method': 'FINDER' } },
      AuthorPosts,
    );
    return posts.elements.find((p) => p.content?.media?.id === videoUrn)?.id;
  }

  private url(path: string): string {
    return new URL(path, this.opts.baseUrl).toString();
  }
}

/**
 * Posts API commentary is "little text": its reserved characters are escaped, and hashtags become
 * `{hashtag|\\#|tag}` so they stay hashtags.
 */
export function escapeLittleText(text: string): string {
  return text
    .replace(/[\\|{}@[\]()<>#*_~]/g, (c) => `\\${c}`)
    .replace(/\\#(\p{L}[\p{L}\p{N}_]*)/gu, (_, tag: string) => `{hashtag|\\#|${tag}}`);
}

const SocialMetadata = z.object({
  reactionSummaries: z.record(z.string(), z.object({ count: z.number() })).default({}),
  commentSummary: z.object({ count: z.number() }).partial().default({}),
});
const VideoAnalytics = z.object({ elements: z.array(z.object({ value: z.number() })) });

/** socialMetadata (reactions, comments) and videoAnalytics (views, watch time) of each post. */
export class LinkedInEngagement extends ApiEngagement {
  readonly platform = 'linkedin' as const;

  async fetch(platformPostIds: string[]): Promise<EngagementSnapshot[]> {
    const out: EngagementSnapshot[] = [];
    for (const urn of platformPostIds) {
      let social: z.infer<typeof SocialMetadata>;
      try {
        social = await this.http.json(
          new URL(`/rest/socialMetadata/${encodeURIComponent(urn)}`, this.baseUrl).toString(),
          { method: 'GET' },
          SocialMetadata,
        );
      } catch (error) {
        if (error instanceof PlatformPublishError && error.status === 404) continue;
        throw error;
      }
      const views = await this.analytics(urn, 'VIDEO_VIEW');
      const watchMs = await this.analytics(urn, 'VIDEO_WATCH_TIME');
      out.push({
        platform: 'linkedin',
        platform_post_id: urn,
        collected_at: this.now().toISOString(),
        views: views ?? 0,
        likes: Object.values(social.reactionSummaries).reduce((n, r) => n + r.count, 0),
        comments: social.commentSummary.count ?? 0,
        // Reshare counts are in organization share statistics only.
        shares: 0,
        ...(watchMs !== undefined ? { watch_time_seconds: Math.round(watchMs / 1000) } : {}),
      });
    }
    return out;
  }

  /** Video analytics need organization roles: without them (403) the figure is left out. */
  private async analytics(urn: string, type: 'VIDEO_VIEW' | 'VIDEO_WATCH_TIME'): Promise<number | undefined> {
    const url = new URL('/rest/videoAnalytics', this.baseUrl);
    url.searchParams.set('q', 'entity');
    url.searchParams.set('entity', urn);
    url.searchParams.set('type', type);
    url.searchParams.set('aggregation', 'ALL');
    try {
      const res = await this.http.json(url.toString(), { method: 'GET' }, VideoAnalytics);
      return res.elements.reduce((n, e) => n + e.value, 0);
    } catch (error) {
      if (error instanceof PlatformPublishError && error.status === 403) return undefined;
      throw error;
    }
  }
}
