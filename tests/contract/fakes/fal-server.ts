import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ffmpegPath } from '../../../lambdas/shared/media/tools.js';

/** The only key the fake accepts (`Authorization: Key …`). */
export const FAKE_FAL_KEY = 'test-fal-key';

/** What happens to the next request submitted (in order; then `success`). */
export type FalOutcome =
  | 'success'
  /** The model fails: result 500 with `{detail}`, webhook status ERROR. */
  | 'provider_error'
  /** A content checker flags the prompt: result 422 `content_policy_violation`, webhook ERROR. */
  | 'refusal'
  /** The submit is rate limited: 429 with Retry-After, nothing queued. */
  | 'rate_limited'
  /** The request stays IN_PROGRESS forever; no webhook. */
  | 'hang';

export interface FalRequestRecord {
  request_id: string;
  model: string;
  input: Record<string, unknown>;
  webhook?: string;
  outcome: FalOutcome;
  /** Status calls until COMPLETED (IN_QUEUE, then IN_PROGRESS). */
  polls: number;
}

export interface WebhookDelivery {
  url: string;
  status: number;
  body: string;
  headers: Record<string, string>;
}

const make = (args: string[], out: string) => {
  execFileSync(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-y', ...args, out]);
  return readFileSync(out);
};

/**
 * A local server speaking the fal queue protocol as docs.fal.ai documents it: `POST /{model_id}
 * [?fal_webhook=]` with `Authorization: Key …` → `{request_id, gateway_request_id, status_url,
 * response_url, cancel_url}`; `GET /{app}/requests/{id}/status` → IN_QUEUE | IN_PROGRESS | COMPLETED;
 * `GET /{app}/requests/{id}` → the model's output (`video.url` or `images[].url`) or its error body;
 * a CDN path serving a real mp4 (ffmpeg testsrc, 9:16, with an audio track for Veo) and a png; signed
 * webhooks (its own ED25519 key pair, published at `/.well-known/jwks.json`). Outcomes are scripted.
 */
export class FakeFal {
  readonly requests: FalRequestRecord[] = [];
  readonly deliveries: WebhookDelivery[] = [];
  readonly outcomes: FalOutcome[] = [];
  /**
   * Outcomes by request (model id and input, e.g. a prompt a content checker flags every time), for
   * requests `outcomes` leaves as `success`; undefined or no answer: `success`.
   */
  outcomeFor?: (model: string, input: Record<string, unknown>) => FalOutcome | undefined;
  /** Status calls before a request is COMPLETED (default 2: one IN_QUEUE, one IN_PROGRESS). */
  pollsToComplete = 2;
  /** Deliver webhooks when a request is submitted with one (else only polling finishes it). */
  sendWebhooks = true;
  jwksFetches = 0;
  readonly userId = 'fal-user-test';
  readonly key: KeyObject;
  readonly publicKey: KeyObject;
  private server?: Server;
  private readonly media: { video: Buffer; videoWithAudio: Buffer; image: Buffer };
  /** Clips of other lengths, made when a request asks for one (as the real models render what is asked). */
  private readonly clips = new Map<string, Buffer>();
  private readonly dir: string;
  url = '';

  constructor() {
    const pair = generateKeyPairSync('ed25519');
    this.key = pair.privateKey;
    this.publicKey = pair.publicKey;
    const dir = mkdtempSync(path.join(tmpdir(), 'fake-fal-'));
    this.dir = dir;
    const video = ['-f', 'lavfi', '-i', 'testsrc=size=180x320:rate=24:duration=4'];
    const enc = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
    this.media = {
      video: make([...video, ...enc, '-an'], path.join(dir, 'silent.mp4')),
      videoWithAudio: make(
        [...video, '-f', 'lavfi', '-i', 'sine=frequency=440:duration=4', ...enc, '-c:a', 'aac', '-shortest'],
        path.join(dir, 'audio.mp4'),
      ),
      image: make(
        ['-f', 'lavfi', '-i', 'testsrc=size=180x320:duration=1', '-frames:v', '1'],
        path.join(dir, 'k.png'),
      ),
    };
  }

  /** The environment that points the engine's fal adapters at this server (after {@link start}). */
  environment(): Record<string, string> {
    return {
      BIE_VIDEO_PROVIDER: 'fal',
      FAL_KEY: FAKE_FAL_KEY,
      FAL_QUEUE_URL: this.url,
      FAL_JWKS_URL: `${this.url}/.well-known/jwks.json`,
      BIE_LOCAL_PROVIDER_ORIGINS: this.url,
    };
  }

  /** The JWKS document fal publishes (`{keys: [{kty: OKP, crv: Ed25519, x}]}`). */
  jwks(keys: KeyObject[] = [this.publicKey]): { keys: unknown[] } {
    return {
      keys: keys.map((k, i) => ({ ...k.export({ format: 'jwk' }), kid: `k${i}`, use: 'sig', alg: 'EdDSA' })),
    };
  }

  /** fal's signature headers for a body, by this server's key (or another, for forgeries). */
  sign(
    requestId: string,
    body: string,
    opts: { at?: number; key?: KeyObject; userId?: string } = {},
  ): Record<string, string> {
    const ts = String(Math.floor((opts.at ?? Date.now()) / 1000));
    const userId = opts.userId ?? this.userId;
    const message = `${requestId}\n${userId}\n${ts}\n${createHash('sha256').update(body).digest('hex')}`;
    return {
      'content-type': 'application/json',
      'x-fal-webhook-request-id': requestId,
      'x-fal-webhook-user-id': userId,
      'x-fal-webhook-timestamp': ts,
      'x-fal-webhook-signature': sign(null, Buffer.from(message), opts.key ?? this.key).toString('hex'),
    };
  }

  /** The webhook body fal posts when a request ends. */
  webhookBody(record: FalRequestRecord): string {
    const ok = record.outcome === 'success';
    return JSON.stringify({
      request_id: record.request_id,
      gateway_request_id: record.request_id,
      status: ok ? 'OK' : 'ERROR',
      payload: ok ? this.output(record) : this.errorBody(record).body,
      ...(ok
        ? {}
        : { error: record.outcome === 'refusal' ? 'Unprocessable Entity' : 'Internal Server Error' }),
    });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private isVeo = (model: string) => model.includes('/veo');
  private isImage = (model: string) => /seedream|nano-banana/.test(model);

  /** The clip of a request: the length its input asks (`duration: '6s'` or `'5'`; 4 s if none). */
  private clipFor(record: FalRequestRecord): Buffer {
    const audio = Boolean(this.isVeo(record.model) && record.input.generate_audio);
    const seconds = Number.parseFloat(String(record.input.duration ?? '4')) || 4;
    if (seconds === 4) return audio ? this.media.videoWithAudio : this.media.video;
    const key = `${seconds}:${audio}`;
    let clip = this.clips.get(key);
    if (!clip) {
      const video = ['-f', 'lavfi', '-i', `testsrc=size=180x320:rate=24:duration=${seconds}`];
      const enc = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
      const sound = audio
        ? ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, ...enc, '-c:a', 'aac', '-shortest']
        : [...enc, '-an'];
      clip = make([...video, ...sound], path.join(this.dir, `clip-${seconds}-${audio}.mp4`));
      this.clips.set(key, clip);
    }
    return clip;
  }

  private output(record: FalRequestRecord): Record<string, unknown> {
    if (this.isImage(record.model))
      return {
        images: [
          {
            url: `${this.url}/cdn/${record.request_id}.png`,
            content_type: 'image/png',
            width: 180,
            height: 320,
          },
        ],
        seed: 1,
      };
    return { video: { url: `${this.url}/cdn/${record.request_id}.mp4`, content_type: 'video/mp4' } };
  }

  private errorBody(record: FalRequestRecord): { status: number; body: unknown } {
    if (record.outcome === 'refusal')
      return {
        status: 422,
        body: {
          detail: [
            {
              loc: ['body', 'prompt'],
              msg: 'The content was flagged by a content checker.',
              type: 'content_policy_violation',
              url: 'https://docs.fal.ai/errors#content_policy_violation',
              input: String(record.input.prompt ?? ''),
            },
          ],
        },
      };
    return { status: 500, body: { detail: 'Internal error while generating the video' } };
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private async deliver(record: FalRequestRecord): Promise<void> {
    if (!record.webhook || !this.sendWebhooks || record.outcome === 'hang') return;
    const body = this.webhookBody(record);
    const headers = this.sign(record.request_id, body);
    try {
      const res = await fetch(record.webhook, { method: 'POST', headers, body });
      await res.body?.cancel();
      this.deliveries.push({ url: record.webhook, status: res.status, body, headers });
    } catch (error) {
      this.deliveries.push({ url: record.webhook, status: 0, body: String(error), headers });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', this.url);
    const p = url.pathname.replace(/^\/+/, '');
    if (req.method === 'GET' && p === '.well-known/jwks.json') {
      this.jwksFetches++;
      return this.send(res, 200, this.jwks());
    }
    if (req.method === 'GET' && p.startsWith('cdn/')) {
      const [id, ext] = p.slice(4).split('.');
      const record = this.requests.find((r) => r.request_id === id);
      if (!record) return this.send(res, 404, { detail: 'Not Found' });
      const bytes = ext === 'png' ? this.media.image : this.clipFor(record);
      res.writeHead(200, {
        'content-type': ext === 'png' ? 'image/png' : 'video/mp4',
        'content-length': String(bytes.length),
      });
      return void res.end(bytes);
    }
    if (req.headers.authorization !== `Key ${FAKE_FAL_KEY}`)
      return this.send(res, 401, { detail: 'No user found for Key ID and Secret' });
    const requestMatch = /^(.+?)\/requests\/([^/]+)(\/status)?$/.exec(p);
    if (req.method === 'GET' && requestMatch) {
      const [, app, id, status] = requestMatch;
      const record = this.requests.find((r) => r.request_id === id);
      // Served under the app's owner/alias only (a nested model id is not an app of its own).
      if (!record || record.model.split('/').slice(0, 2).join('/') !== app)
        return this.send(res, 404, { detail: 'Request not found' });
      if (status) {
        record.polls++;
        if (record.outcome !== 'hang' && record.polls >= this.pollsToComplete)
          return this.send(res, 200, {
            status: 'COMPLETED',
            logs: [],
            response_url: `${this.url}/${app}/requests/${id}`,
          });
        if (record.outcome !== 'hang' && record.polls === 1)
          return this.send(res, 200, {
            status: 'IN_QUEUE',
            queue_position: 0,
            response_url: `${this.url}/${app}/requests/${id}`,
          });
        return this.send(res, 200, { status: 'IN_PROGRESS', logs: [] });
      }
      if (record.outcome === 'hang') return this.send(res, 400, { detail: 'Request is still in progress' });
      if (record.outcome === 'success') return this.send(res, 200, this.output(record));
      const err = this.errorBody(record);
      return this.send(res, err.status, err.body);
    }
    if (req.method === 'POST') {
      const outcome = this.outcomes.shift() ?? 'success';
      if (outcome === 'rate_limited')
        return this.send(res, 429, { detail: 'Rate limit exceeded' }, { 'retry-after': '7' });
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return this.send(res, 422, { detail: [{ loc: ['body'], msg: 'Invalid JSON', type: 'value_error' }] });
      }
      const id = randomUUID();
      const app = p.split('/').slice(0, 2).join('/');
      const record: FalRequestRecord = {
        request_id: id,
        model: p,
        input,
        webhook: url.searchParams.get('fal_webhook') ?? undefined,
        outcome: outcome === 'success' ? (this.outcomeFor?.(p, input) ?? outcome) : outcome,
        polls: 0,
      };
      this.requests.push(record);
      this.send(res, 200, {
        request_id: id,
        gateway_request_id: id,
        status_url: `${this.url}/${app}/requests/${id}/status`,
        response_url: `${this.url}/${app}/requests/${id}`,
        cancel_url: `${this.url}/${app}/requests/${id}/cancel`,
      });
      // The job "runs" and ends shortly after the submit answered.
      setTimeout(() => void this.deliver(record), 50);
      return;
    }
    this.send(res, 405, { detail: 'Method Not Allowed' });
  }
}
