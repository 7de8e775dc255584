import { z } from 'zod';
import type { EngagementSnapshot, Publisher, PublishRequest } from '../../ports/index.js';
import { ProviderRetryableError } from '../../ports/index.js';
import { ApiEngagement, type PlatformHttp, PlatformPublishError, type Sleep } from './http.js';
import { fileSize, Progress, postText, readRange, titleOf } from './progress.js';

/** Resumable uploads move in multiples of 256 KiB (all chunks but the last). */
export const YOUTUBE_CHUNK_QUANTUM = 256 * 1024;

export interface YouTubeOptions {
  /** Serves `/youtube/v3` and `/upload/youtube/v3` (default https://www.googleapis.com). */
  baseUrl: string;
  /** public | unlisted | private (projects not yet audited by Google are forced to private). */
  privacyStatus?: 'public' | 'unlisted' | 'private';
  /** Bytes per PUT, a multiple of 256 KiB (default 8 MiB). */
  chunkBytes?: number;
  categoryId?: string;
  /** Interruptions survived inside one call before the caller retries (progress carries over). */
  maxInterruptions?: number;
  sleep?: Sleep;
}

const YouTubeProgress = z.object({
  session_uri: z.string().min(1),
  total_bytes: z.number().int().min(0),
  video_id: z.string().min(1),
});

const Video = z.object({
  id: z.string().min(1),
  status: z.object({ uploadStatus: z.string() }).partial().optional(),
});

type SessionState = { done: string } | { next: number } | 'expired';

/**
 * YouTube Data API v3 `videos.insert` over the resumable upload protocol: a session (POST with the
 * metadata → `Location`), chunked PUTs with `Content-Range`, and after an interruption a status query
 * (`Content-Range: bytes *\/N` → `308` + `Range`) to resume where the server stopped. The session URI
 * and the video id are saved as progress: a retry resumes the session or returns the video, it never
 * inserts a second one. An insert costs 1600 quota units: `quotaExceeded` is a clear failure, not retried.
 */
export class YouTubePublisher implements Publisher {
  readonly provider = 'youtube';

  constructor(
    private readonly http: PlatformHttp,
    private readonly opts: YouTubeOptions,
  ) {
    const chunk = opts.chunkBytes ?? 8 * 1024 * 1024;
    if (chunk <= 0 || chunk % YOUTUBE_CHUNK_QUANTUM !== 0) {
      throw new Error(`youtube: chunkBytes ${chunk} is not a multiple of 256 KiB`);
    }
  }

  static watchUrl(videoId: string): string {
    return `https://www.youtube.com/watch?v=${encodeURIComponent(videoId)}`;
  }

  async publish(req: PublishRequest) {
    const progress = await Progress.load(req.progress, YouTubeProgress);
    const scheduled = isFuture(req.scheduled_time);
    const result = (id: string) => ({
      post_id: id,
      url: YouTubePublisher.watchUrl(id),
      status: scheduled ? ('scheduled' as const) : ('published' as const),
    });
    if (progress.value.video_id) return result(progress.value.video_id);

    const total = await fileSize(req.video_path);
    let offset = 0;
    const { session_uri, total_bytes } = progress.value;
    if (session_uri && total_bytes === total) {
      const state = await this.sessionState(session_uri, total);
      if (state === 'expired') await progress.drop('session_uri', 'total_bytes');
      else if ('done' in state) {
        await progress.save({ video_id: state.done });
        return result(state.done);
      } else offset = state.next;
    } else if (session_uri) {
      await progress.drop('session_uri', 'total_bytes');
    }
    if (!progress.value.session_uri) {
      const uri = await this.openSession(req, total, scheduled);
      await progress.save({ session_uri: uri, total_bytes: total });
      offset = 0;
    }
    const videoId = await this.upload(progress.value.session_uri as string, req.video_path, total, offset);
    await progress.save({ video_id: videoId });
    return result(videoId);
  }

  private async openSession(req: PublishRequest, total: number, scheduled: boolean): Promise<string> {
    const url = new URL('/upload/youtube/v3/videos', this.opts.baseUrl);
    url.searchParams.set('uploadType', 'resumable');
    url.searchParams.set('part', 'snippet,status');
    const status: Record<string, unknown> = {
      // A scheduled video is private until `publishAt`, when YouTube makes it public.
      privacyStatus: scheduled ? 'private' : (this.opts.privacyStatus ?? 'public'),
      selfDeclaredMadeForKids: false,
      containsSyntheticMedia: req.ai_generated,
    };
    if (scheduled) status.publishAt = new Date(req.scheduled_time as string).toISOString();
    const res = await this.guard(() =>
      this.http.call(url.toString(), {
        method: 'POST',
        headers: { 'x-upload-content-length': String(total), 'x-upload-content-type': 'video/mp4' },
        json: {
          snippet: {
            title: titleOf(req.title ?? req.caption),
            description: postText(req).slice(0, 5000),
            tags: req.hashtags.map((h) => h.replace(/^#/, '')),
            categoryId: this.opts.categoryId ?? '22',
          },
          status,
        },
      }),
    );
    await res.body?.cancel();
    const location = res.headers.get('location');
    if (!location)
      throw new PlatformPublishError('youtube', 'the upload session answer has no Location header');
    return location;
  }

  /** Sends the bytes from `offset`, resuming after interruptions; returns the video id. */
  private async upload(sessionUri: string, path: string, total: number, offset: number): Promise<string> {
    const chunk = this.opts.chunkBytes ?? 8 * 1024 * 1024;
    let next = offset;
    let interruptions = 0;
    for (;;) {
      const end = Math.min(next + chunk, total) - 1;
      let state: SessionState;
      try {
        const bytes = await readRange(path, next, end);
        const res = await this.guard(() =>
          this.http.call(
            sessionUri,
            {
              method: 'PUT',
              headers: {
                'content-type': 'video/mp4',
                'content-range': `bytes ${next}-${end}/${total}`,
              },
              body: bytes,
            },
            { accept: [200, 201, 308, 404, 410, 500, 502, 503, 504] },
          ),
        );
        if (res.status >= 500) {
          await res.body?.cancel();
          throw new ProviderRetryableError(`youtube: HTTP ${res.status} during upload`);
        }
        state = await this.readState(res);
        if (state === 'expired') {
          throw new ProviderRetryableError(
            'youtube: the upload session expired; a new one is opened on retry',
          );
        }
      } catch (error) {
        if (
          !(error instanceof ProviderRetryableError) ||
          ++interruptions > (this.opts.maxInterruptions ?? 5)
        ) {
          throw error;
        }
        // Interrupted: ask the server how much it has, after a short back-off.
        await (this.opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(
          1000 * 2 ** (interruptions - 1),
        );
        state = await this.sessionState(sessionUri, total);
        if (state === 'expired') {
          throw new ProviderRetryableError(
            'youtube: the upload session expired; a new one is opened on retry',
          );
        }
      }
      if ('done' in state) return state.done;
      next = state.next;
    }
  }

  /** `PUT` with `Content-Range: bytes *\/total`: 308 + Range (bytes received), 200/201 (done), 404 (expired). */
  private async sessionState(sessionUri: string, total: number): Promise<SessionState> {
    const res = await this.http.call(
      sessionUri,
      { method: 'PUT', headers: { 'content-range': `bytes */${total}`, 'content-length': '0' } },
      { accept: [200, 201, 308, 404, 410] },
    );
    return this.readState(res);
  }

  private async readState(res: Response): Promise<SessionState> {
    if (res.status === 200 || res.status === 201) return { done: (await this.http.parse(res, Video)).id };
    await res.body?.cancel();
    if (res.status === 404 || res.status === 410) return 'expired';
    // `Range: bytes=0-N` is what the server holds; no Range header means nothing yet.
    const range = /bytes=0-(\d+)/.exec(res.headers.get('range') ?? '');
    return { next: range ? Number(range[1]) + 1 : 0 };
  }

  /** Quota and policy refusals read as what they are. */
  private async guard(call: () => Promise<Response>): Promise<Response> {
    try {
      return await call();
    } catch (error) {
      if (
        error instanceof PlatformPublishError &&
        error.status === 403 &&
        /"reason"\s*:\s*"quotaExceeded"/.test(error.body ?? '')
      ) {
        throw new PlatformPublishError(
          'youtube',
          'quotaExceeded: the project has used its daily YouTube Data API quota (an upload costs 1600 units); publish again after it resets at midnight Pacific time',
          403,
        );
      }
      throw error;
    }
  }
}

const isFuture = (iso: string | undefined): boolean => iso !== undefined && Date.parse(iso) > Date.now();

const Statistics = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      statistics: z
        .object({
          viewCount: z.coerce.number(),
          likeCount: z.coerce.number(),
          commentCount: z.coerce.number(),
        })
        .partial()
        .optional(),
    }),
  ),
});

/** `videos.list?part=statistics` in pages of 50 ids (one quota unit each). YouTube reports no shares. */
export class YouTubeEngagement extends ApiEngagement {
  readonly platform = 'youtube' as const;

  async fetch(platformPostIds: string[]): Promise<EngagementSnapshot[]> {
    const out: EngagementSnapshot[] = [];
    for (let i = 0; i < platformPostIds.length; i += 50) {
      const url = new URL('/youtube/v3/videos', this.baseUrl);
      url.searchParams.set('part', 'statistics');
      url.searchParams.set('id', platformPostIds.slice(i, i + 50).join(','));
      const page = await this.http.json(url.toString(), { method: 'GET' }, Statistics);
      const at = this.now().toISOString();
      for (const item of page.items) {
        out.push({
          platform: 'youtube',
          platform_post_id: item.id,
          collected_at: at,
          views: item.statistics?.viewCount ?? 0,
          likes: item.statistics?.likeCount ?? 0,
          comments: item.statistics?.commentCount ?? 0,
          shares: 0,
        });
      }
    }
    return out;
  }
}
