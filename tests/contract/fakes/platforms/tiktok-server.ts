import { randomBytes } from 'node:crypto';
import { FakePlatformServer, type FakeRequest, type Reply, type TokenEndpoint } from './base.js';

const MB = 1024 * 1024;

export interface FakeTikTokPost {
  publish_id: string;
  post_info: Record<string, unknown>;
  video_size: number;
  chunk_size: number;
  total_chunk_count: number;
  received: Buffer[];
  bytes: number;
  chunks: number;
  status: 'PROCESSING_UPLOAD' | 'PROCESSING_DOWNLOAD' | 'PUBLISH_COMPLETE' | 'FAILED';
  /** Status fetches left before a finished upload is published (moderation). */
  moderation: number;
  post_id?: string;
  fail_reason?: string;
  stats: { view_count: number; like_count: number; comment_count: number; share_count: number };
}

const ok = { code: 'ok', message: '', log_id: 'log' };
const fail = (status: number, code: string, message: string): Reply => ({
  status,
  body: { data: {}, error: { code, message, log_id: 'log' } },
});

/**
 * TikTok Content Posting API as documented: `{ data, error: { code, message, log_id } }` envelopes,
 * creator_info/query, Direct Post video/init with the media transfer guide's chunk rules (5–64 MB,
 * floor(size / chunk) chunks, a whole file under 5 MB), sequential `PUT`s to the upload URL (206 until
 * the last, then 201), status/fetch (PROCESSING_UPLOAD → PROCESSING_DOWNLOAD → PUBLISH_COMPLETE, the
 * public id only for public posts), video/query, and the v2 token endpoint (client_key).
 */
export class FakeTikTok extends FakePlatformServer {
  readonly posts: FakeTikTokPost[] = [];
  /** An unaudited app's creator may only post privately. */
  privacyOptions = ['SELF_ONLY'];
  /** Status fetches a finished upload spends in moderation. */
  moderationPolls = 1;
  username = 'lumen.coffee';

  protected readonly tokenEndpoint: TokenEndpoint = {
    method: 'POST',
    path: '/v2/oauth/token/',
    clientIdField: 'client_key',
    client: { client_id: 'tt-client-key', client_secret: 'tt-secret', refresh_token: 'rft.tiktok' },
    refreshToken: 'rotate',
  };

  protected override unauthorized(): Reply {
    return fail(401, 'access_token_invalid', 'The access token is invalid or not found in the request.');
  }

  protected route(req: FakeRequest): Reply {
    const path = req.url.pathname;
    if (req.method === 'PUT' && path === '/upload/') return this.upload(req);
    if (!this.authorized(req)) return this.unauthorized();
    if (req.method !== 'POST') return fail(404, 'not_found', 'no such endpoint');
    switch (path) {
      case '/v2/post/publish/creator_info/query/':
        return {
          status: 200,
          body: {
            data: {
              creator_avatar_url: 'https://p16.tiktokcdn.com/a.jpeg',
              creator_username: this.username,
              creator_nickname: 'Lumen Coffee',
              privacy_level_options: this.privacyOptions,
              comment_disabled: false,
              duet_disabled: false,
              stitch_disabled: true,
              max_video_post_duration_sec: 600,
            },
            error: ok,
          },
        };
      case '/v2/post/publish/video/init/':
        return this.init(req);
      case '/v2/post/publish/status/fetch/':
        return this.status(req);
      case '/v2/video/query/':
        return this.query(req);
      default:
        return fail(404, 'not_found', 'no such endpoint');
    }
  }

  private init(req: FakeRequest): Reply {
    const body = req.json() as {
      post_info?: Record<string, unknown>;
      source_info?: { source?: string; video_size?: number; chunk_size?: number; total_chunk_count?: number };
    };
    const info = body.post_info ?? {};
    const src = body.source_info ?? {};
    if (!this.privacyOptions.includes(String(info.privacy_level))) {
      return fail(400, 'invalid_params', `privacy_level ${String(info.privacy_level)} is not allowed`);
    }
    if (src.source !== 'FILE_UPLOAD') return fail(400, 'invalid_params', 'source must be FILE_UPLOAD here');
    const size = Number(src.video_size);
    const chunk = Number(src.chunk_size);
    const count = Number(src.total_chunk_count);
    const valid =
      size < 5 * MB
        ? chunk === size && count === 1
        : chunk >= 5 * MB &&
          chunk <= 64 * MB &&
          count === Math.max(1, Math.floor(size / chunk)) &&
          count <= 1000;
    if (!valid) return fail(400, 'invalid_params', 'chunk_size or total_chunk_count breaks the chunk rules');
    const publish_id = `v_pub_file~v2-1.${randomBytes(8).readBigUInt64BE()}`;
    this.posts.push({
      publish_id,
      post_info: info,
      video_size: size,
      chunk_size: chunk,
      total_chunk_count: count,
      received: [],
      bytes: 0,
      chunks: 0,
      status: 'PROCESSING_UPLOAD',
      moderation: this.moderationPolls,
      stats: { view_count: 0, like_count: 0, comment_count: 0, share_count: 0 },
    });
    return {
      status: 200,
      body: {
        data: { publish_id, upload_url: `${this.base}/upload/?upload_id=${publish_id}&upload_token=t` },
        error: ok,
      },
    };
  }

  private upload(req: FakeRequest): Reply {
    const post = this.posts.find((p) => p.publish_id === req.url.searchParams.get('upload_id'));
    if (post?.status !== 'PROCESSING_UPLOAD') return { status: 404, body: 'upload not found' };
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
    if (!m) return { status: 400, body: 'Content-Range required' };
    const [first, last, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const isLast = post.chunks === post.total_chunk_count - 1;
    const expectedLast = isLast ? post.video_size - 1 : first + post.chunk_size - 1;
    if (
      total !== post.video_size ||
      first !== post.bytes ||
      last !== expectedLast ||
      req.body.length !== last - first + 1
    ) {
      return { status: 416, body: 'Range Not Satisfiable' };
    }
    post.received.push(req.body);
    post.bytes += req.body.length;
    post.chunks++;
    if (post.chunks < post.total_chunk_count) return { status: 206 };
    post.status = 'PROCESSING_DOWNLOAD';
    return { status: 201 };
  }

  private status(req: FakeRequest): Reply {
    const { publish_id } = req.json() as { publish_id?: string };
    const post = this.posts.find((p) => p.publish_id === publish_id);
    if (!post) return fail(400, 'invalid_publish_id', 'publish_id does not exist');
    if (post.status === 'PROCESSING_DOWNLOAD') {
      if (post.moderation-- <= 0) {
        post.status = 'PUBLISH_COMPLETE';
        if (post.post_info.privacy_level !== 'SELF_ONLY')
          post.post_id = String(7_300_000_000_000_000_000n + BigInt(this.posts.indexOf(post)));
      }
    }
    const data = {
      status: post.status,
      ...(post.fail_reason ? { fail_reason: post.fail_reason } : {}),
      publicaly_available_post_id: '@IDS@',
      uploaded_bytes: post.bytes,
    };
    // Post ids are int64 JSON numbers (beyond 2^53): written raw, as TikTok sends them.
    const body = JSON.stringify({ data, error: ok }).replace('"@IDS@"', `[${post.post_id ?? ''}]`);
    return { status: 200, headers: { 'content-type': 'application/json' }, body };
  }

  private query(req: FakeRequest): Reply {
    const fields = (req.url.searchParams.get('fields') ?? '').split(',');
    const { filters } = req.json() as { filters?: { video_ids?: string[] } };
    const ids = filters?.video_ids ?? [];
    if (ids.length > 20) return fail(400, 'invalid_params', 'at most 20 video_ids');
    const videos = this.posts
      .filter((p) => p.post_id && ids.includes(p.post_id))
      .map((p) => {
        const v: Record<string, unknown> = { id: p.post_id };
        for (const [k, n] of Object.entries(p.stats)) if (fields.includes(k)) v[k] = n;
        return v;
      });
    return { status: 200, body: { data: { videos, cursor: 0, has_more: false }, error: ok } };
  }
}
