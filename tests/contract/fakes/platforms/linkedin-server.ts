import { createHash, randomBytes } from 'node:crypto';
import { FakePlatformServer, type FakeRequest, type Reply, type TokenEndpoint } from './base.js';

interface FakeVideo {
  urn: string;
  owner: string;
  size: number;
  parts: { first: number; last: number; etag?: string; bytes?: Buffer }[];
  uploadToken: string;
  status: 'WAITING_UPLOAD' | 'PROCESSING' | 'AVAILABLE' | 'PROCESSING_FAILED';
  polls: number;
}

export interface FakeLinkedInPost {
  urn: string;
  body: Record<string, unknown>;
  reactions: Record<string, number>;
  comments: number;
  views: number;
  watchMs: number;
}

const restError = (status: number, code: string, message: string): Reply => ({
  status,
  body: { status, code, message, serviceErrorCode: 100 },
});

/**
 * LinkedIn's versioned REST API as documented: every call needs `LinkedIn-Version` and
 * `X-Restli-Protocol-Version: 2.0.0`; Videos API `initializeUpload` (upload instructions per part),
 * a `PUT` per part answering an `ETag`, `finalizeUpload` checking the ETags in order, `GET
 * /rest/videos/{urn}` (PROCESSING → AVAILABLE); Posts API (201, URN in `x-restli-id`; FINDER by
 * author); socialMetadata; videoAnalytics; the OAuth refresh grant at /oauth/v2/accessToken.
 */
export class FakeLinkedIn extends FakePlatformServer {
  readonly videos: FakeVideo[] = [];
  readonly posts: FakeLinkedInPost[] = [];
  partSize = 4 * 1024 * 1024;
  processingPolls = 1;
  /** The member lacks organization roles: videoAnalytics answers 403. */
  analyticsForbidden = false;

  protected readonly tokenEndpoint: TokenEndpoint = {
    method: 'POST',
    path: '/oauth/v2/accessToken',
    clientIdField: 'client_id',
    client: { client_id: 'li-client', client_secret: 'li-secret', refresh_token: 'AQXrefresh' },
    refreshToken: 'same',
  };

  protected override unauthorized(): Reply {
    return {
      status: 401,
      body: {
        status: 401,
        serviceErrorCode: 65600,
        code: 'INVALID_ACCESS_TOKEN',
        message: 'Invalid access token',
      },
    };
  }

  protected route(req: FakeRequest): Reply {
    const path = req.url.pathname;
    if (req.method === 'PUT' && path.startsWith('/dms-uploads/')) return this.part(req);
    if (!this.authorized(req)) return this.unauthorized();
    if (!/^\d{6}$/.test(String(req.headers['linkedin-version'] ?? ''))) {
      return restError(
        426,
        'VERSION_MISSING',
        'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
      );
    }
    if (req.headers['x-restli-protocol-version'] !== '2.0.0')
      return restError(400, 'BAD_REQUEST', 'Rest.li 2.0.0 required');
    const action = req.url.searchParams.get('action');
    if (req.method === 'POST' && path === '/rest/videos' && action === 'initializeUpload')
      return this.initialize(req);
    if (req.method === 'POST' && path === '/rest/videos' && action === 'finalizeUpload')
      return this.finalize(req);
    if (req.method === 'GET' && path.startsWith('/rest/videos/')) {
      const v = this.videos.find((x) => x.urn === decodeURIComponent(path.slice('/rest/videos/'.length)));
      if (!v) return restError(404, 'NOT_FOUND', 'video not found');
      if (v.status === 'PROCESSING' && v.polls-- <= 0) v.status = 'AVAILABLE';
      return { status: 200, body: { id: v.urn, owner: v.owner, status: v.status } };
    }
    if (req.method === 'POST' && path === '/rest/posts') return this.post(req);
    if (req.method === 'GET' && path === '/rest/posts' && req.url.searchParams.get('q') === 'author') {
      if (req.headers['x-restli-method'] !== 'FINDER')
        return restError(400, 'BAD_REQUEST', 'X-RestLi-Method FINDER required');
      const author = req.url.searchParams.get('author');
      const elements = [...this.posts]
        .reverse()
        .filter((p) => p.body.author === author)
        .map((p) => ({ id: p.urn, ...p.body }));
      return { status: 200, body: { elements, paging: { start: 0, count: 20, links: [] } } };
    }
    if (req.method === 'GET' && path.startsWith('/rest/socialMetadata/')) {
      const p = this.posts.find(
        (x) => x.urn === decodeURIComponent(path.slice('/rest/socialMetadata/'.length)),
      );
      if (!p) return restError(404, 'NOT_FOUND', 'entity not found');
      return {
        status: 200,
        body: {
          reactionSummaries: Object.fromEntries(
            Object.entries(p.reactions).map(([type, count]) => [type, { reactionType: type, count }]),
          ),
          commentSummary: { count: p.comments, topLevelCount: p.comments },
          commentsState: 'OPEN',
          entity: p.urn,
        },
      };
    }
    if (req.method === 'GET' && path === '/rest/videoAnalytics') {
      if (this.analyticsForbidden)
        return restError(403, 'ACCESS_DENIED', 'Not enough permissions to access: videoAnalytics');
      const q = req.url.searchParams;
      const p = this.posts.find((x) => x.urn === q.get('entity'));
      if (q.get('q') !== 'entity' || !p) return restError(400, 'BAD_REQUEST', 'entity required');
      const value = q.get('type') === 'VIDEO_WATCH_TIME' ? p.watchMs : p.views;
      return {
        status: 200,
        body: { elements: [{ entity: p.urn, type: q.get('type'), value, timeRange: {} }] },
      };
    }
    return restError(404, 'NOT_FOUND', `no resource ${path}`);
  }

  private initialize(req: FakeRequest): Reply {
    const { initializeUploadRequest: r } = req.json() as {
      initializeUploadRequest?: { owner?: string; fileSizeBytes?: number };
    };
    if (!r?.owner || !r.fileSizeBytes)
      return restError(400, 'BAD_REQUEST', 'owner and fileSizeBytes are required');
    const id = randomBytes(6).toString('hex');
    const urn = `urn:li:video:C5F10AQ${id}`;
    const parts: FakeVideo['parts'] = [];
    for (let first = 0; first < r.fileSizeBytes; first += this.partSize) {
      parts.push({ first, last: Math.min(first + this.partSize, r.fileSizeBytes) - 1 });
    }
    const video: FakeVideo = {
      urn,
      owner: r.owner,
      size: r.fileSizeBytes,
      parts,
      uploadToken: parts.length > 1 ? `token-${id}` : '',
      status: 'WAITING_UPLOAD',
      polls: this.processingPolls,
    };
    this.videos.push(video);
    return {
      status: 200,
      body: {
        value: {
          uploadUrlsExpireAt: Date.now() + 86_400_000,
          video: urn,
          uploadInstructions: parts.map((p, i) => ({
            uploadUrl: `${this.base}/dms-uploads/${id}/${i}?ca=vector_feedshare&sig=x`,
            firstByte: p.first,
            lastByte: p.last,
          })),
          uploadToken: video.uploadToken,
        },
      },
    };
  }

  private part(req: FakeRequest): Reply {
    const [, , id, index] = req.url.pathname.split('/');
    const video = this.videos.find((v) => v.urn.endsWith(id ?? '-'));
    const part = video?.parts[Number(index)];
    if (!video || !part) return { status: 404, body: 'Not Found' };
    if (req.body.length !== part.last - part.first + 1) return { status: 400, body: 'part size mismatch' };
    part.bytes = req.body;
    part.etag = `/ambry-video/signedId/${createHash('md5').update(req.body).digest('hex')}`;
    return { status: 200, headers: { etag: part.etag } };
  }

  private finalize(req: FakeRequest): Reply {
    const { finalizeUploadRequest: r } = req.json() as {
      finalizeUploadRequest?: { video?: string; uploadToken?: string; uploadedPartIds?: string[] };
    };
    const video = this.videos.find((v) => v.urn === r?.video);
    if (!video) return restError(404, 'NOT_FOUND', 'video not found');
    const expected = video.parts.map((p) => p.etag);
    if (
      r?.uploadToken !== video.uploadToken ||
      JSON.stringify(r?.uploadedPartIds) !== JSON.stringify(expected)
    ) {
      return restError(400, 'BAD_REQUEST', 'uploadedPartIds do not match the uploaded parts');
    }
    video.status = 'PROCESSING';
    return { status: 200 };
  }

  private post(req: FakeRequest): Reply {
    const body = req.json() as Record<string, unknown> & { content?: { media?: { id?: string } } };
    const video = this.videos.find((v) => v.urn === body.content?.media?.id);
    if (video?.status !== 'AVAILABLE') return restError(400, 'BAD_REQUEST', 'media is not available');
    const urn = `urn:li:ugcPost:${7_400_000_000_000_000_000n + BigInt(this.posts.length)}`;
    this.posts.push({ urn, body, reactions: {}, comments: 0, views: 0, watchMs: 0 });
    return { status: 201, headers: { 'x-restli-id': urn } };
  }

  /** All bytes the parts of a video received, in order. */
  bytesOf(urn: string): Buffer {
    const v = this.videos.find((x) => x.urn === urn);
    return Buffer.concat((v?.parts ?? []).map((p) => p.bytes ?? Buffer.alloc(0)));
  }
}
