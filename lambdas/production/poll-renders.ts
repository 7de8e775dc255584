import middy from '@middy/core';
import { config, logger } from '../shared/commons.js';
import type { RenderJob } from '../shared/contracts/index.js';
import { renderJobs } from '../shared/data/repositories.js';
import { nowIso } from '../shared/ids.js';
import type { BlobStore, TaskCallbacks, VideoModel } from '../shared/ports/index.js';
import { videoModels } from '../shared/providers/video.js';
import { blobs, taskCallbacks } from '../shared/services.js';
import { completeRender, failRender, heartbeatFollowers, tokenGone } from './domain/renders.js';

export interface PollDeps {
  provider: VideoModel;
  callbacks: TaskCallbacks;
  blobs: BlobStore;
  workDir: string;
}

export interface PollResult {
  checked: number;
  finished: number;
  heartbeats: number;
  abandoned: number;
}

/**
 * Scheduled every minute: asks the provider about every job in flight and finishes those that are
 * done. The path for providers without webhooks (Bedrock async invoke), and the net under lost webhooks.
 *
 * It also heartbeats the waiting RenderScene tasks (`HeartbeatSeconds` in production.asl.json) for
 * jobs the provider still reports queued or processing, so a long render is not timed out while a
 * provider that lost the job (`unknown`) is: its heartbeat lapses and the state machine submits again.
 * A job whose task is gone (timed out, or never existed) is marked failed as abandoned; nothing will
 * ever wait for it again. One job's error does not stop the others; the run fails at the end.
 */
export async function pollRenders(deps: PollDeps): Promise<PollResult> {
  const result: PollResult = { checked: 0, finished: 0, heartbeats: 0, abandoned: 0 };
  const errors: unknown[] = [];
  const jobs = (await renderJobs.listProcessing()).filter(
    (j) => j.provider === deps.provider.provider && j.provider_job_id,
  );
  result.checked = jobs.length;
  for (const job of jobs) {
    try {
      const status = await deps.provider.status(job.provider_job_id as string);
      if (status.state === 'completed') {
        await completeRender(deps, job, status.output_url, String(job.parameters.cache_key ?? ''));
        result.finished++;
      } else if (status.state === 'failed') {
        await failRender(deps, job, status.error);
        result.finished++;
      } else if ((status.state === 'queued' || status.state === 'processing') && job.task_token) {
        if (await heartbeat(deps.callbacks, job)) {
          result.heartbeats++;
          await heartbeatFollowers(deps.callbacks, job);
        } else result.abandoned++;
      }
    } catch (error) {
      logger.error('polling a render job failed', { job_id: job.job_id, error: error as Error });
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} render jobs could not be polled`);
  return result;
}

/** True when the task still waits; false (and the job marked abandoned) when its token is gone. */
async function heartbeat(callbacks: TaskCallbacks, job: RenderJob): Promise<boolean> {
  try {
    await callbacks.heartbeat(job.task_token as string);
    return true;
  } catch (error) {
    if (!tokenGone(error)) throw error;
    const name = (error as { name?: string }).name;
    // Only if nothing moved since the poll read it: a resumed SubmitRender may have parked a new token,
    // or the webhook completed the job, in the meantime; neither may be undone.
    await renderJobs.put(
      {
        ...job,
        status: 'failed',
        error_message: `abandoned: the waiting task is gone (${name}); a new submission renders it again`,
        completed_at: nowIso(),
      },
      { status: job.status, task_token: job.task_token },
    );
    return false;
  }
}

/** One pass per adapter in use (the offline stand-in and each enabled provider): each asks about its own jobs. */
export const handler = middy(async () => {
  const results: PollResult[] = [];
  for (const provider of videoModels())
    results.push(
      await pollRenders({
        provider,
        callbacks: taskCallbacks(),
        blobs: blobs(),
        workDir: config.BIE_WORK_DIR,
      }),
    );
  return results.reduce((sum, r) => ({
    checked: sum.checked + r.checked,
    finished: sum.finished + r.finished,
    heartbeats: sum.heartbeats + r.heartbeats,
    abandoned: sum.abandoned + r.abandoned,
  }));
});
