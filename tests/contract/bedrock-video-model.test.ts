import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Adapter from '../../lambdas/shared/adapters/bedrock/bedrock-video-model.js';
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
import { FakeBedrockAsync } from './fakes/bedrock-async-server.js';

// Nova Reel and Luma Ray 2 over Bedrock async invoke: the unchanged BedrockRuntimeClient talks to a
// local endpoint speaking the REST-JSON protocol, which writes its output.mp4 into the S3 emulator's
// bucket the way Bedrock writes into the caller's bucket.
const BUCKET = 'bedrock-video-contract';
const SECRET_KEY = 'bedrock-contract-secret-access-key';
const dir = mkdtempSync(path.join(tmpdir(), 'bie-bedrock-video-'));

let emulators: Emulators;
let fake: FakeBedrockAsync;
let blobs: BlobStore;
let adapter: typeof Adapter;
let model: VideoModel;
let stalling: VideoModel;
let westward: VideoModel;
const regionsAsked: string[] = [];

beforeAll(async () => {
  const { startEmulators } = await import('../../local/engine/emulators.js');
  emulators = await startEmulators(path.join(dir, 'data'), [BUCKET]);
  Object.assign(process.env, emulators.env);
  const { S3BlobStore } = await import('../../lambdas/shared/data/blob-store.js');
  adapter = await import('../../lambdas/shared/adapters/bedrock/bedrock-video-model.js');
  blobs = new S3BlobStore(BUCKET);
  fake = new FakeBedrockAsync(new S3Client({}));
  const endpoint = await fake.start();
  const client = (requestTimeout?: number, region = 'us-east-1') =>
    new BedrockRuntimeClient({
      region,
      endpoint,
      credentials: { accessKeyId: 'AKIDBEDROCKTEST', secretAccessKey: SECRET_KEY },
      // One attempt: the adapter reports throttling to the poller, which owns the backoff.
      maxAttempts: 1,
      ...(requestTimeout ? { requestHandler: { requestTimeout } } : {}),
    });
  model = adapter.bedrockVideoModel({ blobs, bedrock: client() });
  stalling = adapter.bedrockVideoModel({ blobs, bedrock: client(500) });
  westward = adapter.bedrockVideoModel({
    blobs,
    bedrock: client(),
    modelRegions: { 'luma.ray-v2:0': 'us-west-2' },
    clientForRegion: (region) => {
      regionsAsked.push(region);
      return client(undefined, region);
    },
  });
}, 60_000);

afterAll(async () => {
  await fake?.stop();
  await emulators?.stop();
});

let seq = 0;
const request = (overrides: Partial<RenderRequest> = {}): RenderRequest => ({
  job_id: `render-${++seq}-${Date.now()}`,
  model: 'amazon.nova-reel-v1:1',
  prompt: 'steam rising from a ceramic cup on a sunlit oak table',
  duration_seconds: 5,
  width: 1080,
  height: 1920,
  fps: 30,
  aspect_ratio: '9:16',
  output_prefix: `provider-renders/bedrock/campaign-1/scene-${seq}`,
  palette: ['#112233'],
  camera_movement: 'slow push-in',
  lighting: 'golden hour',
  style: 'cinematic',
  seed: 424242,
  ...overrides,
});

/** Polls as the poller does, until the job leaves queued/processing. */
async function settle(id: string, max = 5): Promise<ProviderJobStatus[]> {
  const seen: ProviderJobStatus[] = [];
  for (let i = 0; i < max; i++) {
    const s = await model.status(id);
    seen.push(s);
    if (s.state !== 'processing' && s.state !== 'queued') break;
  }
  return seen;
}

const startCall = () => fake.calls.filter((c) => c.method === 'POST').at(-1);

async function probeOutput(outputUrl: string) {
  const key = outputUrl.replace(`s3://${BUCKET}/`, '');
  const file = await blobs.download(key, path.join(dir, `${seq}-${path.basename(path.dirname(key))}.mp4`));
  return probeMedia(file);
}

describe('the Bedrock video model (Nova Reel)', () => {
  it('starts a TEXT_VIDEO invocation into the media bucket and finds its output.mp4 there when completed', async () => {
    const req = request();
    const { provider_job_id } = await model.submit(req);

    expect(provider_job_id).toMatch(/^arn:aws:bedrock:us-east-1:123456789012:async-invoke\/[a-z0-9]+$/);
    const call = startCall();
    expect(call?.path).toBe('/async-invoke');
    expect(call?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDBEDROCKTEST\//);
    expect(call?.body).toEqual({
      modelId: 'amazon.nova-reel-v1:1',
      clientRequestToken: adapter.bedrockRequestToken(req),
      modelInput: {
        taskType: 'TEXT_VIDEO',
        textToVideoParams: { text: req.prompt },
        videoGenerationConfig: { durationSeconds: 6, fps: 24, dimension: '1280x720', seed: 424242 },
      },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${BUCKET}/${req.output_prefix}` } },
    });

    const seen = await settle(provider_job_id);
    const invocationId = provider_job_id.split('/').at(-1);
    expect(seen.map((s) => s.state)).toEqual(['processing', 'completed']);
    expect(seen.at(-1)).toEqual({
      state: 'completed',
      output_url: `s3://${BUCKET}/${req.output_prefix}/${invocationId}/output.mp4`,
      has_audio: false,
    });
    const info = await probeOutput((seen.at(-1) as { output_url: string }).output_url);
    expect(info.video).toMatchObject({ width: 1280, height: 720, fps: 24 });
    expect(info.durationSeconds).toBeCloseTo(6, 0);
    expect(info.audio).toBeUndefined();
    expect(info.sizeBytes).toBeGreaterThan(1000);
  }, 60_000);

  it('asks for MULTI_SHOT_MANUAL with one 6 s shot per started 6 s when the scene is longer', async () => {
    const req = request({ duration_seconds: 13 });
    const { provider_job_id } = await model.submit(req);

    expect(startCall()?.body.modelInput).toEqual({
      taskType: 'MULTI_SHOT_MANUAL',
      multiShotManualParams: { shots: [{ text: req.prompt }, { text: req.prompt }, { text: req.prompt }] },
      videoGenerationConfig: { fps: 24, dimension: '1280x720', seed: 424242 },
    });
    const done = (await settle(provider_job_id)).at(-1) as { state: string; output_url: string };
    expect(done.state).toBe('completed');
    expect((await probeOutput(done.output_url)).durationSeconds).toBeCloseTo(18, 0);
  }, 60_000);

  it('starts from a 1280x720 keyframe in the bucket and refuses any other size before paying', async () => {
    const png = async (size: string, key: string) => {
      const file = path.join(dir, `${size}.png`);
      await runFfmpeg(['-y', '-f', 'lavfi', '-i', `color=c=orange:s=${size}`, '-frames:v', '1', file]);
      await blobs.put(key, readFileSync(file), 'image/png');
    };
    await png('1280x720', 'keyframes/wide.png');
    await png('720x1280', 'keyframes/tall.png');

    await model.submit(request({ keyframe_key: 'keyframes/wide.png' }));
    expect(startCall()?.body.modelInput).toMatchObject({
      textToVideoParams: {
        images: [{ format: 'png', source: { s3Location: { uri: `s3://${BUCKET}/keyframes/wide.png` } } }],
      },
    });

    const jpeg = path.join(dir, 'wide.jpg');
    await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'color=c=navy:s=1280x720', '-frames:v', '1', jpeg]);
    await blobs.put('keyframes/wide.jpg', readFileSync(jpeg), 'image/jpeg');
    await model.submit(request({ keyframe_key: 'keyframes/wide.jpg', duration_seconds: 12 }));
    expect(startCall()?.body.modelInput).toMatchObject({
      multiShotManualParams: {
        shots: [
          { image: { format: 'jpeg', source: { s3Location: { uri: `s3://${BUCKET}/keyframes/wide.jpg` } } } },
          { text: expect.any(String) },
        ],
      },
    });

    const before = fake.calls.length;
    const refused = model.submit(request({ keyframe_key: 'keyframes/tall.png' }));
    await expect(refused).rejects.toBeInstanceOf(ProviderRejectedError);
    await expect(refused).rejects.toMatchObject({ kind: 'invalid_request', message: /1280x720.*720x1280/ });
    expect(fake.calls.length).toBe(before);
  }, 30_000);

  it('cuts a prompt longer than Nova Reel’s 512 characters at a word boundary', async () => {
    const prompt = `${'a slow dolly across a rain-soaked neon street '.repeat(14)}end`;
    await model.submit(request({ prompt }));

    const input = startCall()?.body.modelInput as { textToVideoParams: { text: string } };
    const text = input.textToVideoParams.text;
    expect(text.length).toBeLessThanOrEqual(512);
    expect(prompt.startsWith(text)).toBe(true);
    expect(prompt[text.length]).toBe(' ');
  });

  it('returns the first invocation when the same job is submitted again (no second render)', async () => {
    const req = request();
    const first = await model.submit(req);
    const started = fake.started;

    const again = await model.submit({ ...req });

    expect(again.provider_job_id).toBe(first.provider_job_id);
    expect(fake.started).toBe(started);
  });

  it('reports a provider failure with its failureMessage', async () => {
    fake.outcomes.push({ kind: 'fail', message: 'An internal error occurred while generating the video.' });
    const { provider_job_id } = await model.submit(request());

    expect((await settle(provider_job_id)).at(-1)).toEqual({
      state: 'failed',
      error: 'Bedrock: An internal error occurred while generating the video.',
      kind: 'provider_error',
    });
  });

  it('classifies the content filter on the generated video as a refusal', async () => {
    fake.outcomes.push({
      kind: 'fail',
      message: 'The generated video has been blocked by our content filters.',
    });
    const { provider_job_id } = await model.submit(request());

    expect((await settle(provider_job_id)).at(-1)).toMatchObject({
      state: 'failed',
      kind: 'refused',
      error: expect.stringContaining('blocked by our content filters'),
    });
  });

  it('rejects a prompt the input filter blocks as refused, and a malformed request as invalid', async () => {
    fake.startErrors.push({
      status: 400,
      errorType: 'ValidationException',
      message:
        'This request has been blocked by our content filters. Please adjust your text prompt to submit a new request.',
    });
    await expect(model.submit(request())).rejects.toMatchObject({
      name: 'ProviderRejectedError',
      kind: 'refused',
    });

    await expect(model.submit(request({ output_prefix: 'campaigns/c1/renders' }))).rejects.toMatchObject({
      kind: 'invalid_request',
      message: expect.stringContaining('provider-renders/'),
    });
    await expect(model.submit(request({ duration_seconds: 121 }))).rejects.toMatchObject({
      kind: 'invalid_request',
    });
    const req = request();
    await model.submit(req);
    await expect(model.submit({ ...req, prompt: 'another prompt under the same job' })).rejects.toMatchObject(
      {
        kind: 'invalid_request',
        message: expect.stringContaining('ConflictException'),
      },
    );
    await expect(model.submit(request({ model: 'amazon.nova-reel-v9:9' }))).rejects.toMatchObject({
      kind: 'invalid_request',
    });
  });

  it('reports an invocation Bedrock does not know as an invalid request, and a malformed id as unknown', async () => {
    expect(
      await model.status('arn:aws:bedrock:us-east-1:123456789012:async-invoke/doesnotexist1'),
    ).toMatchObject({
      state: 'failed',
      kind: 'invalid_request',
    });
    expect(await model.status('offrender_0123456789abcdef')).toEqual({ state: 'unknown' });
  });

  it('throws a retryable error with the wait on throttling and 5xx, naming no credential', async () => {
    fake.startErrors.push({
      status: 429,
      errorType: 'ThrottlingException',
      message: 'Too many requests',
      retryAfter: 7,
    });
    const throttled = await model.submit(request()).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(ProviderRetryableError);
    expect(throttled).toMatchObject({
      retryAfterSeconds: 7,
      message: expect.stringContaining('ThrottlingException'),
    });
    expect(String((throttled as Error).message)).not.toContain(SECRET_KEY);

    const { provider_job_id } = await model.submit(request());
    fake.getErrors.push({
      status: 503,
      errorType: 'ServiceUnavailableException',
      message: 'Service unavailable',
    });
    await expect(model.status(provider_job_id)).rejects.toBeInstanceOf(ProviderRetryableError);
    expect((await model.status(provider_job_id)).state).toBe('processing');
  });

  it('keeps a render that never finishes in processing, and makes a stalled status call retryable', async () => {
    fake.outcomes.push({ kind: 'hang' });
    const { provider_job_id } = await model.submit(request());
    expect((await settle(provider_job_id, 4)).map((s) => s.state)).toEqual(Array(4).fill('processing'));

    fake.stalledGets = 1;
    const started = Date.now();
    await expect(stalling.status(provider_job_id)).rejects.toBeInstanceOf(ProviderRetryableError);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 20_000);
});

describe('the Bedrock video model (Luma Ray 2)', () => {
  it('asks for native 9:16 with the next supported duration and probes a vertical clip', async () => {
    const req = request({ model: 'luma.ray-v2:0', duration_seconds: 8 });
    const { provider_job_id } = await model.submit(req);

    expect(startCall()?.body).toMatchObject({
      modelId: 'luma.ray-v2:0',
      modelInput: {
        prompt: req.prompt,
        aspect_ratio: '9:16',
        loop: false,
        duration: '9s',
        resolution: '720p',
      },
    });
    const done = (await settle(provider_job_id)).at(-1) as { state: string; output_url: string };
    expect(done.state).toBe('completed');
    const info = await probeOutput(done.output_url);
    expect(info.video).toMatchObject({ width: 720, height: 1280 });
    expect(info.durationSeconds).toBeCloseTo(9, 0);
  }, 60_000);

  it('starts Luma in the region that serves it when one is configured', async () => {
    await westward.submit(request({ model: 'luma.ray-v2:0' }));
    await westward.submit(request());

    expect(regionsAsked).toEqual(['us-west-2']);
    const [luma, nova] = fake.calls.filter((c) => c.method === 'POST').slice(-2);
    expect(luma?.authorization).toContain('/us-west-2/bedrock/aws4_request');
    expect(nova?.authorization).toContain('/us-east-1/bedrock/aws4_request');
  });

  it('refuses what Luma on Bedrock cannot make: more than 9 s, or a keyframe', async () => {
    await expect(
      model.submit(request({ model: 'luma.ray-v2:0', duration_seconds: 10 })),
    ).rejects.toMatchObject({
      kind: 'invalid_request',
    });
    await expect(
      model.submit(request({ model: 'luma.ray-v2:0', keyframe_key: 'keyframes/wide.png' })),
    ).rejects.toMatchObject({ kind: 'invalid_request' });
  });
});
