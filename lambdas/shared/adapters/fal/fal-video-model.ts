import type { BlobStore, ProviderJobStatus, RenderRequest, VideoModel } from '../../ports/index.js';
import { FalQueue, type FalQueueOptions, videoOutcome } from './fal-queue.js';

/**
 * The provider job id names the model and the request, so status() finds the request again after a
 * restart without anything stored: `<request_id>~<model_id>` (+ `~audio` when audio was asked for).
 */
const SEP = '~';
export function encodeFalJobId(parts: { requestId: string; model: string; audio?: boolean }): string {
  return [parts.requestId, parts.model, ...(parts.audio ? ['audio'] : [])].join(SEP);
}
export function decodeFalJobId(id: string): { requestId: string; model: string; audio: boolean } | undefined {
  const [requestId, model, flag, ...rest] = id.split(SEP);
  if (!requestId || !model || rest.length > 0 || (flag !== undefined && flag !== 'audio')) return undefined;
  if (!/^[\w.-]+(\/[\w.-]+)+$/.test(model)) return undefined;
  return { requestId, model, audio: flag === 'audio' };
}

export interface FalVideoModelOptions extends FalQueueOptions {
  /** The media bucket: keyframes are handed to fal as presigned URLs. */
  blobs: BlobStore;
  /** How long fal may fetch a keyframe (default 1 h). */
  keyframeUrlSeconds?: number;
}

type Family = 'veo' | 'kling' | 'seedance' | 'other';
const family = (model: string): Family =>
  model.includes('/veo')
    ? 'veo'
    : model.includes('kling-video')
      ? 'kling'
      : model.includes('seedance')
        ? 'seedance'
        : 'other';

/** The prompt a real model reads: the scene's prompt with its visual cues spelled out. */
export function falPrompt(req: RenderRequest): string {
  const cues = [
    req.style && `Style: ${req.style.replace(/_/g, ' ')}.`,
    req.camera_movement && `Camera: ${req.camera_movement.replace(/_/g, ' ')}.`,
    req.lighting && `Lighting: ${req.lighting.replace(/_/g, ' ')}.`,
    req.palette.length > 0 && `Colour palette: ${req.palette.join(', ')}.`,
    'No on-screen text.',
  ].filter(Boolean);
  return `${req.prompt.trim()} ${cues.join(' ')}`.slice(0, 2500);
}

/**
 * Each model family's input fields, as their fal pages document them: Veo 3.x (`aspect_ratio`
 * 16:9|9:16, `duration` '4s'|'6s'|'8s', `generate_audio`), Kling image-to-video (`start_image_url`,
 * `duration` '5'|'10'), Seedance (`image_url`, `aspect_ratio`, `resolution`, `duration`).
 */
export function falInput(req: RenderRequest, imageUrl?: string): Record<string, unknown> {
  const prompt = falPrompt(req);
  const aspect = req.aspect_ratio ?? '9:16';
  const seconds = Math.round(req.duration_seconds);
  switch (family(req.model)) {
    case 'veo':
      return {
        prompt,
        aspect_ratio: aspect,
        duration: `${seconds}s`,
        generate_audio: req.audio ?? false,
        resolution: '720p',
        seed: req.seed,
        ...(imageUrl ? { image_url: imageUrl } : {}),
      };
    case 'kling':
      return { prompt, start_image_url: imageUrl, duration: String(seconds), aspect_ratio: aspect };
    case 'seedance':
      return {
        prompt,
        image_url: imageUrl,
        aspect_ratio: aspect,
        resolution: '720p',
        duration: String(seconds),
        seed: req.seed,
        ...(req.audio !== undefined ? { generate_audio: req.audio } : {}),
      };
    default:
      return {
        prompt,
        aspect_ratio: aspect,
        duration: seconds,
        ...(imageUrl ? { image_url: imageUrl } : {}),
      };
  }
}

/**
 * fal queue video models (Veo 3.1, Kling, Seedance, ...). submit() queues with `fal_webhook` (the
 * webhook finishes the job: lambdas/api/webhooks.ts verifies fal's ED25519 signature); status() reads
 * the queue status and the result, the poller's fallback when a webhook is lost. Outputs are fal CDN
 * https URLs; the render path copies them to S3 at once (fal media URLs are not permanent).
 */
export class FalVideoModel implements VideoModel {
  readonly provider = 'fal';
  readonly delivers = 'webhook' as const;
  private readonly queue: FalQueue;

  constructor(private readonly opts: FalVideoModelOptions) {
    this.queue = new FalQueue(opts);
  }

  async submit(req: RenderRequest): Promise<{ provider_job_id: string }> {
    const imageUrl = req.keyframe_key
      ? await this.opts.blobs.presign(req.keyframe_key, this.opts.keyframeUrlSeconds ?? 3600)
      : undefined;
    if (!imageUrl && (family(req.model) === 'kling' || family(req.model) === 'seedance'))
      throw new Error(`fal model ${req.model} renders from a keyframe: the request has none`);
    const requestId = await this.queue.submit(req.model, falInput(req, imageUrl), req.callback_url);
    return { provider_job_id: encodeFalJobId({ requestId, model: req.model, audio: req.audio }) };
  }

  async status(providerJobId: string): Promise<ProviderJobStatus> {
    const id = decodeFalJobId(providerJobId);
    if (!id) return { state: 'unknown' };
    const status = await this.queue.status(id.model, id.requestId);
    if (!status) return { state: 'unknown' };
    if (status.status === 'IN_QUEUE') return { state: 'queued' };
    if (status.status === 'IN_PROGRESS') return { state: 'processing' };
    const result = await this.queue.result(id.model, id.requestId);
    if (!result.ok) return { state: 'failed', error: result.message, kind: result.kind };
    return videoOutcome(result.output, id.audio);
  }
}
