import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import {
  createServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { runFfmpeg } from '../../../lambdas/shared/media/tools.js';

export interface AsyncInvokeCall {
  method: string;
  path: string;
  body: Record<string, unknown>;
  authorization: string;
}

/** What happens to the next new invocation. */
export type AsyncOutcome =
  | { kind: 'complete' }
  /** Status Failed with this failureMessage, nothing written to S3. */
  | { kind: 'fail'; message: string }
  /** InProgress for ever (a render that never finishes). */
  | { kind: 'hang' };

interface ErrorReply {
  status: number;
  errorType: string;
  message: string;
  retryAfter?: number;
}

interface Invocation {
  arn: string;
  id: string;
  token: string;
  body: Record<string, unknown>;
  modelId: string;
  s3Uri: string;
  outcome: AsyncOutcome;
  polls: number;
  status: 'InProgress' | 'Completed' | 'Failed';
  failureMessage?: string;
  submitTime: string;
  endTime?: string;
}

const NOVA_REEL = 'amazon.nova-reel-v1:1';
const LUMA = 'luma.ray-v2:0';
const LUMA_ASPECTS = ['1:1', '16:9', '9:16', '4:3', '3:4', '21:9', '9:21'];

/**
 * A local Bedrock Runtime async-invoke endpoint speaking its REST-JSON protocol over HTTP/2 cleartext
 * (the SDK's client uses an HTTP/2 handler): `POST /async-invoke` (StartAsyncInvoke) answers
 * `{invocationArn}`, `GET /async-invoke/{urlencoded arn}` (GetAsyncInvoke) the invocation. It checks
 * the model input against the documented Nova Reel and Luma Ray 2 parameters (400 ValidationException
 * otherwise), honours `clientRequestToken` (the same token returns the same invocation), and on
 * completion writes a real `output.mp4` (ffmpeg testsrc at the model's size and length) to
 * `<s3Uri>/<invocationId>/output.mp4` through the S3 endpoint it is given, as Bedrock writes into the
 * caller's bucket. Outcomes (fail, hang) and error replies (throttling, 5xx) are scripted by the test.
 */
export class FakeBedrockAsync {
  readonly calls: AsyncInvokeCall[] = [];
  readonly invocations = new Map<string, Invocation>();
  /** Outcomes of the next new invocations (default: complete). */
  readonly outcomes: AsyncOutcome[] = [];
  /** Error replies for the next StartAsyncInvoke / GetAsyncInvoke requests. */
  readonly startErrors: ErrorReply[] = [];
  readonly getErrors: ErrorReply[] = [];
  /** GetAsyncInvoke calls that answer InProgress before the outcome shows. */
  pollsBeforeDone = 1;
  /** The next GetAsyncInvoke requests get no answer at all (the client's request timeout fires). */
  stalledGets = 0;
  /** Invocations actually started (a repeated token starts none). */
  started = 0;
  private readonly stalled: Http2ServerResponse[] = [];
  private server?: Http2Server;
  private readonly sessions = new Set<ServerHttp2Session>();
  private readonly byToken = new Map<string, Invocation>();
  private readonly clips = new Map<string, Buffer>();
  private readonly workDir = mkdtempSync(path.join(tmpdir(), 'bie-fake-bedrock-'));
  url = '';

  constructor(
    private readonly s3: S3Client,
    private readonly region = 'us-east-1',
    private readonly account = '123456789012',
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('session', (session: ServerHttp2Session) => {
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.stalled) res.stream.close();
    // Clients keep their HTTP/2 sessions open; close() would wait for them for ever.
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private reply(
    res: Http2ServerResponse,
    status: number,
    body: unknown,
    extra: Record<string, string> = {},
  ): void {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-requestid': `req-${this.calls.length}`,
      ...extra,
    });
    res.end(JSON.stringify(body));
  }

  private error(res: Http2ServerResponse, e: ErrorReply): void {
    this.reply(
      res,
      e.status,
      { message: e.message },
      {
        'x-amzn-errortype': e.errorType,
        ...(e.retryAfter !== undefined ? { 'retry-after': String(e.retryAfter) } : {}),
      },
    );
  }

  private async handle(req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const url = req.url ?? '';
    this.calls.push({
      method: req.method,
      path: url,
      body,
      authorization: String(req.headers.authorization ?? ''),
    });
    try {
      if (req.method === 'POST' && url === '/async-invoke') {
        const started = this.startInvoke(body);
        if ('arn' in started) this.reply(res, 200, { invocationArn: started.arn });
        else this.error(res, started);
        return;
      }
      const m = /^\/async-invoke\/([^/?]+)$/.exec(url);
      if (req.method === 'GET' && m) return await this.getInvoke(decodeURIComponent(m[1] as string), res);
      this.error(res, {
        status: 404,
        errorType: 'UnknownOperationException',
        message: `no route ${req.method} ${url}`,
      });
    } catch (error) {
      this.error(res, {
        status: 500,
        errorType: 'InternalServerException',
        message: (error as Error).message,
      });
    }
  }

  /** Starts (or finds, by token) an invocation: its ARN, or the error reply. */
  private startInvoke(body: Record<string, unknown>): ErrorReply | { arn: string } {
    const scripted = this.startErrors.shift();
    if (scripted) return scripted;
    const token = String(body.clientRequestToken ?? '');
    const previous = token ? this.byToken.get(token) : undefined;
    if (previous) {
      // An idempotent retry answers the first invocation; the same token with other parameters conflicts.
      if (JSON.stringify(previous.body) !== JSON.stringify(body)) {
        return {
          status: 409,
          errorType: 'ConflictException',
          message: 'The request token was already used with different parameters.',
        };
      }
      return { arn: previous.arn };
    }
    const modelId = String(body.modelId ?? '');
    const invalid = validateModelInput(modelId, body.modelInput);
    if (invalid) return { status: 400, errorType: 'ValidationException', message: invalid };
    const s3Uri = (body.outputDataConfig as { s3OutputDataConfig?: { s3Uri?: unknown } } | undefined)
      ?.s3OutputDataConfig?.s3Uri;
    if (typeof s3Uri !== 'string' || !/^s3:\/\/[^/]+/.test(s3Uri)) {
      return {
        status: 400,
        errorType: 'ValidationException',
        message: 'outputDataConfig.s3OutputDataConfig.s3Uri must be an S3 URL starting with "s3://"',
      };
    }
    const id = randomBytes(6).toString('hex');
    const inv: Invocation = {
      arn: `arn:aws:bedrock:${this.region}:${this.account}:async-invoke/${id}`,
      id,
      token,
      body,
      modelId,
      s3Uri,
      outcome: this.outcomes.shift() ?? { kind: 'complete' },
      polls: 0,
      status: 'InProgress',
      submitTime: new Date().toISOString(),
    };
    this.invocations.set(inv.arn, inv);
    if (token) this.byToken.set(token, inv);
    this.started++;
    return { arn: inv.arn };
  }

  private async getInvoke(arn: string, res: Http2ServerResponse): Promise<void> {
    if (this.stalledGets > 0) {
      this.stalledGets--;
      this.stalled.push(res);
      return;
    }
    const scripted = this.getErrors.shift();
    if (scripted) return this.error(res, scripted);
    const inv = this.invocations.get(arn);
    if (!inv) {
      return this.error(res, {
        status: 400,
        errorType: 'ValidationException',
        message: `Invocation ${arn} not found`,
      });
    }
    inv.polls++;
    if (inv.status === 'InProgress' && inv.polls > this.pollsBeforeDone && inv.outcome.kind !== 'hang') {
      if (inv.outcome.kind === 'fail') {
        inv.status = 'Failed';
        inv.failureMessage = inv.outcome.message;
      } else {
        await this.writeOutput(inv);
        inv.status = 'Completed';
      }
      inv.endTime = new Date().toISOString();
    }
    this.reply(res, 200, {
      invocationArn: inv.arn,
      modelArn: `arn:aws:bedrock:${this.region}::foundation-model/${inv.modelId}`,
      clientRequestToken: inv.token || undefined,
      status: inv.status,
      failureMessage: inv.failureMessage,
      submitTime: inv.submitTime,
      lastModifiedTime: inv.endTime ?? inv.submitTime,
      endTime: inv.endTime,
      outputDataConfig: { s3OutputDataConfig: { s3Uri: inv.s3Uri } },
    });
  }

  /** The clip Bedrock would write: the model's frame size and length, 24 fps, no audio. */
  private async writeOutput(inv: Invocation): Promise<void> {
    const { width, height, seconds } = outputShape(
      inv.modelId,
      inv.body.modelInput as Record<string, unknown>,
    );
    const clip = await this.clip(width, height, seconds);
    const [, bucket, prefix = ''] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(inv.s3Uri) as RegExpExecArray;
    const folder = `${prefix.replace(/\/+$/, '')}${prefix ? '/' : ''}${inv.id}`;
    await this.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${folder}/output.mp4`,
        Body: clip,
        ContentType: 'video/mp4',
      }),
    );
    await this.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${folder}/manifest.json`,
        Body: JSON.stringify({ schemaVersion: '1.0', outputs: ['output.mp4'] }),
        ContentType: 'application/json',
      }),
    );
  }

  private async clip(width: number, height: number, seconds: number): Promise<Buffer> {
    const key = `${width}x${height}x${seconds}`;
    const hit = this.clips.get(key);
    if (hit) return hit;
    const file = path.join(this.workDir, `${key}.mp4`);
    await runFfmpeg([
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc=size=${width}x${height}:rate=24:duration=${seconds}`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-crf',
      '40',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      file,
    ]);
    const bytes = readFileSync(file);
    this.clips.set(key, bytes);
    return bytes;
  }
}

/** The documented parameters; a violation is the 400 ValidationException Bedrock answers at submission. */
export function validateModelInput(modelId: string, input: unknown): string | undefined {
  const i = (input ?? {}) as Record<string, unknown>;
  if (modelId === NOVA_REEL) {
    const cfg = (i.videoGenerationConfig ?? {}) as Record<string, unknown>;
    if (cfg.dimension !== '1280x720') return 'videoGenerationConfig.dimension must be 1280x720';
    if (cfg.fps !== 24) return 'videoGenerationConfig.fps must be 24';
    if (
      cfg.seed !== undefined &&
      !(Number.isInteger(cfg.seed) && (cfg.seed as number) >= 0 && (cfg.seed as number) <= 2_147_483_646)
    )
      return 'videoGenerationConfig.seed must be 0..2147483646';
    const textOk = (t: unknown) => typeof t === 'string' && t.length >= 1 && t.length <= 512;
    if (i.taskType === 'TEXT_VIDEO') {
      const p = (i.textToVideoParams ?? {}) as { text?: unknown; images?: unknown[] };
      if (!textOk(p.text)) return 'textToVideoParams.text must be 1-512 characters';
      if (p.images !== undefined && (!Array.isArray(p.images) || p.images.length !== 1))
        return 'textToVideoParams.images must hold a single image';
      if (cfg.durationSeconds !== 6) return 'videoGenerationConfig.durationSeconds must be 6 for TEXT_VIDEO';
      return undefined;
    }
    if (i.taskType === 'MULTI_SHOT_MANUAL') {
      const shots = ((i.multiShotManualParams ?? {}) as { shots?: { text?: unknown }[] }).shots;
      if (!Array.isArray(shots) || shots.length < 2 || shots.length > 20)
        return 'multiShotManualParams.shots must hold 2-20 shots';
      if (!shots.every((s) => textOk(s.text))) return 'every shot text must be 1-512 characters';
      if (cfg.durationSeconds !== undefined) return 'MULTI_SHOT_MANUAL takes no durationSeconds';
      return undefined;
    }
    return `taskType ${String(i.taskType)} is not supported`;
  }
  if (modelId === LUMA) {
    if (typeof i.prompt !== 'string' || i.prompt.length < 1 || i.prompt.length > 5000)
      return 'prompt must be 1-5000 characters';
    if (i.aspect_ratio !== undefined && !LUMA_ASPECTS.includes(String(i.aspect_ratio)))
      return `aspect_ratio must be one of ${LUMA_ASPECTS.join(', ')}`;
    if (i.duration !== undefined && !['5s', '9s'].includes(String(i.duration)))
      return 'duration must be 5s or 9s';
    if (i.resolution !== undefined && !['540p', '720p'].includes(String(i.resolution)))
      return 'resolution must be 540p or 720p';
    const extra = Object.keys(i).filter(
      (k) => !['prompt', 'aspect_ratio', 'loop', 'duration', 'resolution'].includes(k),
    );
    if (extra.length) return `unknown fields ${extra.join(', ')}`;
    return undefined;
  }
  return `The provided model identifier is invalid: ${modelId}`;
}

function outputShape(
  modelId: string,
  input: Record<string, unknown>,
): { width: number; height: number; seconds: number } {
  if (modelId === NOVA_REEL) {
    const shots = ((input.multiShotManualParams ?? {}) as { shots?: unknown[] }).shots?.length;
    return { width: 1280, height: 720, seconds: shots ? shots * 6 : 6 };
  }
  const short = input.resolution === '540p' ? 540 : 720;
  const [w, h] = String(input.aspect_ratio ?? '16:9')
    .split(':')
    .map(Number) as [number, number];
  const long = Math.round((short * Math.max(w, h)) / Math.min(w, h) / 2) * 2;
  return {
    width: w >= h ? long : short,
    height: w >= h ? short : long,
    seconds: input.duration === '9s' ? 9 : 5,
  };
}
