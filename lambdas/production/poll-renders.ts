import middy from '@middy/core';
import { config, logger } from '../shared/commons.js';
import type { RenderJob } from '../shared/contracts/index.js';
import { renderJobs } from '../shared/data/repositories.js';
import { nowIso } from '../shared/ids.js';
import type { BlobStore, ProviderJobStatus, TaskCallbacks, VideoModel } from '../shared/ports/index.js';
import { videoModels } from '../shared/providers/video.js';
import { blobs, taskCallbacks } from '../shared/services.js';
import { backoffMs, isRetryable, renderTimeoutSeconds } from './domain/render-attempts.js';
import { completeRender, failRender, heartbeatFollowers, tokenGone } from './domain/renders.js';

export interface PollDeps {
  provider: VideoModel;
  callbacks: TaskCallbacks;
  blobs: BlobStore;
  workDir: string;
  /** The clock (epoch ms); tests script it to run a 30-minute render in a few calls. */
  now?: () => number;
}

export interface PollResult {
  checked: number;
  finished: number;
  heartbeats: number;
  abandoned: number;
  /** Jobs past their model's render timeout, failed with kind `timeout` (the next model takes over). */
  timed_out: number;
  /** Jobs whose status the provider would not give now (429/5xx): asked again after the backoff. */
  deferred: number;
}

/** Between two status questions about a job the provider rate-limited: its Retry-After, else 1–5 min. */
const POLL_BACKOFF = { baseMs: 60_000, maxMs: 300_000 };

/**
 * Scheduled every minute (catalog `rate(1 minute)`): asks the provider about every job in flight and
 * finishes those that are done, fails those past their model's render timeout, and backs off from a
 * provider that answers 429/5xx. The path for providers without webhooks (Bedrock async invoke), and the net under lost webhooks.
 *
 * It also heartbeats the waiting RenderScene tasks (`HeartbeatSeconds` in production.asl.json) for
 * jobs the provider still reports queued or processing, so a long render is not timed out while a
 * provider that lost the job (`unknown`) is: its heartbeat lapses and the state machine submits again.
 * A job whose task is gone (timed out, or never existed) is marked failed as abandoned; nothing will
 * ever wait for it again. One job's error does not stop the others; the run fails at the end.
 */
export async function pollRenders(deps: PollDeps): Promise<PollResult> {
  const now = deps.now ?? Date.now;
  const result: PollResult = {
    checked: 0,
    finished: 0,
    heartbeats: 0,
    abandoned: 0,
    timed_out: 0,
    deferred: 0,
  };
  const errors: unknown[] = [];
  const jobs = (await renderJobs.listProcessing()).filter(
    (j) => j.provider === deps.provider.provider && j.provider_job_id,
  );
  result.checked = jobs.length;
  for (const job of jobs) {
    try {
      const outcome = await pollOne(deps, job, now());
      if (outcome === 'finished') result.finished++;
      else if (outcome === 'timed_out') result.timed_out++;
      else if (outcome === 'deferred') result.deferred++;
      if (outcome === 'waiting' || outcome === 'deferred') {
        if (!job.task_token) continue;
        if (await heartbeat(deps.callbacks, job)) {
          result.heartbeats++;
          // Scenes of other variants waiting on this render of the same shot (shareShot).
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

type PollOutcome = 'finished' | 'timed_out' | 'deferred' | 'waiting' | 'lost';

/**
 * One job: done → finished; failed → the next model takes over; still rendering past the model's
 * render timeout → failed with kind `timeout`; still rendering → its task is heartbeaten; a 429/5xx from
 * the provider → asked again after its Retry-After (or a backoff), and the task heartbeaten meanwhile,
 * since the job is not lost. `unknown` (the provider lost it): no heartbeat, so the task times out and
 * the state machine submits it again.
 */
async function pollOne(deps: PollDeps, job: RenderJob, now: number): Promise<PollOutcome> {
  const notBefore = Number(job.parameters.poll_not_before ?? 0);
  if (notBefore > now) return 'deferred';
  let status: ProviderJobStatus;
  try {
    status = await deps.provider.status(job.provider_job_id as string);
  } catch (error) {
    if (!isRetryable(error)) throw error;
    const retries = Number(job.parameters.poll_retries ?? 0) + 1;
    const wait = Math.max(POLL_BACKOFF.baseMs, backoffMs(retries, error.retryAfterSeconds, POLL_BACKOFF));
    logger.warn('the provider asked to wait before the next status question', {
      job_id: job.job_id,
      wait_ms: wait,
    });
    // Conditional: a completion or a new token written meanwhile is never undone.
    await renderJobs.put(
      { ...job, parameters: { ...job.parameters, poll_not_before: now + wait, poll_retries: retries } },
      { status: job.status, task_token: job.task_token },
    );
    return 'deferred';
  }
  if (status.state === 'completed') {
    await completeRender(deps, job, status.output_url, String(job.parameters.cache_key ?? ''));
    return 'finished';
  }
  if (status.state === 'failed') {
    await failRender(deps, job, status.error, status.kind);
    return 'finished';
  }
  if (status.state === 'unknown') return 'lost';
  const limit = renderTimeoutSeconds(job.model_name);
  const started = Date.parse(job.started_at ?? job.created_at);
  if (now - started > limit * 1000) {
    await failRender(
      deps,
      job,
      `no result from ${job.provider} after ${Math.round((now - started) / 1000)} s (the ${job.model_name} limit is ${limit} s)`,
      'timeout',
    );
    return 'timed_out';
  }
  return 'waiting';
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
    timed_out: sum.timed_out + r.timed_out,
    deferred: sum.deferred + r.deferred,
  }));
});
