import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runFfmpeg } from '../../../lambdas/shared/media/tools.js';
import { close, listen, readBody } from '../../../local/engine/http-util.js';

export interface GeminiCall {
  method: string;
  path: string;
  apiKey?: string;
  body?: Record<string, unknown>;
}

/** What the next new operation ends as. */
export type VeoOutcome =
  /** done with one sample; `uri` overrides where the video is said to be (another host). */
  | { kind: 'complete'; uri?: string; expiredAtOnce?: boolean }
  /** done with `error` (google.rpc.Status). */
  | { kind: 'error'; code: number; message: string; status?: string }
  /** done with no samples and `raiMediaFilteredReasons`. */
  | { kind: 'filtered'; reasons: string[] }
  | { kind: 'hang' };

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Op {
  name: string;
  model: string;
  body: Record<string, unknown>;
  outcome: VeoOutcome;
  polls: number;
  fileId?: string;
}

const MODELS = ['veo-3.1-fast-generate-preview', 'veo-3.1-generate-preview'];

const googleError = (code: number, status: string, message: string): Reply['body'] => ({
  error: { code, message, status },
});

/**
 * A local Gemini API for Veo: `POST /v1beta/models/{model}:predictLongRunning` (checks the documented
 * request fields: one instance with a prompt and optionally an image `{bytesBase64Encoded, mimeType}`;
 * parameters aspectRatio 16:9|9:16, durationSeconds 4|6|8, resolution 720p|1080p), `GET
 * /v1beta/{operation name}` (a long-running operation: `done`, then `response.generateVideoResponse`
 * or `error`), and `GET /v1beta/files/{id}:download?alt=media`, which like Google's redirects to the
 * bytes. Every API path wants the `x-goog-api-key` header. The clip is a real MP4 with an audio track
 * (Veo's audio is native). Outcomes, error replies and stalls are scripted by the test.
 */
export class FakeGemini {
  readonly calls: GeminiCall[] = [];
  readonly outcomes: VeoOutcome[] = [];
  readonly submitErrors: Reply[] = [];
  readonly pollErrors: Reply[] = [];
  /** Polls answering `done: false` before the outcome shows. */
  pollsBeforeDone = 1;
  /** The next submit requests get no answer (the client's timeout fires). */
  stalledSubmits = 0;
  /** Files deleted as Google deletes generated files after a while. */
  readonly expired = new Set<string>();
  readonly ops = new Map<string, Op>();
  private readonly files = new Map<string, Buffer>();
  private readonly clips = new Map<string, Buffer>();
  private readonly stalled: ServerResponse[] = [];
  private readonly workDir = mkdtempSync(path.join(tmpdir(), 'bie-fake-gemini-'));
  private server?: Server;
  url = '';

  constructor(private readonly apiKey: string) {}

  async start(): Promise<string> {
    const s = await listen((req, res) => this.handle(req, res));
    this.server = s.server;
    this.url = s.url;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.stalled) res.destroy();
    if (this.server) await close(this.server);
  }

  /** The file id behind an operation's video (once it completed). */
  fileOf(operationName: string): string | undefined {
    return this.ops.get(operationName)?.fileId;
  }

  private send(res: ServerResponse, r: Reply): void {
    const body = JSON.stringify(r.body);
    res.writeHead(r.status, { 'content-type': 'application/json; charset=UTF-8', ...(r.headers ?? {}) });
    res.end(body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const apiKey = req.headers['x-goog-api-key'] as string | undefined;
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    this.calls.push({ method: req.method ?? '', path: `${url.pathname}${url.search}`, apiKey, body });

    // The redirect target of a download: a signed storage URL that needs no key.
    const stored = /^\/storage\/([a-z0-9]+)$/.exec(url.pathname);
    if (req.method === 'GET' && stored) {
      const bytes = this.files.get(stored[1] as string);
      if (!bytes) return this.send(res, { status: 404, body: { error: 'no such object' } });
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(bytes.length) });
      res.end(bytes);
      return;
    }
    if (!apiKey) {
      return this.send(res, {
        status: 403,
        body: googleError(
          403,
          'PERMISSION_DENIED',
          "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        ),
      });
    }
    if (apiKey !== this.apiKey) {
      return this.send(res, {
        status: 400,
        body: {
          error: {
            ...(
              googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.') as {
                error: object;
              }
            ).error,
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                reason: 'API_KEY_INVALID',
                domain: 'googleapis.com',
              },
            ],
          },
        },
      });
    }

    const submit = /^\/v1beta\/models\/([^/:]+):predictLongRunning$/.exec(url.pathname);
    if (req.method === 'POST' && submit)
      return this.submit(decodeURIComponent(submit[1] as string), body ?? {}, res);
    const op = /^\/v1beta\/(models\/[^/]+\/operations\/[A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (req.method === 'GET' && op) return this.poll(op[1] as string, res);
    const file = /^\/v1beta\/files\/([a-z0-9]+):download$/.exec(url.pathname);
    if (req.method === 'GET' && file && url.searchParams.get('alt') === 'media') {
      const id = file[1] as string;
      if (!this.files.has(id) || this.expired.has(id)) {
        return this.send(res, { status: 404, body: googleError(404, 'NOT_FOUND', `File ${id} not found.`) });
      }
      // Another origin (localhost, not 127.0.0.1), as Google redirects to its storage host.
      res.writeHead(302, { location: `${this.url.replace('127.0.0.1', 'localhost')}/storage/${id}` });
      res.end();
      return;
    }
    this.send(res, {
      status: 404,
      body: googleError(404, 'NOT_FOUND', `no route ${req.method} ${url.pathname}`),
    });
  }

  private async submit(model: string, body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    if (this.stalledSubmits > 0) {
      this.stalledSubmits--;
      this.stalled.push(res);
      return;
    }
    const scripted = this.submitErrors.shift();
    if (scripted) return this.send(res, scripted);
    if (!MODELS.includes(model)) {
      return this.send(res, {
        status: 404,
        body: googleError(404, 'NOT_FOUND', `models/${model} is not found for API version v1beta`),
      });
    }
    const invalid = validateVeoRequest(body);
    if (invalid) return this.send(res, { status: 400, body: googleError(400, 'INVALID_ARGUMENT', invalid) });
    const name = `models/${model}/operations/${randomBytes(6).toString('hex')}`;
    this.ops.set(name, {
      name,
      model,
      body,
      outcome: this.outcomes.shift() ?? { kind: 'complete' },
      polls: 0,
    });
    this.send(res, { status: 200, body: { name } });
  }

  private async poll(name: string, res: ServerResponse): Promise<void> {
    const scripted = this.pollErrors.shift();
    if (scripted) return this.send(res, scripted);
    const op = this.ops.get(name);
    if (!op)
      return this.send(res, { status: 404, body: googleError(404, 'NOT_FOUND', 'Operation not found.') });
    op.polls++;
    if (op.polls <= this.pollsBeforeDone || op.outcome.kind === 'hang') {
      return this.send(res, { status: 200, body: { name } });
    }
    const o = op.outcome;
    const done = (fields: Record<string, unknown>) =>
      this.send(res, { status: 200, body: { name, done: true, ...fields } });
    if (o.kind === 'error') {
      return done({ error: { code: o.code, message: o.message, ...(o.status ? { status: o.status } : {}) } });
    }
    const type = 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse';
    if (o.kind === 'filtered') {
      return done({
        response: {
          '@type': type,
          generateVideoResponse: { raiMediaFilteredCount: 1, raiMediaFilteredReasons: o.reasons },
        },
      });
    }
    if (!op.fileId) {
      const params = (op.body.parameters ?? {}) as { aspectRatio?: string; durationSeconds?: number };
      op.fileId = randomBytes(6).toString('hex');
      this.files.set(op.fileId, await this.clip(params.aspectRatio === '16:9', params.durationSeconds ?? 8));
      if (o.expiredAtOnce) this.expired.add(op.fileId);
    }
    done({
      response: {
        '@type': type,
        generateVideoResponse: {
          generatedSamples: [
            { video: { uri: o.uri ?? `${this.url}/v1beta/files/${op.fileId}:download?alt=media` } },
          ],
        },
      },
    });
  }

  /** 720p at the asked aspect, 24 fps, with a stereo AAC track. */
  private async clip(landscape: boolean, seconds: number): Promise<Buffer> {
    const size = landscape ? '1280x720' : '720x1280';
    const key = `${size}x${seconds}`;
    const hit = this.clips.get(key);
    if (hit) return hit;
    const file = path.join(this.workDir, `${key}.mp4`);
    // biome-ignore format: one ffmpeg option per line pair
    await runFfmpeg([
      '-y',
      '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=24:duration=${seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '40', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-ac', '2', '-shortest', '-movflags', '+faststart',
      file,
    ]);
    const bytes = readFileSync(file);
    this.clips.set(key, bytes);
    return bytes;
  }
}

/** The documented request fields; a violation is Google's 400 INVALID_ARGUMENT. */
export function validateVeoRequest(body: Record<string, unknown>): string | undefined {
  const instances = body.instances as Record<string, unknown>[] | undefined;
  if (!Array.isArray(instances) || instances.length !== 1) return 'instances must hold exactly one instance';
  const instance = instances[0] as Record<string, unknown>;
  if (typeof instance.prompt !== 'string' || instance.prompt.length === 0)
    return 'instances[0].prompt is required';
  const unknownFields = Object.keys(instance).filter(
    (k) => !['prompt', 'image', 'lastFrame', 'referenceImages', 'video'].includes(k),
  );
  if (unknownFields.length)
    return `Invalid JSON payload received. Unknown name "${unknownFields[0]}" at 'instances[0]'`;
  if (instance.image !== undefined) {
    const image = instance.image as Record<string, unknown>;
    if (typeof image.bytesBase64Encoded !== 'string' || typeof image.mimeType !== 'string')
      return 'instances[0].image needs bytesBase64Encoded and mimeType';
  }
  const p = (body.parameters ?? {}) as Record<string, unknown>;
  if (p.aspectRatio !== undefined && !['16:9', '9:16'].includes(String(p.aspectRatio)))
    return `aspectRatio ${String(p.aspectRatio)} is not supported; use 16:9 or 9:16`;
  if (p.durationSeconds !== undefined && ![4, 6, 8].includes(p.durationSeconds as number))
    return 'durationSeconds must be the number 4, 6 or 8';
  if (p.resolution !== undefined && !['720p', '1080p'].includes(String(p.resolution)))
    return 'resolution must be 720p or 1080p';
  return undefined;
}
