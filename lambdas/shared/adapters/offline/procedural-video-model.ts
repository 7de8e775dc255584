import { z } from 'zod';
import { shortHash } from '../../ids.js';
import type {
  BlobStore,
  FunctionInvoker,
  ProviderJobStatus,
  RenderRequest,
  VideoModel,
} from '../../ports/index.js';

/**
 * The offline stand-in provider keeps its outputs under this prefix of the media bucket (its "CDN"):
 * `<id>.mp4` is the clip, `<id>.json` the job's status. Any function can read them, so the webhook and
 * the poller work from whichever function runs them.
 */
export const OFFLINE_RENDERS_PREFIX = 'provider-renders/offline/';

const JOB_ID = /^offrender_[0-9a-f]{16}$/;

export const offlineRenderKeys = (providerJobId: string) => ({
  clip: `${OFFLINE_RENDERS_PREFIX}${providerJobId}.mp4`,
  status: `${OFFLINE_RENDERS_PREFIX}${providerJobId}.json`,
});

/** The same request always gets the same job id: a resubmission finds the first one's clip. */
export const offlineJobId = (req: RenderRequest): string =>
  `offrender_${shortHash(req.job_id, req.model, req.prompt, req.width, req.height, req.seed)}`;

/** The "create video" request the client sends the renderer function (its Lambda event). */
export const OfflineRenderEvent = z.object({
  provider_job_id: z.string().regex(JOB_ID, 'must be offrender_ and 16 hex digits'),
  request: z.object({
    job_id: z.string().min(1),
    model: z.string().min(1),
    prompt: z.string(),
    duration_seconds: z.number().positive().max(60),
    width: z.number().int().min(16).max(4096),
    height: z.number().int().min(16).max(4096),
    fps: z.number().int().min(1).max(60),
    palette: z.array(z.string()).max(32),
    camera_movement: z.string(),
    lighting: z.string(),
    style: z.string(),
    on_screen_text: z.string().optional(),
    seed: z.number().int(),
    callback_url: z.url({ protocol: /^https?$/ }).optional(),
  }),
});
export type OfflineRenderEvent = z.infer<typeof OfflineRenderEvent>;

/** `<id>.json`: the job's state and how its webhook delivery went. */
export const OfflineRenderStatus = z.object({
  provider_job_id: z.string(),
  state: z.enum(['queued', 'processing', 'completed', 'failed']),
  updated_at: z.iso.datetime(),
  error: z.string().optional(),
  /** Delivery of the final state's webhook; when it never landed the poller finishes the job. */
  webhook: z
    .object({
      delivered: z.boolean(),
      attempts: z.number().int().min(0),
      last_status: z.number().int().optional(),
      last_error: z.string().optional(),
      at: z.iso.datetime(),
    })
    .optional(),
});
export type OfflineRenderStatus = z.infer<typeof OfflineRenderStatus>;

export async function readOfflineStatus(
  blobs: BlobStore,
  providerJobId: string,
): Promise<OfflineRenderStatus | undefined> {
  const key = offlineRenderKeys(providerJobId).status;
  if (!(await blobs.exists(key))) return undefined;
  const parsed = OfflineRenderStatus.safeParse(
    JSON.parse(new TextDecoder().decode(await blobs.get(key))) as unknown,
  );
  return parsed.success ? parsed.data : undefined;
}

export async function writeOfflineStatus(blobs: BlobStore, status: OfflineRenderStatus): Promise<void> {
  await blobs.put(
    offlineRenderKeys(status.provider_job_id).status,
    JSON.stringify(OfflineRenderStatus.parse(status)),
    'application/json',
  );
}

export interface ProceduralVideoModelOptions {
  /** The media bucket: where the renderer writes clips and statuses. */
  blobs: BlobStore;
  /** Invokes the renderer function asynchronously. */
  invoker: FunctionInvoker;
  /**
   * Name or ARN of the renderer function (OFFLINE_RENDERER_FUNCTION_NAME), read by submit() only: the
   * functions that only read statuses (PollRenders, WebhooksApi) do not have the variable.
   */
  rendererFunction: () => string;
  /**
   * A queued or processing job not updated for this long died with its invocation (a renderer run
   * cannot outlive Lambda's 15-minute maximum): status() reports it unknown, and submit() starts it again.
   */
  staleAfterMs?: number;
  now?: () => Date;
}

/**
 * OFFLINE STAND-IN for the paid video models (Sora, Veo 3, Seedream, Nano Banana), client side.
 * `submit()` queues the job and invokes the renderer function (lambdas/production/render-offline-scene.ts)
 * asynchronously, as a provider's API queues a generation; the renderer draws the clip with ffmpeg into
 * S3 and calls the webhook like a provider (signed Standard Webhooks POST). `status()` reads the job's
 * status object in S3, so the poller and the webhook can finish the job from any function.
 */
export class ProceduralVideoModel implements VideoModel {
  readonly provider = 'offline';
  readonly delivers = 'webhook' as const;
  private readonly now: () => Date;

  constructor(private readonly opts: ProceduralVideoModelOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  async submit(req: RenderRequest): Promise<{ provider_job_id: string }> {
    const id = offlineJobId(req);
    const current = await readOfflineStatus(this.opts.blobs, id);
    // In flight: the running render calls back; a second invocation would render twice.
    if (current && this.inFlight(current)) return { provider_job_id: id };
    const rendererFunction = this.opts.rendererFunction();
    if (!rendererFunction) {
      throw new Error(
        'OFFLINE_RENDERER_FUNCTION_NAME is not set: the offline video model needs the renderer function',
      );
    }
    // A finished clip is not rendered again: the renderer only delivers its webhook once more.
    if (current?.state !== 'completed') {
      await writeOfflineStatus(this.opts.blobs, {
        provider_job_id: id,
        state: 'queued',
        updated_at: this.now().toISOString(),
      });
    }
    const event: OfflineRenderEvent = { provider_job_id: id, request: { ...req } };
    await this.opts.invoker.invokeAsync(rendererFunction, OfflineRenderEvent.parse(event));
    return { provider_job_id: id };
  }

  async status(providerJobId: string): Promise<ProviderJobStatus> {
    if (!JOB_ID.test(providerJobId)) return { state: 'unknown' };
    const status = await readOfflineStatus(this.opts.blobs, providerJobId);
    if (!status) return { state: 'unknown' };
    if (status.state === 'completed')
      return {
        state: 'completed',
        output_url: this.opts.blobs.url(offlineRenderKeys(providerJobId).clip),
      };
    if (status.state === 'failed') return { state: 'failed', error: status.error ?? 'the render failed' };
    return this.inFlight(status) ? { state: status.state } : { state: 'unknown' };
  }

  private inFlight(status: OfflineRenderStatus): boolean {
    if (status.state !== 'queued' && status.state !== 'processing') return false;
    const age = this.now().getTime() - Date.parse(status.updated_at);
    return age < (this.opts.staleAfterMs ?? 20 * 60_000);
  }
}
