import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { shortHash } from '../../ids.js';
import { renderScene } from '../../media/scene-renderer.js';
import type { ProviderJobStatus, RenderRequest, VideoModel } from '../../ports/index.js';
import { webhookHeaders } from '../../webhooks/standard-webhooks.js';

export interface ProceduralVideoModelOptions {
  /** Where this "provider" keeps its outputs (its own storage, like a provider's CDN). */
  outputDir: string;
  /** Standard Webhooks secret shared with `POST /webhooks/offline`. */
  webhookSecret: string;
  /** Concurrent ffmpeg renders; a real provider queues too. */
  concurrency?: number;
  fetchImpl?: typeof fetch;
}

/**
 * OFFLINE STAND-IN for the paid video models (Sora, Veo 3, Seedream, Nano Banana): renders a
 * procedural clip with ffmpeg from the prompt's palette, camera movement and text, then calls the
 * webhook exactly like a provider would (signed Standard Webhooks POST with the job id), so the
 * state machine is resumed through the same callback path as in production — never inline.
 * Outputs persist on disk, so `status()` survives a restart of the process.
 */
export class ProceduralVideoModel implements VideoModel {
  readonly provider = 'offline';
  readonly delivers = 'webhook' as const;
  private readonly jobs = new Map<string, ProviderJobStatus>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly opts: ProceduralVideoModelOptions) {
    mkdirSync(opts.outputDir, { recursive: true });
  }

  async submit(req: RenderRequest): Promise<{ provider_job_id: string }> {
    const id = `offrender_${shortHash(req.job_id, req.model, req.prompt, req.width, req.height, req.seed)}`;
    const current = await this.status(id);
    if (current.state === 'completed') {
      void this.notify(id, req.callback_url);
    } else if (current.state !== 'queued' && current.state !== 'processing') {
      this.jobs.set(id, { state: 'queued' });
      void this.run(id, req);
    }
    return { provider_job_id: id };
  }

  async status(providerJobId: string): Promise<ProviderJobStatus> {
    const known = this.jobs.get(providerJobId);
    if (known) return known;
    const out = this.outputPath(providerJobId);
    return existsSync(out)
      ? { state: 'completed', output_url: pathToFileURL(out).href }
      : { state: 'unknown' };
  }

  private outputPath(id: string): string {
    return path.join(this.opts.outputDir, `${id}.mp4`);
  }

  private async slot(): Promise<() => void> {
    const limit = this.opts.concurrency ?? 2;
    if (this.running >= limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    return () => {
      this.running--;
      this.waiting.shift()?.();
    };
  }

  private async run(id: string, req: RenderRequest): Promise<void> {
    const release = await this.slot();
    try {
      this.jobs.set(id, { state: 'processing' });
      const out = this.outputPath(id);
      const tmp = `${out}.part.mp4`;
      await renderScene({
        outPath: tmp,
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
      renameSync(tmp, out);
      this.jobs.set(id, { state: 'completed', output_url: pathToFileURL(out).href });
    } catch (error) {
      this.jobs.set(id, { state: 'failed', error: (error as Error).message.slice(0, 500) });
    } finally {
      release();
    }
    await this.notify(id, req.callback_url);
  }

  /** Delivers the webhook with retries and backoff, as providers do (Standard Webhooks retry schedule, compressed). */
  private async notify(id: string, callbackUrl: string | undefined): Promise<void> {
    if (!callbackUrl) return;
    const status = this.jobs.get(id) ?? (await this.status(id));
    const body = JSON.stringify({
      object: 'event',
      id: `evt_${shortHash(id, status.state)}`,
      type: status.state === 'completed' ? 'video.completed' : 'video.failed',
      created_at: Math.floor(Date.now() / 1000),
      data: {
        id,
        ...(status.state === 'completed' ? { output_url: status.output_url } : {}),
        ...(status.state === 'failed' ? { error: status.error } : {}),
      },
    });
    const doFetch = this.opts.fetchImpl ?? fetch;
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        const res = await doFetch(callbackUrl, {
          method: 'POST',
          headers: webhookHeaders(this.opts.webhookSecret, `msg_${shortHash(id, status.state)}`, body),
          body,
        });
        if (res.ok) return;
        // 4xx other than "not yet known" is final: the receiver rejected the event.
        if (res.status >= 400 && res.status < 500 && res.status !== 404 && res.status !== 409) return;
      } catch {
        // receiver down: retry
      }
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 5000)));
    }
    writeFileSync(`${this.outputPath(id)}.undelivered`, body);
  }
}

function toStyle(style: string): 'hyper_realistic' | 'abstract' | 'cinematic' {
  return style === 'hyper_realistic' || style === 'abstract' ? style : 'cinematic';
}
