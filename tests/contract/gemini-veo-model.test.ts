import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Adapter from '../../lambdas/shared/adapters/gemini/gemini-veo-model.js';
import { probeMedia } from '../../lambdas/shared/media/probe.js';
import { runFfmpeg } from '../../lambdas/shared/media/tools.js';
import {
  type BlobStore,
  type ProviderJobStatus,
  ProviderRejectedError,
  ProviderRetryableError,
  type RenderRequest,
  type VideoModel,
} from '../../lambdas/shared/ports/index.js';
import type { Emulators } from '../../local/engine/emulators.js';
import { close, listen } from '../../local/engine/http-util.js';
import { FakeGemini } from './fakes/gemini-server.js';

// Veo 3.1 over the Gemini API: the adapter's plain fetch calls talk to a local server speaking the
// documented REST shapes; the finished clip is copied into the S3 emulator's bucket.
const BUCKET = 'gemini-veo-contract';
const KEY = 'AIzaSy-contract-test-key-0123456789';
const FAST = 'veo-3.1-fast-generate-preview';
const dir = mkdtempSync(path.join(tmpdir(), 'bie-gemini-veo-'));

let emulators: Emulators;
let fake: FakeGemini;
let blobs: BlobStore;
let adapter: typeof Adapter;
let model: VideoModel;
let impatient: VideoModel;
let elsewhere: Awaited<ReturnType<typeof listen>>;
const elsewhereKeys: (string | undefined)[] = [];

beforeAll(async () => {
  const { startEmulators } = await import('../../local/engine/emulators.js');
  emulators = await startEmulators(path.join(dir, 'data'), [BUCKET]);
  Object.assign(process.env, emulators.env);
  const { S3BlobStore } = await import('../../lambdas/shared/data/blob-store.js');
  adapter = await import('../../lambdas/shared/adapters/gemini/gemini-veo-model.js');
  blobs = new S3BlobStore(BUCKET);
  fake = new FakeGemini(KEY);
  const baseUrl = await fake.start();
  // The fake renders the clip with ffmpeg while it answers the poll, which may take seconds here.
  model = adapter.geminiVeoModel({ blobs, apiKey: async () => KEY, baseUrl, timeoutMs: 20_000 });
  impatient = adapter.geminiVeoModel({ blobs, apiKey: async () => KEY, baseUrl, timeoutMs: 500 });
  // A host other than the API's, serving a clip: it must never see the key.
  const bytes = readFileSync(await tinyMp4());
  elsewhere = await listen(async (req, res) => {
    elsewhereKeys.push(req.headers['x-goog-api-key'] as string | undefined);
    res.writeHead(200, { 'content-type': 'video/mp4' }).end(bytes);
  });
}, 60_000);

afterAll(async () => {
  if (elsewhere) await close(elsewhere.server);
  await fake?.stop();
  await emulators?.stop();
});

async function tinyMp4(): Promise<string> {
  const file = path.join(dir, 'tiny.mp4');
  await runFfmpeg([
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x568:rate=24:duration=1',
    '-pix_fmt',
    'yuv420p',
    file,
  ]);
  return file;
}

let seq = 0;
const request = (overrides: Partial<RenderRequest> = {}): RenderRequest => ({
  job_id: `render-${++seq}`,
  model: FAST,
  prompt: 'a barista pours latte art in slow motion, warm morning light',
  duration_seconds: 5,
  width: 1080,
  height: 1920,
  fps: 30,
  aspect_ratio: '9:16',
  palette: ['#aa5500'],
  camera_movement: 'static',
  lighting: 'soft',
  style: 'cinematic',
  seed: 7,
  ...overrides,
});

async function settle(id: string, max = 5): Promise<ProviderJobStatus[]> {
  const seen: ProviderJobStatus[] = [];
  for (let i = 0; i < max; i++) {
    const s = await model.status(id);
    seen.push(s);
    if (s.state !== 'processing' && s.state !== 'queued') break;
  }
  return seen;
}

const lastCall = (method: string) =>
  fake.calls.filter((c) => c.method === method && !c.path.startsWith('/storage')).at(-1);

describe('the Gemini Veo 3.1 model', () => {
  it('asks for native 9:16 at the next supported length, then stores the finished clip in the bucket', async () => {
    const { provider_job_id } = await model.submit(request());

    expect(provider_job_id).toMatch(/^models\/veo-3\.1-fast-generate-preview\/operations\/[a-z0-9]+$/);
    const submit = lastCall('POST');
    expect(submit?.path).toBe(`/v1beta/models/${FAST}:predictLongRunning`);
    expect(submit?.apiKey).toBe(KEY);
    expect(submit?.body).toEqual({
      instances: [{ prompt: request().prompt }],
      parameters: { aspectRatio: '9:16', durationSeconds: 6, resolution: '720p' },
    });

    const seen = await settle(provider_job_id);
    const opId = provider_job_id.split('/').at(-1);
    expect(seen.map((s) => s.state)).toEqual(['processing', 'completed']);
    expect(seen.at(-1)).toEqual({
      state: 'completed',
      output_url: `s3://${BUCKET}/provider-renders/gemini/${FAST}/${opId}.mp4`,
      has_audio: true,
    });
    const download = fake.calls.find((c) =>
      c.path.startsWith(`/v1beta/files/${fake.fileOf(provider_job_id)}:download`),
    );
    expect(download?.apiKey).toBe(KEY);
    const storage = fake.calls.find((c) => c.path === `/storage/${fake.fileOf(provider_job_id)}`);
    expect(storage).toMatchObject({ method: 'GET', apiKey: undefined });

    const file = await blobs.download(
      `provider-renders/gemini/${FAST}/${opId}.mp4`,
      path.join(dir, `${opId}.mp4`),
    );
    const info = await probeMedia(file);
    expect(info.video).toMatchObject({ width: 720, height: 1280, fps: 24 });
    expect(info.durationSeconds).toBeCloseTo(6, 0);
    expect(info.audio).toMatchObject({ codec: 'aac', channels: 2 });
  }, 60_000);

  it('answers a copied clip from the bucket without asking Google again, even after Google deleted it', async () => {
    const { provider_job_id } = await model.submit(request());
    const first = (await settle(provider_job_id)).at(-1);
    fake.expired.add(fake.fileOf(provider_job_id) as string);
    fake.ops.delete(provider_job_id);
    const calls = fake.calls.length;

    expect(await model.status(provider_job_id)).toEqual(first);
    expect(fake.calls.length).toBe(calls);
  }, 30_000);

  it('reports a clip that expired before it was copied as a provider failure', async () => {
    fake.outcomes.push({ kind: 'complete', expiredAtOnce: true });
    const { provider_job_id } = await model.submit(request());

    expect((await settle(provider_job_id)).at(-1)).toMatchObject({
      state: 'failed',
      kind: 'provider_error',
      error: expect.stringContaining('HTTP 404'),
    });
  }, 30_000);

  it('sends a keyframe inline, 16:9 when asked, and refuses what Veo cannot make before calling', async () => {
    const png = path.join(dir, 'key.png');
    await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'color=c=teal:s=720x1280', '-frames:v', '1', png]);
    await blobs.put('keyframes/k.png', readFileSync(png), 'image/png');

    await model.submit(
      request({ keyframe_key: 'keyframes/k.png', aspect_ratio: '16:9', duration_seconds: 8 }),
    );
    const body = lastCall('POST')?.body as {
      instances: { image: { bytesBase64Encoded: string; mimeType: string } }[];
    };
    expect(body.instances[0]?.image.mimeType).toBe('image/png');
    expect(Buffer.from(body.instances[0]?.image.bytesBase64Encoded ?? '', 'base64')).toEqual(
      readFileSync(png),
    );
    expect(lastCall('POST')?.body).toMatchObject({ parameters: { aspectRatio: '16:9', durationSeconds: 8 } });

    const before = fake.calls.length;
    await expect(model.submit(request({ duration_seconds: 9 }))).rejects.toMatchObject({
      name: 'ProviderRejectedError',
      kind: 'invalid_request',
    });
    await expect(model.submit(request({ model: 'veo-2.0-generate-001' }))).rejects.toBeInstanceOf(
      ProviderRejectedError,
    );
    expect(fake.calls.length).toBe(before);
  });

  it('maps a failed operation to a failure kind by its google.rpc code', async () => {
    fake.outcomes.push(
      { kind: 'error', code: 13, message: 'Internal error encountered.', status: 'INTERNAL' },
      { kind: 'error', code: 8, message: 'Resource has been exhausted (e.g. check quota).' },
      { kind: 'error', code: 3, message: 'Unsupported image dimensions.' },
    );
    const kinds = [];
    for (let i = 0; i < 3; i++) {
      const { provider_job_id } = await model.submit(request());
      kinds.push((await settle(provider_job_id)).at(-1));
    }

    expect(kinds).toEqual([
      { state: 'failed', error: 'Gemini: Internal error encountered.', kind: 'provider_error' },
      {
        state: 'failed',
        error: 'Gemini: Resource has been exhausted (e.g. check quota).',
        kind: 'rate_limited',
      },
      { state: 'failed', error: 'Gemini: Unsupported image dimensions.', kind: 'invalid_request' },
    ]);
  });

  it('reports a safety-filtered operation as refused, with Google’s reasons', async () => {
    const reason =
      "Veo could not generate videos because the input image violates Gemini API's usage guidelines. Support codes: 17301594";
    fake.outcomes.push({ kind: 'filtered', reasons: [reason] });
    const { provider_job_id } = await model.submit(request());

    expect((await settle(provider_job_id)).at(-1)).toEqual({
      state: 'failed',
      error: `Gemini filtered the video for safety: ${reason}`,
      kind: 'refused',
    });
  });

  it('rejects a prompt refused at submission as refused', async () => {
    fake.submitErrors.push({
      status: 400,
      body: {
        error: {
          code: 400,
          status: 'INVALID_ARGUMENT',
          message: "The prompt contains words that violate Gemini API's usage guidelines.",
        },
      },
    });
    await expect(model.submit(request())).rejects.toMatchObject({
      name: 'ProviderRejectedError',
      kind: 'refused',
    });
  });

  it('throws a retryable error honouring Retry-After on 429, and RetryInfo on 5xx', async () => {
    fake.submitErrors.push({
      status: 429,
      headers: { 'retry-after': '17' },
      body: { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted.' } },
    });
    const throttled = await model.submit(request()).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(ProviderRetryableError);
    expect(throttled).toMatchObject({ retryAfterSeconds: 17, message: expect.stringContaining('HTTP 429') });

    const { provider_job_id } = await model.submit(request());
    fake.pollErrors.push({
      status: 503,
      body: {
        error: {
          code: 503,
          status: 'UNAVAILABLE',
          message: 'The service is currently unavailable.',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }],
        },
      },
    });
    await expect(model.status(provider_job_id)).rejects.toMatchObject({
      name: 'ProviderRetryableError',
      retryAfterSeconds: 12,
    });
  });

  it('makes a call that times out retryable, and keeps a long render processing', async () => {
    fake.stalledSubmits = 1;
    const started = Date.now();
    const timedOut = await impatient.submit(request()).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(ProviderRetryableError);
    expect((timedOut as Error).message).toMatch(/no answer within 500 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);

    fake.outcomes.push({ kind: 'hang' });
    const { provider_job_id } = await model.submit(request());
    expect((await settle(provider_job_id, 3)).map((s) => s.state)).toEqual([
      'processing',
      'processing',
      'processing',
    ]);
  });

  it('answers unknown for an operation Google does not know and for a malformed id', async () => {
    expect(await model.status(`models/${FAST}/operations/doesnotexist`)).toEqual({ state: 'unknown' });
    expect(await model.status('models/../../files/x')).toEqual({ state: 'unknown' });
    expect(await model.status('arn:aws:bedrock:us-east-1:123456789012:async-invoke/abc')).toEqual({
      state: 'unknown',
    });
  });

  it('never sends the key to another host, and never repeats it in an error', async () => {
    fake.outcomes.push({ kind: 'complete', uri: `${elsewhere.url}/bucket/video.mp4` });
    const { provider_job_id } = await model.submit(request());
    expect((await settle(provider_job_id)).at(-1)?.state).toBe('completed');
    expect(elsewhereKeys).toEqual([undefined]);

    fake.submitErrors.push({
      status: 400,
      body: {
        error: { code: 400, status: 'INVALID_ARGUMENT', message: `Bad request with key=${KEY} echoed` },
      },
    });
    const echoed = (await model.submit(request()).catch((e: unknown) => e)) as Error;
    expect(echoed.message).toContain('[redacted]');
    expect(echoed.message).not.toContain(KEY);

    const wrongKey = adapter.geminiVeoModel({
      blobs,
      apiKey: async () => 'AIza-wrong-key',
      baseUrl: fake.url,
    });
    const denied = (await wrongKey.submit(request()).catch((e: unknown) => e)) as Error;
    expect(denied.message).toMatch(/API key not valid/);
    expect(denied.message).not.toContain('AIza-wrong-key');
  }, 30_000);
});
