import { randomBytes } from 'node:crypto';
import { FakePlatformServer, type FakeRequest, type Reply, type TokenEndpoint } from './base.js';

export const GRAPH_VERSION = 'v23.0';

interface Container {
  id: string;
  user: string;
  caption: string;
  video_url: string;
  bytes: number;
  status_code: 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';
  status: string;
  polls: number;
}

export interface FakeMedia {
  id: string;
  caption: string;
  permalink: string;
  shortcode: string;
  insights: Record<string, number>;
}

const graphError = (status: number, code: number, message: string, type = 'OAuthException'): Reply => ({
  status,
  body: { error: { message, type, code, fbtrace_id: 'AbC' } },
});

/**
 * The Instagram Graph API's content publishing as Meta documents it: `POST /{ig-user}/media`
 * (media_type=REELS, video_url that Meta downloads itself), `GET /{container}?fields=status_code`
 * (IN_PROGRESS → FINISHED, ERROR when the download fails), `POST /{ig-user}/media_publish
 * ?creation_id=`, media fields (permalink, shortcode), `/{ig-user}/media`, `/{media}/insights`,
 * `/{ig-user}/content_publishing_limit`, Graph error bodies (an expired token is HTTP 400 with
 * OAuthException code 190) and the long-lived token exchange (`GET /oauth/access_token`).
 */
export class FakeInstagram extends FakePlatformServer {
  readonly userId = '17841400000000001';
  readonly containers: Container[] = [];
  readonly media: FakeMedia[] = [];
  processingPolls = 1;
  quotaUsage = 0;

  protected readonly tokenEndpoint: TokenEndpoint = {
    method: 'GET',
    path: `/${GRAPH_VERSION}/oauth/access_token`,
    clientIdField: 'client_id',
    client: { client_id: 'meta-app', client_secret: 'meta-secret', refresh_token: 'EAAlonglived' },
    refreshToken: 'exchange',
  };

  get graphUrl(): string {
    return `${this.base}/${GRAPH_VERSION}`;
  }

  protected override unauthorized(): Reply {
    return {
      status: 400,
      body: {
        error: {
          message: 'Error validating access token: Session has expired on Sunday, 29-Nov-26.',
          type: 'OAuthException',
          code: 190,
          error_subcode: 463,
          fbtrace_id: 'AbC',
        },
      },
    };
  }

  protected async route(req: FakeRequest): Promise<Reply> {
    if (!this.authorized(req)) return this.unauthorized();
    const parts = req.url.pathname.split('/').filter(Boolean);
    if (parts[0] !== GRAPH_VERSION) return graphError(400, 2500, 'Unknown path components');
    const [, id, edge] = parts;
    const q = req.url.searchParams;
    if (id === this.userId) {
      if (req.method === 'POST' && edge === 'media') return this.create(req);
      if (req.method === 'POST' && edge === 'media_publish') return this.publish(q.get('creation_id') ?? '');
      if (req.method === 'GET' && edge === 'media') {
        return {
          status: 200,
          body: {
            data: [...this.media]
              .reverse()
              .map((m) => ({ id: m.id, caption: m.caption, permalink: m.permalink })),
          },
        };
      }
      if (req.method === 'GET' && edge === 'content_publishing_limit') {
        return {
          status: 200,
          body: {
            data: [{ quota_usage: this.quotaUsage, config: { quota_total: 100, quota_duration: 86400 } }],
          },
        };
      }
    }
    const container = this.containers.find((c) => c.id === id);
    if (container && req.method === 'GET' && !edge) {
      if (container.status_code === 'IN_PROGRESS' && container.polls-- <= 0)
        container.status_code = 'FINISHED';
      return {
        status: 200,
        body: { status_code: container.status_code, status: container.status, id: container.id },
      };
    }
    const media = this.media.find((m) => m.id === id);
    if (media && req.method === 'GET' && !edge) {
      return { status: 200, body: { id: media.id, permalink: media.permalink, shortcode: media.shortcode } };
    }
    if (media && req.method === 'GET' && edge === 'insights') {
      const metrics = (q.get('metric') ?? '').split(',');
      const unknown = metrics.find((m) => !(m in media.insights));
      if (unknown)
        return graphError(
          400,
          100,
          `(#100) metric[0] must be one of the following values: ${Object.keys(media.insights).join(', ')}`,
          'OAuthException',
        );
      return {
        status: 200,
        body: {
          data: metrics.map((name) => ({
            name,
            period: 'lifetime',
            values: [{ value: media.insights[name] }],
            title: name,
            id: `${media.id}/insights/${name}/lifetime`,
          })),
        },
      };
    }
    return graphError(
      400,
      100,
      `Unsupported ${req.method} request. Object with ID '${id}' does not exist`,
      'GraphMethodException',
    );
  }

  private async create(req: FakeRequest): Promise<Reply> {
    const body = req.json() as Record<string, unknown>;
    if (body.media_type !== 'REELS')
      return graphError(400, 100, 'The parameter media_type must be REELS for video');
    if (typeof body.video_url !== 'string')
      return graphError(400, 100, 'The parameter video_url is required');
    const c: Container = {
      id: randomBytes(8).readBigUInt64BE().toString().slice(0, 17),
      user: this.userId,
      caption: String(body.caption ?? ''),
      video_url: body.video_url,
      bytes: 0,
      status_code: 'IN_PROGRESS',
      status: 'In Progress: Media is still being processed.',
      polls: this.processingPolls,
    };
    // Meta downloads the video from the URL itself.
    try {
      const res = await fetch(body.video_url);
      if (!res.ok) throw new Error(String(res.status));
      c.bytes = (await res.arrayBuffer()).byteLength;
    } catch {
      c.status_code = 'ERROR';
      c.status = "Error: Media download has failed. The media URI doesn't meet our requirements.";
    }
    this.containers.push(c);
    return { status: 200, body: { id: c.id } };
  }

  private publish(creationId: string): Reply {
    const c = this.containers.find((x) => x.id === creationId);
    if (!c) return graphError(400, 100, 'Invalid parameter creation_id');
    if (c.status_code !== 'FINISHED')
      return graphError(400, 9007, 'Media ID is not available', 'OAuthException');
    c.status_code = 'PUBLISHED';
    const shortcode = randomBytes(8).toString('base64url').slice(0, 11);
    const m: FakeMedia = {
      id: randomBytes(8).readBigUInt64BE().toString().slice(0, 17),
      caption: c.caption,
      permalink: `https://www.instagram.com/reel/${shortcode}/`,
      shortcode,
      insights: {
        views: 0,
        likes: 0,
        comments: 0,
        shares: 0,
        saved: 0,
        reach: 0,
        ig_reels_video_view_total_time: 0,
      },
    };
    this.media.push(m);
    return { status: 200, body: { id: m.id } };
  }
}
