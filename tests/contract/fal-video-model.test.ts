import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FalKeyframeModel } from '../../lambdas/shared/adapters/fal/fal-keyframe-model.js';
import { FalWebhookBody, webhookOutcome } from '../../lambdas/shared/adapters/fal/fal-queue.js';
import { decodeFalJobId, FalVideoModel } from '../../lambdas/shared/adapters/fal/fal-video-model.js';
import { ffprobePath } from '../../lambdas/shared/media/tools.js';
import {
  type BlobStore,
  ProviderRetryableError,
  type RenderRequest,
} from '../../lambdas/shared/ports/index.js';
import { FAKE_FAL_KEY, FakeFal } from './fakes/fal-server.js';

/** The media bucket as far as the adapters use it: presigned keyframe URLs and stored images. */
function memoryBlobs() {
  const objects = new Map<string, { body: Uint8Array; type: string }>();
  const store = {
    bucket: 'fal-contract',
    objects,
    presign: async (key: string, seconds: number) => `https://bucket.example/${key}?X-Amz-Expires=${seconds}`,
    put: async (key: string, body: Uint8Array | string, type: string) => {
      objects.set(key, { body: typeof body === 'string' ? Buffer.from(body) : body, type });
      return key;
    },
  };
  return store as typeof store & BlobStore;
}

const fal = new FakeFal();
let blobs: ReturnType<typeof memoryBlobs>;
const model = () =>
  new FalVideoModel({ queueUrl: fal.url, key: async () => FAKE_FAL_KEY, blobs, timeoutMs: 2000 });

const request = (over: Partial<RenderRequest> = {}): RenderRequest => ({
  job_id: 'job-1',
  model: 'fal-ai/veo3.1/fast',
  prompt: 'a barista pours latte art in a sunlit cafe',
  duration_seconds: 4,
  width: 1080,
  height: 1920,
  fps: 30,
  aspect_ratio: '9:16',
  audio: true,
  palette: ['#6F4E37', '#F5F5DC'],
  camera_movement: 'slow_push_in',
  lighting: 'golden_hour',
  style: 'cinematic',
  seed: 42,
  callback_url: 'https://api.example/webhooks/fal',
  ...over,
});

/** Polls like the poller does until the job leaves the queue (the fake completes on the 2nd status). */
async function settle(id: string, m = model()) {
  const seen = [];
  for (let i = 0; i < 5; i++) {
    const s = await m.status(id);
    seen.push(s.state);
    if (s.state !== 'queued' && s.state !== 'processing') return { last: s, seen };
  }
  return { last: await m.status(id), seen };
}

beforeAll(async () => {
  await fal.start();
});
afterAll(async () => {
  await fal.stop();
});
beforeEach(() => {
  blobs = memoryBlobs();
  fal.outcomes.length = 0;
  fal.sendWebhooks = false;
});

describe('the fal queue video model', () => {
  it('submits Veo 3.1 fast with its documented fields, the key and the webhook, and reads the CDN URL when done', async () => {
    // Act
    const { provider_job_id } = await model().submit(request());
    const { last, seen } = await settle(provider_job_id);
    // Assess
    const sent = fal.requests.at(-1);
    expect(sent?.model).toBe('fal-ai/veo3.1/fast');
    expect(sent?.webhook).toBe('https://api.example/webhooks/fal');
    expect(sent?.input).toMatchObject({
      aspect_ratio: '9:16',
      duration: '4s',
      generate_audio: true,
      seed: 42,
    });
    expect(String(sent?.input.prompt)).toContain('#6F4E37');
    expect(seen).toEqual(['queued', 'completed']);
    expect(last).toEqual({
      state: 'completed',
      output_url: `${fal.url}/cdn/${sent?.request_id}.mp4`,
      has_audio: true,
    });
  });

  it('serves a real 9:16 clip with an audio track for Veo on its CDN', async () => {
    const { provider_job_id } = await model().submit(request());
    const { last } = await settle(provider_job_id);
    const res = await fetch((last as { output_url: string }).output_url);
    const file = `/tmp/fal-contract-${Date.now()}.mp4`;
    (await import('node:fs')).writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const probe = JSON.parse(
      execFileSync(ffprobePath(), ['-v', 'error', '-show_streams', '-of', 'json', file]).toString(),
    ) as { streams: { codec_type: string; width?: number; height?: number }[] };
    const v = probe.streams.find((s) => s.codec_type === 'video');
    expect([v?.width, v?.height]).toEqual([180, 320]);
    expect(probe.streams.some((s) => s.codec_type === 'audio')).toBe(true);
  });

  it('finds a submitted job again from its provider job id alone, after a restart', async () => {
    // Prepare: one process submits...
    const { provider_job_id } = await model().submit(request());
    // Act: ...another, with nothing but the id, asks about it.
    const { last } = await settle(provider_job_id, model());
    // Assess
    expect(decodeFalJobId(provider_job_id)).toMatchObject({ model: 'fal-ai/veo3.1/fast', audio: true });
    expect(last.state).toBe('completed');
  });

  it('reads status and result under the app of a nested model id', async () => {
    const { provider_job_id } = await model().submit(
      request({
        model: 'fal-ai/kling-video/v4/image-to-video',
        keyframe_key: 'keyframes/c/s.png',
        audio: false,
      }),
    );
    const { last } = await settle(provider_job_id);
    expect(last.state).toBe('completed');
  });

  it('hands Kling its keyframe as a presigned start_image_url and a documented duration', async () => {
    await model().submit(
      request({
        model: 'fal-ai/kling-video/v4/image-to-video',
        keyframe_key: 'keyframes/c1/s1.png',
        duration_seconds: 5,
      }),
    );
    expect(fal.requests.at(-1)?.input).toMatchObject({
      start_image_url: 'https://bucket.example/keyframes/c1/s1.png?X-Amz-Expires=3600',
      duration: '5',
    });
  });

  it('refuses to submit an image-to-video model without a keyframe', async () => {
    await expect(model().submit(request({ model: 'fal-ai/kling-video/v4/image-to-video' }))).rejects.toThrow(
      /keyframe/,
    );
  });

  it('reports a provider failure as failed, naming fal’s detail', async () => {
    fal.outcomes.push('provider_error');
    const { provider_job_id } = await model().submit(request());
    const { last } = await settle(provider_job_id);
    expect(last).toEqual({
      state: 'failed',
      error: 'fal: Internal error while generating the video',
      kind: 'provider_error',
    });
  });

  it('reports a content-policy refusal as refused', async () => {
    fal.outcomes.push('refusal');
    const { provider_job_id } = await model().submit(request());
    const { last } = await settle(provider_job_id);
    expect(last).toMatchObject({ state: 'failed', kind: 'refused' });
    expect((last as { error: string }).error).toContain('flagged by a content checker');
  });

  it('turns a 429 into a retryable error carrying Retry-After, and queues nothing', async () => {
    fal.outcomes.push('rate_limited');
    const before = fal.requests.length;
    const error = await model()
      .submit(request())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRetryableError);
    expect((error as ProviderRetryableError).retryAfterSeconds).toBe(7);
    expect(fal.requests.length).toBe(before);
  });

  it('keeps a hanging request in processing (the render timeout decides)', async () => {
    fal.outcomes.push('hang');
    const { provider_job_id } = await model().submit(request());
    const { seen } = await settle(provider_job_id);
    expect(new Set(seen)).toEqual(new Set(['processing']));
  });

  it('turns a queue that does not answer into a retryable error', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const slow = new FalVideoModel({ queueUrl: url, key: async () => FAKE_FAL_KEY, blobs, timeoutMs: 300 });
    await expect(slow.submit(request())).rejects.toBeInstanceOf(ProviderRetryableError);
    silent.closeAllConnections();
    silent.close();
  });

  it('names the key when fal refuses it, instead of retrying or failing the render', async () => {
    const wrongKey = new FalVideoModel({ queueUrl: fal.url, key: async () => 'not-the-key', blobs });
    const { provider_job_id } = await model().submit(request());
    await expect(wrongKey.submit(request())).rejects.toThrow(/fal refused the API key \(HTTP 401\)/);
    await expect(wrongKey.status(provider_job_id)).rejects.toThrow(/FAL_KEY/);
  });

  it('reports an id fal does not know, or not one of ours, as unknown', async () => {
    expect(await model().status('00000000-0000-4000-8000-000000000000~fal-ai/veo3.1/fast')).toEqual({
      state: 'unknown',
    });
    expect(await model().status('offrender_0123456789abcdef')).toEqual({ state: 'unknown' });
  });

  it('reads the outcome of fal’s webhook bodies', async () => {
    fal.outcomes.push('success', 'refusal');
    await model().submit(request());
    await model().submit(request());
    const [ok, refused] = fal.requests
      .slice(-2)
      .map((r) => FalWebhookBody.parse(JSON.parse(fal.webhookBody(r))));
    expect(webhookOutcome(ok as FalWebhookBody, true)).toMatchObject({ state: 'completed', has_audio: true });
    expect(webhookOutcome(refused as FalWebhookBody)).toMatchObject({ state: 'failed', kind: 'refused' });
  });
});

describe('the fal keyframe model', () => {
  it('draws a brand-palette keyframe with Seedream v4 and stores the image at its key', async () => {
    const keyframes = new FalKeyframeModel({
      queueUrl: fal.url,
      key: async () => FAKE_FAL_KEY,
      blobs,
      localOrigins: () => [fal.url],
      pollMs: 1,
    });
    const out = await keyframes.generate({
      job_id: 'k1',
      model: 'fal-ai/bytedance/seedream/v4/text-to-image',
      prompt: 'a cup of coffee on a marble counter',
      palette: ['#6F4E37', '#F5F5DC'],
      aspect_ratio: '9:16',
      seed: 7,
      output_key: 'keyframes/c1/s1.png',
    });
    expect(out).toEqual({
      image_key: 'keyframes/c1/s1.png',
      usage: {
        model: 'fal-ai/bytedance/seedream/v4/text-to-image',
        provider: 'fal',
        units: 1,
        unit: 'images',
      },
    });
    expect(fal.requests.at(-1)?.input).toMatchObject({ image_size: 'portrait_16_9', num_images: 1 });
    expect(String(fal.requests.at(-1)?.input.prompt)).toContain('#6F4E37');
    const stored = blobs.objects.get('keyframes/c1/s1.png');
    expect(
      Buffer.from(stored?.body ?? [])
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  it('will not fetch a plain-http image from an origin it was not told about', async () => {
    const keyframes = new FalKeyframeModel({
      queueUrl: fal.url,
      key: async () => FAKE_FAL_KEY,
      blobs,
      pollMs: 1,
    });
    await expect(
      keyframes.generate({
        job_id: 'k2',
        model: 'fal-ai/bytedance/seedream/v4/text-to-image',
        prompt: 'p',
        palette: [],
        aspect_ratio: '9:16',
        seed: 1,
        output_key: 'keyframes/c1/s2.png',
      }),
    ).rejects.toThrow(/https only/);
    expect(blobs.objects.has('keyframes/c1/s2.png')).toBe(false);
  });
});
