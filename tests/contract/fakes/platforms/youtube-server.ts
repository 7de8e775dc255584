import { randomBytes } from 'node:crypto';
import { FakePlatformServer, type FakeRequest, type Reply, type TokenEndpoint } from './base.js';

interface Session {
  total: number;
  received: Buffer[];
  bytes: number;
  metadata: { snippet?: Record<string, unknown>; status?: Record<string, unknown> };
  videoId?: string;
}

export interface FakeVideo {
  id: string;
  bytes: Buffer;
  snippet: Record<string, unknown>;
  status: Record<string, unknown>;
  statistics: { viewCount: string; likeCount: string; favoriteCount: string; commentCount: string };
}

const QUANTUM = 256 * 1024;

/**
 * YouTube Data API v3 as the resumable upload protocol documents it: `POST /upload/youtube/v3/videos
 * ?uploadType=resumable` → 200 + `Location`; `PUT <session>` with `Content-Range: bytes a-b/N` (chunks
 * in 256 KiB multiples) → `308 Resume Incomplete` + `Range: bytes=0-x`, the last → 201 + the video;
 * `PUT` with `Content-Range: bytes *\/N` → the same status answer; an unknown session → 404.
 * `videos.list?part=statistics`; Google's error bodies (quotaExceeded, authError); Google's token endpoint.
 *
 * `interruptNextChunkAfter(n)`: the next chunk is cut after n of its bytes and the connection dropped,
 * the server keeping what arrived (as Google's does).
 */
export class FakeYouTube extends FakePlatformServer {
  readonly sessions = new Map<string, Session>();
  readonly videos: FakeVideo[] = [];
  quotaExceeded = false;
  private interruptAfter?: number;

  protected readonly tokenEndpoint: TokenEndpoint = {
    method: 'POST',
    path: '/token',
    clientIdField: 'client_id',
    client: { client_id: 'yt-client', client_secret: 'yt-secret', refresh_token: 'yt-refresh' },
  };

  interruptNextChunkAfter(bytes: number): void {
    this.interruptAfter = bytes;
  }

  protected override unauthorized(): Reply {
    return {
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      body: {
        error: {
          code: 401,
          message: 'Request had invalid authentication credentials.',
          errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError' }],
          status: 'UNAUTHENTICATED',
        },
      },
    };
  }

  protected route(req: FakeRequest): Reply | 'drop' {
    const path = req.url.pathname;
    if (!this.authorized(req)) return this.unauthorized();
    if (req.method === 'POST' && path === '/upload/youtube/v3/videos') return this.open(req);
    if (req.method === 'PUT' && path === '/upload/youtube/v3/videos') return this.put(req);
    if (req.method === 'GET' && path === '/youtube/v3/videos') return this.list(req);
    return { status: 404, body: { error: { code: 404, message: 'Not Found' } } };
  }

  private open(req: FakeRequest): Reply {
    if (req.url.searchParams.get('uploadType') !== 'resumable')
      return badRequest('uploadType must be resumable');
    if (this.quotaExceeded) {
      return {
        status: 403,
        body: {
          error: {
            code: 403,
            message:
              'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
            errors: [{ message: 'quota', domain: 'youtube.quota', reason: 'quotaExceeded' }],
          },
        },
      };
    }
    const total = Number(req.headers['x-upload-content-length']);
    if (!Number.isInteger(total) || total <= 0) return badRequest('X-Upload-Content-Length is required');
    const metadata = req.json() as Session['metadata'];
    if (!metadata.snippet?.title) return badRequest('snippet.title is required');
    const id = randomBytes(8).toString('hex');
    this.sessions.set(id, { total, received: [], bytes: 0, metadata });
    return {
      status: 200,
      headers: {
        location: `${this.base}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status&upload_id=${id}`,
      },
    };
  }

  private put(req: FakeRequest): Reply | 'drop' {
    const session = this.sessions.get(req.url.searchParams.get('upload_id') ?? '');
    if (!session) return { status: 404, body: { error: { code: 404, message: 'Upload session not found' } } };
    const range = String(req.headers['content-range'] ?? '');
    const status = /^bytes \*\/(\d+)$/.exec(range);
    if (status) return this.state(session);
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(range);
    if (!m) return badRequest('Content-Range is required');
    const [first, last, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (total !== session.total) return badRequest('total size differs from the session');
    if (first !== session.bytes) return badRequest(`expected the range to start at ${session.bytes}`);
    if (last - first + 1 !== req.body.length) return badRequest('Content-Range does not match the body');
    if (last + 1 < total && req.body.length % QUANTUM !== 0)
      return badRequest('chunk is not a multiple of 256 KiB');
    if (this.interruptAfter !== undefined) {
      const kept = req.body.subarray(0, this.interruptAfter);
      this.interruptAfter = undefined;
      session.received.push(kept);
      session.bytes += kept.length;
      return 'drop';
    }
    session.received.push(req.body);
    session.bytes += req.body.length;
    return this.state(session);
  }

  private state(session: Session): Reply {
    if (session.bytes < session.total) {
      return {
        status: 308,
        headers: session.bytes > 0 ? { range: `bytes=0-${session.bytes - 1}` } : {},
      };
    }
    if (!session.videoId) {
      const id = randomBytes(6).toString('base64url');
      session.videoId = id;
      this.videos.push({
        id,
        bytes: Buffer.concat(session.received),
        snippet: session.metadata.snippet ?? {},
        status: { uploadStatus: 'uploaded', ...session.metadata.status },
        statistics: { viewCount: '0', likeCount: '0', favoriteCount: '0', commentCount: '0' },
      });
    }
    const v = this.videos.find((x) => x.id === session.videoId) as FakeVideo;
    return {
      status: 201,
      body: { kind: 'youtube#video', etag: 'e', id: v.id, snippet: v.snippet, status: v.status },
    };
  }

  private list(req: FakeRequest): Reply {
    const ids = (req.url.searchParams.get('id') ?? '').split(',');
    const parts = (req.url.searchParams.get('part') ?? '').split(',');
    const items = this.videos
      .filter((v) => ids.includes(v.id))
      .map((v) => ({
        kind: 'youtube#video',
        etag: 'e',
        id: v.id,
        ...(parts.includes('statistics') ? { statistics: v.statistics } : {}),
        ...(parts.includes('status') ? { status: v.status } : {}),
      }));
    return {
      status: 200,
      body: { kind: 'youtube#videoListResponse', etag: 'e', items, pageInfo: { totalResults: items.length } },
    };
  }
}

const badRequest = (message: string): Reply => ({
  status: 400,
  body: { error: { code: 400, message, errors: [{ message, domain: 'global', reason: 'badRequest' }] } },
});
