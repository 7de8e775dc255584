import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chargeRender } from '../../shared/charges.js';
import type { RenderJob } from '../../shared/contracts/index.js';
import { renderJobs, sceneCache } from '../../shared/data/repositories.js';
import { nowIso, shortHash } from '../../shared/ids.js';
import type { BlobStore, TaskCallbacks } from '../../shared/ports/index.js';

export const clipKey = (job: RenderJob): string =>
  `renders/${job.campaign_id}/${job.variant_id}/scenes/${job.scene_id}-${job.job_id}.mp4`;

/** The cache key of a scene rendered by a model at a size: identical requests reuse one clip. */
export const sceneCacheKeyFor = (
  scene: {
    visual_prompt: string;
    duration_seconds: number;
    on_screen_text?: string;
    visual_cues: { color_palette: string[] };
  },
  model: string,
  size: { width: number; height: number },
): string =>
  sceneCacheKey({
    model,
    prompt: scene.visual_prompt,
    duration: scene.duration_seconds,
    width: size.width,
    height: size.height,
    text: scene.on_screen_text,
    palette: scene.visual_cues.color_palette,
  });

export const sceneCacheKey = (parts: {
  model: string;
  prompt: string;
  duration: number;
  width: number;
  height: number;
  text?: string;
  palette: string[];
}): string =>
  shortHash(
    parts.model,
    parts.prompt,
    parts.duration,
    parts.width,
    parts.height,
    parts.text ?? '',
    parts.palette.join(','),
  );

async function fetchOutput(url: string, to: string): Promise<void> {
  mkdirSync(path.dirname(to), { recursive: true });
  if (url.startsWith('file:')) {
    copyFileSync(fileURLToPath(url), to);
    return;
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`downloading ${url}: HTTP ${res.status}`);
  writeFileSync(to, Buffer.from(await res.arrayBuffer()));
}

const gone = (e: unknown) =>
  ['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken'].includes((e as { name?: string }).name ?? '');

/**
 * Finishes a render the provider reports done (webhook or poller): stores the clip, charges the
 * ledger once per job, fills the scene cache and resumes the waiting state with the job id.
 * Everything durable happens before the token is sent, so a lost token is repaired on replay.
 */
export async function completeRender(
  deps: { blobs: BlobStore; callbacks: TaskCallbacks; workDir: string },
  job: RenderJob,
  outputUrl: string,
  cacheKey?: string,
): Promise<RenderJob> {
  let done = job;
  if (job.status !== 'completed') {
    const local = path.join(deps.workDir, 'downloads', `${job.job_id}.mp4`);
    await fetchOutput(outputUrl, local);
    const key = clipKey(job);
    await deps.blobs.putFile(key, local, 'video/mp4');
    done = { ...job, status: 'completed', result_url: deps.blobs.url(key), completed_at: nowIso() };
    await renderJobs.put(done);
  }
  // Refused by the budget: the waiting task was failed with BudgetExceededError (a budget pause).
  if (!(await chargeRender(job, deps.callbacks))) return done;
  if (cacheKey)
    await sceneCache.put(cacheKey, {
      campaign_id: job.campaign_id,
      job_id: job.job_id,
      clip_key: clipKey(job),
    });
  if (done.task_token) {
    try {
      await deps.callbacks.success(done.task_token, { job_id: done.job_id, clip_url: done.result_url });
    } catch (e) {
      if (!gone(e)) throw e;
    }
  }
  return done;
}

export async function failRender(
  deps: { callbacks: TaskCallbacks },
  job: RenderJob,
  error: string,
): Promise<void> {
  await renderJobs.put({
    ...job,
    status: 'failed',
    error_message: error.slice(0, 1000),
    completed_at: nowIso(),
  });
  if (!job.task_token) return;
  try {
    await deps.callbacks.failure(job.task_token, 'RenderFailedError', error);
  } catch (e) {
    if (!gone(e)) throw e;
  }
}
