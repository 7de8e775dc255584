import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProceduralRenderer } from '../../lambdas/shared/adapters/offline/procedural-renderer.js';
import type * as Model from '../../lambdas/shared/adapters/offline/procedural-video-model.js';
import type { SceneRenderOptions } from '../../lambdas/shared/media/scene-renderer.js';
import type { BlobStore, RenderRequest } from '../../lambdas/shared/ports/index.js';
import { verifyWebhook } from '../../lambdas/shared/webhooks/standard-webhooks.js';
import type { Emulators } from '../../local/engine/emulators.js';
import { close, listen, readBody } from '../../local/engine/http-util.js';
import type { LambdaEndpoint } from '../../local/engine/lambda-server.js';

// The offline video model end to end over the protocols it uses on AWS: Lambda Invoke (Event) to the
// local Lambda endpoint, S3 (s3rver) for clips and statuses, a signed webhook to an HTTP receiver.
const BUCKET = 'procedural-contract';
const SECRET = `whsec_${Buffer.from('procedural-contract-test-secret').toString('base64')}`;
const dir = mkdtempSync(path.join(tmpdir(), 'bie-procedural-'));

let emulators: Emulators;
let lambda: LambdaEndpoint;
let model: typeof Model;
let blobs: BlobStore;
let invoker: typeof import('../../lambdas/shared/adapters/aws/lambda-invoker.js').lambdaInvoker;
let Renderer: typeof ProceduralRenderer;
let renderScene: (o: SceneRenderOptions) => Promise<unknown>;

/** A webhook receiver that verifies signatures and answers from a script (then 200). */
const receiver = {
  url: '',
  events: [] as { type: string; data: { id: string; output_url?: string; error?: string } }[],
  ids: [] as string[],
  bodies: [] as string[],
  script: [] as number[],
  server: undefined as Awaited<ReturnType<typeof listen>> | undefined,
};

let renders = 0;
let failNextRender = false;
let rendererFunctionCalls = 0;

beforeAll(async () => {
  const { startEmulators } = await import('../../local/engine/emulators.js');
  const { openLambdaEndpoint } = await import('../../local/engine/lambda-server.js');
  emulators = await startEmulators(path.join(dir, 'data'), [BUCKET]);
  lambda = await openLambdaEndpoint({ asyncConcurrency: 2, asyncRetries: 0 });
  Object.assign(process.env, emulators.env, {
    AWS_ENDPOINT_URL_LAMBDA: lambda.url,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  model = await import('../../lambdas/shared/adapters/offline/procedural-video-model.js');
  invoker = (await import('../../lambdas/shared/adapters/aws/lambda-invoker.js')).lambdaInvoker;
  Renderer = (await import('../../lambdas/shared/adapters/offline/procedural-renderer.js'))
    .ProceduralRenderer;
  renderScene = (await import('../../lambdas/shared/media/scene-renderer.js')).renderScene;
  const { S3BlobStore } = await import('../../lambdas/shared/data/blob-store.js');
  blobs = new S3BlobStore(BUCKET);

  receiver.server = await listen(async (req, res) => {
    const body = (await readBody(req)).toString('utf8');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    verifyWebhook(SECRET, headers, body);
    receiver.ids.push(headers['webhook-id'] as string);
    receiver.bodies.push(body);
    const status = receiver.script.shift() ?? 200;
    if (status === 200) receiver.events.push(JSON.parse(body));
    res.writeHead(status).end();
  });
  receiver.url = `${receiver.server.url}/webhooks/offline`;

  const renderer = new Renderer({
    blobs,
    webhookSecret: async () => SECRET,
    workDir: path.join(dir, 'work'),
    retryDelaysMs: [20, 40, 80],
    render: async (o) => {
      renders++;
      if (failNextRender) {
        failNextRender = false;
        throw new Error('ffmpeg exited with code 1: invalid filtergraph');
      }
      return renderScene(o);
    },
  });
  lambda.bind([
    {
      name: 'bie-RenderOfflineScene',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:bie-RenderOfflineScene',
      handler: async (event) => {
        rendererFunctionCalls++;
        return renderer.handle(model.OfflineRenderEvent.parse(event));
      },
      timeoutSeconds: 300,
      memoryMb: 3008,
    },
  ]);
});

afterAll(async () => {
  await lambda?.close();
  if (receiver.server) await close(receiver.server.server);
  await emulators?.stop();
});

beforeEach(() => {
  receiver.events = [];
  receiver.ids = [];
  receiver.bodies = [];
  receiver.script = [];
  renders = 0;
  rendererFunctionCalls = 0;
});

let seq = 0;
const request = (overrides: Partial<RenderRequest> = {}): RenderRequest => ({
  job_id: `job-${++seq}-${Date.now()}`,
  model: 'sora-2',
  prompt: 'steam rising from a cup',
  duration_seconds: 1,
  width: 96,
  height: 160,
  fps: 12,
  palette: ['#2B1B17', '#C8A27A'],
  camera_movement: 'slow dolly in',
  lighting: 'warm',
  style: 'cinematic',
  seed: 7,
  callback_url: receiver.url,
  ...overrides,
});

const client = (opts: Partial<ConstructorParameters<typeof Model.ProceduralVideoModel>[0]> = {}) =>
  new model.ProceduralVideoModel({
    blobs,
    invoker,
    rendererFunction: () => 'bie-RenderOfflineScene',
    ...opts,
  });

describe('the offline video model (client → Lambda Event → renderer → S3 → webhook)', () => {
  it('returns at once, renders in the renderer function and calls back with the clip in S3', async () => {
    // Act
    const { provider_job_id: id } = await client().submit(request());
    const right = await client().status(id);
    await lambda.idle();

    // Assess
    expect(id).toMatch(/^offrender_[0-9a-f]{16}$/);
    expect(['queued', 'processing']).toContain(right.state);
    expect(renders).toBe(1);
    const clipKey = `provider-renders/offline/${id}.mp4`;
    expect(await blobs.exists(clipKey)).toBe(true);
    expect(receiver.events).toEqual([
      expect.objectContaining({
        type: 'video.completed',
        data: { id, output_url: `s3://${BUCKET}/${clipKey}` },
      }),
    ]);
    // Another function (a fresh client) sees the same job through S3.
    expect(await client().status(id)).toEqual({
      state: 'completed',
      output_url: `s3://${BUCKET}/${clipKey}`,
    });
    const stored = JSON.parse(
      new TextDecoder().decode(await blobs.get(`provider-renders/offline/${id}.json`)),
    ) as Model.OfflineRenderStatus;
    expect(stored).toMatchObject({ state: 'completed', webhook: { delivered: true, attempts: 1 } });
  });

  it('does not render twice: in flight it does not invoke again, finished it only calls back again', async () => {
    // Prepare
    const req = request();

    // Act
    const first = await client().submit(req);
    const whileRunning = await client().submit(req);
    await lambda.idle();
    const afterwards = await client().submit(req);
    await lambda.idle();

    // Assess
    expect(whileRunning.provider_job_id).toBe(first.provider_job_id);
    expect(afterwards.provider_job_id).toBe(first.provider_job_id);
    expect(renders).toBe(1);
    expect(rendererFunctionCalls).toBe(2);
    expect(receiver.events.map((e) => e.type)).toEqual(['video.completed', 'video.completed']);
    // One message id and one body for the event, however often it is delivered: receivers deduplicate
    // on the id and refuse an id reused with another body.
    expect(new Set(receiver.ids).size).toBe(1);
    expect(new Set(receiver.bodies).size).toBe(1);
  });

  it('retries the webhook while the receiver answers 404 (job not recorded yet) and records the delivery', async () => {
    // Prepare
    receiver.script = [404, 503];

    // Act
    const { provider_job_id: id } = await client().submit(request());
    await lambda.idle();

    // Assess
    expect(receiver.events).toHaveLength(1);
    expect(await model.readOfflineStatus(blobs, id)).toMatchObject({
      state: 'completed',
      webhook: { delivered: true, attempts: 3, last_status: 200 },
    });
  });

  it('records a webhook that never lands, and status() still reports the clip for the poller', async () => {
    // Prepare
    receiver.script = [500, 500, 500, 500];

    // Act
    const { provider_job_id: id } = await client().submit(request());
    await lambda.idle();

    // Assess
    expect(receiver.events).toEqual([]);
    expect(await model.readOfflineStatus(blobs, id)).toMatchObject({
      state: 'completed',
      webhook: { delivered: false, attempts: 4, last_status: 500 },
    });
    expect((await client().status(id)).state).toBe('completed');
  });

  it('stops retrying when the receiver refuses the event (401)', async () => {
    // Prepare
    receiver.script = [401];

    // Act
    const { provider_job_id: id } = await client().submit(request());
    await lambda.idle();

    // Assess
    expect(await model.readOfflineStatus(blobs, id)).toMatchObject({
      webhook: { delivered: false, attempts: 1, last_status: 401 },
    });
  });

  it('reports a failed render as video.failed with the error, and status() says failed', async () => {
    // Prepare
    failNextRender = true;

    // Act
    const { provider_job_id: id } = await client().submit(request());
    await lambda.idle();

    // Assess
    expect(receiver.events).toEqual([
      expect.objectContaining({
        type: 'video.failed',
        data: { id, error: 'ffmpeg exited with code 1: invalid filtergraph' },
      }),
    ]);
    expect(await client().status(id)).toEqual({
      state: 'failed',
      error: 'ffmpeg exited with code 1: invalid filtergraph',
    });
  });

  it('treats a job that stopped reporting as lost: unknown to status(), started again by submit()', async () => {
    // Prepare: a marker left by a renderer that died half an hour ago.
    const req = request();
    const id = model.offlineJobId(req);
    await model.writeOfflineStatus(blobs, {
      provider_job_id: id,
      state: 'processing',
      updated_at: new Date(Date.now() - 30 * 60_000).toISOString(),
    });

    // Act
    const before = await client().status(id);
    await client().submit(req);
    await lambda.idle();

    // Assess
    expect(before).toEqual({ state: 'unknown' });
    expect(renders).toBe(1);
    expect((await client().status(id)).state).toBe('completed');
  });

  it('answers unknown for ids it never issued, without touching S3 keys built from them', async () => {
    expect(await client().status('../../brands/secret')).toEqual({ state: 'unknown' });
    expect(await client().status('offrender_0000000000000000')).toEqual({ state: 'unknown' });
  });

  it('refuses to submit when the renderer function is not configured, naming the variable', async () => {
    await expect(client({ rendererFunction: () => '' }).submit(request())).rejects.toThrow(
      /OFFLINE_RENDERER_FUNCTION_NAME/,
    );
    expect(rendererFunctionCalls).toBe(0);
  });

  it('fails the submit when the renderer function does not exist (ResourceNotFoundException)', async () => {
    await expect(
      client({ rendererFunction: () => 'bie-NoSuchFunction' }).submit(request()),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('the renderer function handler (lambdas/production/render-offline-scene.ts)', () => {
  it('validates its event and renders a real clip into the configured bucket', async () => {
    // Prepare
    Object.assign(process.env, {
      BUCKET_NAME: BUCKET,
      WEBHOOK_SECRET: SECRET,
      BIE_WORK_DIR: path.join(dir, 'handler-work'),
    });
    const { handler } = await import('../../lambdas/production/render-offline-scene.js');
    const req = request();
    const event = { provider_job_id: model.offlineJobId(req), request: req };
    const context = { functionName: 'bie-RenderOfflineScene' } as never;

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({
      provider_job_id: event.provider_job_id,
      state: 'completed',
      webhook_delivered: true,
    });
    const local = path.join(dir, 'clip.mp4');
    writeFileSync(local, await blobs.get(`provider-renders/offline/${event.provider_job_id}.mp4`));
    const { probeMedia } = await import('../../lambdas/shared/media/probe.js');
    expect((await probeMedia(local)).video).toMatchObject({ width: 96, height: 160 });
    await expect(
      handler({ provider_job_id: 'x', request: { ...req, callback_url: 'file:///etc/passwd' } }, context),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });
});
