import { z } from 'zod';
import type { BlobStore, KeyframeModel, KeyframeRequest, Usage } from '../../ports/index.js';
import { FalQueue, type FalQueueOptions, FalRequestError } from './fal-queue.js';

export interface FalKeyframeModelOptions extends FalQueueOptions {
  blobs: BlobStore;
  /**
   * Origins whose plain-http image URLs may be fetched (a local fake's CDN; BIE_LOCAL_PROVIDER_ORIGINS).
   * Everything else must be https.
   */
  localOrigins?: () => string[];
  /** Queue polling: interval and how long an image may take (defaults 1 s, 120 s). */
  pollMs?: number;
  deadlineMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const ImagesOutput = z.object({
  images: z.array(z.object({ url: z.string().min(1), content_type: z.string().optional() })).min(1),
});

const SEEDREAM_SIZE = { '9:16': 'portrait_16_9', '16:9': 'landscape_16_9', '1:1': 'square_hd' } as const;

/** The keyframe prompt: the scene, framed as a still, in the brand's palette. */
export function keyframePrompt(req: KeyframeRequest): string {
  const palette = req.palette.length > 0 ? ` Brand colour palette: ${req.palette.join(', ')}.` : '';
  return `${req.prompt.trim()} A single photographic still frame, the first frame of a video, ${req.aspect_ratio} composition.${palette} No text, no logos, no watermark.`.slice(
    0,
    2500,
  );
}

/** Seedream v4 takes `image_size`; Nano Banana takes `aspect_ratio`. */
export function keyframeInput(req: KeyframeRequest): Record<string, unknown> {
  const prompt = keyframePrompt(req);
  if (req.model.includes('seedream'))
    return {
      prompt,
      image_size: SEEDREAM_SIZE[req.aspect_ratio],
      num_images: 1,
      seed: req.seed,
      enable_safety_checker: true,
    };
  return { prompt, aspect_ratio: req.aspect_ratio, num_images: 1, output_format: 'png' };
}

/**
 * Brand-palette keyframes of image-to-video scenes, drawn by a fal text-to-image model (Seedream v4,
 * Nano Banana 2) through the queue: submit, poll the status, read `images[0].url`, store the image in
 * the media bucket at `output_key` (fal media URLs are not permanent).
 */
export class FalKeyframeModel implements KeyframeModel {
  readonly provider = 'fal';
  private readonly queue: FalQueue;

  constructor(private readonly opts: FalKeyframeModelOptions) {
    this.queue = new FalQueue(opts);
  }

  async generate(req: KeyframeRequest): Promise<{ image_key: string; usage: Usage }> {
    const requestId = await this.queue.submit(req.model, keyframeInput(req));
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    const deadline = Date.now() + (this.opts.deadlineMs ?? 120_000);
    for (;;) {
      const status = await this.queue.status(req.model, requestId);
      if (!status) throw new Error(`fal lost the keyframe request ${requestId}`);
      if (status.status === 'COMPLETED') break;
      if (Date.now() > deadline)
        throw new Error(
          `the keyframe request ${requestId} did not finish in ${this.opts.deadlineMs ?? 120_000} ms`,
        );
      await sleep(this.opts.pollMs ?? 1000);
    }
    const result = await this.queue.result(req.model, requestId);
    if (!result.ok) throw new FalRequestError(result.message, result.kind, 422);
    const image = ImagesOutput.parse(result.output).images[0] as { url: string; content_type?: string };
    const bytes = await this.download(image.url);
    await this.opts.blobs.put(req.output_key, bytes, image.content_type ?? 'image/png');
    return {
      image_key: req.output_key,
      usage: { model: req.model, provider: 'fal', units: 1, unit: 'images' },
    };
  }

  private async download(raw: string): Promise<Uint8Array> {
    const url = new URL(raw);
    // Read only for a plain-http URL: on AWS fal's CDN is https and the variable is never looked at.
    const local = url.protocol === 'http:' && (this.opts.localOrigins?.() ?? []).includes(url.origin);
    if (url.protocol !== 'https:' && !local)
      throw new Error(`keyframe URL scheme ${url.protocol} is not allowed (https only)`);
    const res = await (this.opts.fetchImpl ?? fetch)(url, {
      redirect: 'error',
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
    });
    if (!res.ok) throw new Error(`downloading the keyframe from ${url.origin}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
}
