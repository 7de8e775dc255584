import { z } from 'zod';
import type { EngagementSnapshot, Publisher, PublishRequest } from '../../ports/index.js';
import { ProviderRetryableError } from '../../ports/index.js';
import {
  ApiEngagement,
  type PlatformHttp,
  PlatformPublishError,
  poll,
  type Sleep,
  safeJson,
} from './http.js';
import { fileSize, Progress, postText, readRange } from './progress.js';

const MB = 1024 * 1024;
/** Media transfer guide: chunks of 5–64 MB, the last may hold the trailing bytes (up to 128 MB). */
const MIN_CHUNK = 5 * MB;
const MAX_CHUNK = 64 * MB;

export type TikTokPrivacy =
  | 'PUBLIC_TO_EVERYONE'
  | 'MUTUAL_FOLLOW_FRIENDS'
  | 'FOLLOWER_OF_CREATOR'
  | 'SELF_ONLY';

export interface TikTokOptions {
  /** https://open.tiktokapis.com */
  baseUrl: string;
  /**
   * Privacy of Direct Posts. Until TikTok audits the app every post is forced private, so the default
   * is SELF_ONLY; an audited app configures PUBLIC_TO_EVERYONE. It must be one the creator offers.
   */
  privacyLevel?: TikTokPrivacy;
  chunkBytes?: number;
  /** Status checks inside one call (moderation can take longer: the caller retries, progress polls on). */
  statusPolls?: number;
  pollIntervalMs?: number;
  sleep?: Sleep;
}

/** TikTok wraps every answer as `{ data, error: { code, message, log_id } }`, `code: "ok"` on success. */
const envelope = <S extends z.ZodType>(data: S) =>
  z.object({ data, error: z.object({ code: z.string(), message: z.string().optional() }) });

const CreatorInfo = envelope(
  z.object({
    creator_username: z.string().optional(),
    privacy_level_options: z.array(z.string()),
    comment_disabled: z.boolean().optional(),
    duet_disabled: z.boolean().optional(),
    stitch_disabled: z.boolean().optional(),
    max_video_post_duration_sec: z.number().optional(),
  }),
);
const Init = envelope(z.object({ publish_id: z.string().min(1), upload_url: z.string().min(1) }));
const Status = envelope(
  z.object({
    status: z.string(),
    fail_reason: z.string().optional(),
    // (sic) TikTok's spelling.
    publicaly_available_post_id: z.array(z.union([z.string(), z.number()])).optional(),
    uploaded_bytes: z.number().optional(),
  }),
);

const TikTokProgress = z.object({
  publish_id: z.string().min(1),
  upload_url: z.string().min(1),
  video_size: z.number().int(),
  chunk_size: z.number().int(),
  /** Chunks TikTok acknowledged (206/201): a resumed upload starts at the next one. */
  chunks_done: z.number().int(),
  username: z.string(),
  post_id: z.string().min(1),
});

/** The chunking the media transfer guide prescribes for a file of `size` bytes. */
export function tiktokChunks(
  size: number,
  preferred = 10 * MB,
): { chunk_size: number; total_chunk_count: number } {
  if (size < MIN_CHUNK) return { chunk_size: size, total_chunk_count: 1 };
  const chunk = Math.min(Math.max(preferred, MIN_CHUNK), MAX_CHUNK);
  if (size <= chunk) return { chunk_size: size, total_chunk_count: 1 };
  return { chunk_size: chunk, total_chunk_count: Math.floor(size / chunk) };
}

/**
 * TikTok Content Posting API, Direct Post: creator_info first (the privacy options the creator
 * allows), `video/init` with FILE_UPLOAD chunks, sequential `PUT`s to the upload URL with
 * `Content-Range`, then `status/fetch` until PUBLISH_COMPLETE or FAILED. The publish id, upload URL
 * and acknowledged chunks are saved as progress: a retry uploads the rest or just polls, and never
 * initializes a second post while the first can still complete.
 */
export class TikTokPublisher implements Publisher {
  readonly provider = 'tiktok';

  constructor(
    private readonly http: PlatformHttp,
    private readonly opts: TikTokOptions,
  ) {}

  async publish(req: PublishRequest) {
    const progress = await Progress.load(req.progress, TikTokProgress);
    const done = (postId: string, username: string) => ({
      post_id: postId,
      url: /^\d+$/.test(postId)
        ? `https://www.tiktok.com/@${username}/video/${postId}`
        : `https://www.tiktok.com/@${username}`,
      status: 'published' as const,
    });
    if (progress.value.post_id) return done(progress.value.post_id, progress.value.username ?? '');

    const size = await fileSize(req.video_path);
    let uploading = true;
    if (progress.value.publish_id) {
      const { status } = await this.status(progress.value.publish_id);
      // FAILED: nothing was posted, so a new init is safe; so is one for a different file.
      if (status === 'FAILED' || (status === 'PROCESSING_UPLOAD' && progress.value.video_size !== size)) {
        await progress.drop('publish_id', 'upload_url', 'chunks_done');
      } else {
        // Past PROCESSING_UPLOAD TikTok has every byte, even if the last acknowledgement was not saved.
        uploading = status === 'PROCESSING_UPLOAD';
      }
    }
    if (!progress.value.publish_id) {
      const creator = await this.creatorInfo();
      const privacy = this.privacy(creator.privacy_level_options);
      const { chunk_size, total_chunk_count } = tiktokChunks(size, this.opts.chunkBytes);
      const init = await this.http.json(
        this.url('/v2/post/publish/video/init/'),
        {
          method: 'POST',
          json: {
            post_info: {
              title: postText(req).slice(0, 2200),
              privacy_level: privacy,
              disable_duet: creator.duet_disabled ?? false,
              disable_comment: creator.comment_disabled ?? false,
              disable_stitch: creator.stitch_disabled ?? false,
              video_cover_timestamp_ms: 1000,
              brand_content_toggle: false,
              brand_organic_toggle: false,
              is_aigc: req.ai_generated,
            },
            source_info: { source: 'FILE_UPLOAD', video_size: size, chunk_size, total_chunk_count },
          },
        },
        Init,
      );
      this.ok(init);
      await progress.save({
        publish_id: init.data.publish_id,
        upload_url: init.data.upload_url,
        video_size: size,
        chunk_size,
        chunks_done: 0,
        username: creator.creator_username ?? '',
      });
    }
    if (uploading) await this.upload(req.video_path, progress);
    const postId = await this.awaitOutcome(progress.value.publish_id as string);
    await progress.save({ post_id: postId });
    return done(postId, progress.value.username ?? '');
  }

  private async upload(path: string, progress: Progress<typeof TikTokProgress>): Promise<void> {
    const { upload_url, video_size, chunk_size } = progress.value as z.infer<typeof TikTokProgress>;
    const count = Math.max(1, Math.floor(video_size / chunk_size));
    for (let i = progress.value.chunks_done ?? 0; i < count; i++) {
      const first = i * chunk_size;
      const last = i === count - 1 ? video_size - 1 : first + chunk_size - 1;
      const res = await this.http.call(
        upload_url,
        {
          method: 'PUT',
          headers: { 'content-type': 'video/mp4', 'content-range': `bytes ${first}-${last}/${video_size}` },
          body: await readRange(path, first, last),
        },
        // The upload URL carries its own authorization.
        { auth: false },
      );
      await res.body?.cancel();
      await progress.save({ chunks_done: i + 1 });
    }
  }

  /** Polls status/fetch; the public post id once published (private posts have none: the publish id). */
  private async awaitOutcome(publishId: string): Promise<string> {
    const outcome = await poll(
      this.opts.sleep,
      this.opts.pollIntervalMs ?? 5000,
      this.opts.statusPolls ?? 12,
      async () => {
        const s = await this.status(publishId);
        if (s.status === 'PUBLISH_COMPLETE') return s.post_id ?? publishId;
        if (s.status === 'FAILED') {
          throw new PlatformPublishError('tiktok', `the post failed: ${s.fail_reason ?? 'no reason given'}`);
        }
        return undefined;
      },
    );
    if (outcome === undefined) {
      throw new ProviderRetryableError(
        `tiktok: post ${publishId} is still processing (moderation can take hours)`,
        60,
      );
    }
    return outcome;
  }

  private async status(publishId: string) {
    const res = await this.http.call(this.url('/v2/post/publish/status/fetch/'), {
      method: 'POST',
      json: { publish_id: publishId },
    });
    const text = await res.text();
    const parsed = Status.safeParse(safeJson(text));
    if (!parsed.success)
      throw new PlatformPublishError('tiktok', `unexpected status answer: ${text.slice(0, 300)}`);
    this.ok(parsed.data);
    // Post ids are int64 JSON numbers, past what a double holds exactly: read their digits from the text.
    const raw = /"publicaly_available_post_id"\s*:\s*\[\s*"?(\d+)/.exec(text)?.[1];
    return { ...parsed.data.data, post_id: raw };
  }

  private async creatorInfo() {
    const res = await this.http.json(
      this.url('/v2/post/publish/creator_info/query/'),
      { method: 'POST' },
      CreatorInfo,
    );
    this.ok(res);
    return res.data;
  }

  private privacy(options: string[]): TikTokPrivacy {
    const wanted = this.opts.privacyLevel ?? 'SELF_ONLY';
    if (options.includes(wanted)) return wanted;
    throw new PlatformPublishError(
      'tiktok',
      `privacy level ${wanted} is not one the creator offers (${options.join(', ')}); set TIKTOK_PRIVACY_LEVEL`,
    );
  }

  private ok(res: { error: { code: string; message?: string } }): void {
    if (res.error.code !== 'ok')
      throw new PlatformPublishError('tiktok', `${res.error.code}: ${res.error.message ?? ''}`);
  }

  private url(path: string): string {
    return new URL(path, this.opts.baseUrl).toString();
  }
}

const VideoQuery = envelope(
  z.object({
    videos: z.array(
      z.object({
        id: z.union([z.string(), z.number()]),
        view_count: z.number().optional(),
        like_count: z.number().optional(),
        comment_count: z.number().optional(),
        share_count: z.number().optional(),
      }),
    ),
  }),
);

/** `/v2/video/query/` with the count fields, 20 ids per call (scope video.list). */
export class TikTokEngagement extends ApiEngagement {
  readonly platform = 'tiktok' as const;

  async fetch(platformPostIds: string[]): Promise<EngagementSnapshot[]> {
    const out: EngagementSnapshot[] = [];
    // Private posts carry their publish id, which video/query does not know.
    const ids = platformPostIds.filter((id) => /^\d+$/.test(id));
    for (let i = 0; i < ids.length; i += 20) {
      const url = new URL('/v2/video/query/', this.baseUrl);
      url.searchParams.set('fields', 'id,view_count,like_count,comment_count,share_count');
      const res = await this.http.json(
        url.toString(),
        { method: 'POST', json: { filters: { video_ids: ids.slice(i, i + 20) } } },
        VideoQuery,
      );
      if (res.error.code !== 'ok')
        throw new PlatformPublishError('tiktok', `${res.error.code}: ${res.error.message ?? ''}`);
      const at = this.now().toISOString();
      for (const v of res.data.videos) {
        out.push({
          platform: 'tiktok',
          platform_post_id: String(v.id),
          collected_at: at,
          views: v.view_count ?? 0,
          likes: v.like_count ?? 0,
          comments: v.comment_count ?? 0,
          shares: v.share_count ?? 0,
        });
      }
    }
    return out;
  }
}
