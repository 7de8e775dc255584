import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { shortHash } from '../../ids.js';
import { renderScene, type SceneRenderOptions } from '../../media/scene-renderer.js';
import type { BlobStore } from '../../ports/index.js';
import { webhookHeaders } from '../../webhooks/standard-webhooks.js';
import {
  type OfflineRenderEvent,
  type OfflineRenderStatus,
  offlineRenderKeys,
  readOfflineStatus,
  writeOfflineStatus,
} from './procedural-video-model.js';

/**
 * Waits between webhook attempts (the Standard Webhooks retry schedule, compressed): nine attempts
 * over about 90 s, well inside the renderer's timeout. Past them the status object records the
 * failed delivery and the poller finishes the job.
 */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [
  500, 1000, 2000, 4000, 8000, 15_000, 30_000, 30_000,
];

export interface ProceduralRendererOptions {
  blobs: BlobStore;
  /** The Standard Webhooks secret (`whsec_…`) shared with `POST /webhooks/offline`. */
  webhookSecret: () => Promise<string>;
  /** Scratch space (Lambda: /tmp). */
  workDir: string;
  fetchImpl?: typeof fetch;
  render?: (opts: SceneRenderOptions) => Promise<unknown>;
  retryDelaysMs?: readonly number[];
  now?: () => Date;
}

/**
 * OFFLINE STAND-IN for a video provider's backend: renders one scene with ffmpeg into its scratch
 * space, stores the clip and a status object in S3 under `provider-renders/offline/`, then delivers
 * the signed webhook, awaited (nothing may run after a Lambda handler returns). A job whose clip is
 * already stored is not rendered again: its webhook is delivered once more.
 */
export class ProceduralRenderer {
  private readonly now: () => Date;

  constructor(private readonly opts: ProceduralRendererOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  async handle(event: OfflineRenderEvent): Promise<OfflineRenderStatus> {
    const id = event.provider_job_id;
    const { blobs } = this.opts;
    const stored = await readOfflineStatus(blobs, id);
    let status: OfflineRenderStatus;
    if (stored?.state === 'completed' && (await blobs.exists(offlineRenderKeys(id).clip))) {
      status = stored;
    } else {
      await writeOfflineStatus(blobs, { provider_job_id: id, state: 'processing', updated_at: this.stamp() });
      status = await this.render(event);
      await writeOfflineStatus(blobs, status);
    }
    const callbackUrl = event.request.callback_url;
    if (!callbackUrl) return status;
    const delivered = { ...status, webhook: await this.deliver(status, callbackUrl) };
    await writeOfflineStatus(blobs, delivered);
    return delivered;
  }

  /** Draws the clip; an ffmpeg failure is the job's result, a storage failure is thrown (Lambda retries). */
  private async render(event: OfflineRenderEvent): Promise<OfflineRenderStatus> {
    const id = event.provider_job_id;
    const req = event.request;
    const dir = path.join(this.opts.workDir, 'offline-renders');
    mkdirSync(dir, { recursive: true });
    const local = path.join(dir, `${id}-${randomUUID()}.mp4`);
    try {
      try {
        await (this.opts.render ?? renderScene)({
          outPath: local,
          width: req.width,
          height: req.height,
          fps: req.fps,
          durationSeconds: req.duration_seconds,
          palette: req.palette,
          cameraMovement: req.camera_movement,
          lighting: req.lighting,
          style: toStyle(req.style),
          onScreenText: req.on_screen_text,
          seed: req.seed,
        });
      } catch (error) {
        return {
          provider_job_id: id,
          state: 'failed',
          error: (error as Error).message.slice(0, 500),
          updated_at: this.stamp(),
        };
      }
      await this.opts.blobs.putFile(offlineRenderKeys(id).clip, local, 'video/mp4');
      return { provider_job_id: id, state: 'completed', updated_at: this.stamp() };
    } finally {
      rmSync(local, { force: true });
    }
  }

  /**
   * POSTs the signed event with retries and backoff. 404 means "job not recorded yet" (the job row may
   * lag the submit) and 5xx, 429 or no answer mean "receiver unavailable": try again. Any other 4xx
   * is the receiver refusing the event: final.
   */
  private async deliver(
    status: OfflineRenderStatus,
    callbackUrl: string,
  ): Promise<NonNullable<OfflineRenderStatus['webhook']>> {
    const id = status.provider_job_id;
    const completed = status.state === 'completed';
    const body = JSON.stringify({
      object: 'event',
      id: `evt_${shortHash(id, status.state)}`,
      type: completed ? 'video.completed' : 'video.failed',
      // The time the job reached its state: every delivery of one message id carries the same body
      // (the receiver refuses a reused id with another body).
      created_at: Math.floor(Date.parse(status.updated_at) / 1000),
      data: {
        id,
        ...(completed ? { output_url: this.opts.blobs.url(offlineRenderKeys(id).clip) } : {}),
        ...(status.state === 'failed' ? { error: status.error ?? 'the render failed' } : {}),
      },
    });
    const secret = await this.opts.webhookSecret();
    const doFetch = this.opts.fetchImpl ?? fetch;
    const delays = this.opts.retryDelaysMs ?? WEBHOOK_RETRY_DELAYS_MS;
    let lastStatus: number | undefined;
    let lastError: string | undefined;
    let attempts = 0;
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, delays[attempt - 1]));
      attempts++;
      try {
        const res = await doFetch(callbackUrl, {
          method: 'POST',
          // Same message id on every attempt: receivers deduplicate on it.
          headers: webhookHeaders(secret, `msg_${shortHash(id, status.state)}`, body, this.now().getTime()),
          body,
          signal: AbortSignal.timeout(15_000),
        });
        lastStatus = res.status;
        lastError = undefined;
        await res.body?.cancel();
        if (res.ok) return { delivered: true, attempts, last_status: res.status, at: this.stamp() };
        if (res.status >= 400 && res.status < 500 && res.status !== 404 && res.status !== 429) break;
      } catch (error) {
        lastError = (error as Error).message.slice(0, 300);
      }
    }
    return {
      delivered: false,
      attempts,
      ...(lastStatus !== undefined ? { last_status: lastStatus } : {}),
      ...(lastError !== undefined ? { last_error: lastError } : {}),
      at: this.stamp(),
    };
  }

  private stamp(): string {
    return this.now().toISOString();
  }
}

function toStyle(style: string): 'hyper_realistic' | 'abstract' | 'cinematic' {
  return style === 'hyper_realistic' || style === 'abstract' ? style : 'cinematic';
}
