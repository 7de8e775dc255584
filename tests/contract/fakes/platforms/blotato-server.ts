import { randomBytes } from 'node:crypto';
import { FakePlatformServer, type FakeRequest, type Reply, type TokenEndpoint } from './base.js';

export interface FakeSubmission {
  id: string;
  body: { post?: Record<string, unknown>; scheduledTime?: string };
  polls: number;
  status: 'in-progress' | 'scheduled' | 'published' | 'failed';
  errorMessage?: string;
}

/**
 * Blotato's v2 API as its reference describes it: the `blotato-api-key` header, `POST /v2/media`
 * (fetches the URL, answers a Blotato-hosted URL), `POST /v2/posts` (`{ post: { accountId, content,
 * target }, scheduledTime? }` → `postSubmissionId`, media only from Blotato's domain), and `GET
 * /v2/posts/{id}` (in-progress → published with `publicUrl`, or failed with `errorMessage`).
 */
export class FakeBlotato extends FakePlatformServer {
  readonly key = 'blt_test_key';
  readonly submissions: FakeSubmission[] = [];
  readonly uploads: { source: string; bytes: number }[] = [];
  processingPolls = 1;
  failWith?: string;

  // Blotato has no OAuth: an API key. The base's endpoint is unused.
  protected readonly tokenEndpoint: TokenEndpoint = {
    method: 'POST',
    path: '/no-oauth',
    clientIdField: 'client_id',
    client: { client_id: '-', client_secret: '-', refresh_token: '-' },
  };

  protected override tokenOf(req: FakeRequest): string | undefined {
    return req.headers['blotato-api-key'] as string | undefined;
  }

  protected async route(req: FakeRequest): Promise<Reply> {
    if (this.tokenOf(req) !== this.key)
      return { status: 401, body: { message: 'Unauthorized: invalid API key' } };
    const path = req.url.pathname;
    if (req.method === 'POST' && path === '/v2/media') {
      const { url } = req.json() as { url?: string };
      const res = url ? await fetch(url).catch(() => undefined) : undefined;
      if (!res?.ok) return { status: 400, body: { message: `could not download media from ${url}` } };
      this.uploads.push({ source: url as string, bytes: (await res.arrayBuffer()).byteLength });
      return {
        status: 201,
        body: { url: `https://database.blotato.com/${randomBytes(6).toString('hex')}.mp4` },
      };
    }
    if (req.method === 'POST' && path === '/v2/posts') {
      const body = req.json() as FakeSubmission['body'];
      const post = body.post as {
        accountId?: string;
        content?: { mediaUrls?: string[]; platform?: string };
        target?: { targetType?: string };
      };
      if (!post?.accountId || !post.content || post.target?.targetType !== post.content.platform) {
        return {
          status: 400,
          body: { message: 'post.accountId, content and a matching target are required' },
        };
      }
      if (!(post.content.mediaUrls ?? []).every((u) => u.startsWith('https://database.blotato.com/'))) {
        return { status: 400, body: { message: 'media must be uploaded to Blotato first' } };
      }
      const s: FakeSubmission = {
        id: randomBytes(8).toString('hex'),
        body,
        polls: this.processingPolls,
        status: body.scheduledTime ? 'scheduled' : 'in-progress',
      };
      this.submissions.push(s);
      return { status: 201, body: { postSubmissionId: s.id } };
    }
    const m = /^\/v2\/posts\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && m) {
      const s = this.submissions.find((x) => x.id === m[1]);
      // Unknown ids answer in-progress too (documented).
      if (!s) return { status: 200, body: { postSubmissionId: m[1], status: 'in-progress' } };
      if (s.status === 'in-progress' && s.polls-- <= 0) {
        s.status = this.failWith ? 'failed' : 'published';
        s.errorMessage = this.failWith;
      }
      const platform = (s.body.post as { content: { platform: string } }).content.platform;
      return {
        status: 200,
        body: {
          postSubmissionId: s.id,
          status: s.status,
          ...(s.status === 'published' ? { publicUrl: `https://www.${platform}.com/p/${s.id}` } : {}),
          ...(s.errorMessage ? { errorMessage: s.errorMessage } : {}),
        },
      };
    }
    return { status: 404, body: { message: 'Not Found' } };
  }
}
