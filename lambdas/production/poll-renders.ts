import middy from '@middy/core';
import { config } from '../shared/commons.js';
import { renderJobs } from '../shared/data/repositories.js';
import { videoModel } from '../shared/providers/video.js';
import { blobs, taskCallbacks } from '../shared/services.js';
import { completeRender, failRender } from './domain/renders.js';

/**
 * Scheduled every minute: asks the provider about every job in flight and finishes those that are
 * done. The path for providers without webhooks (Bedrock async invoke), and the net under lost webhooks.
 */
export async function pollRenders(): Promise<{ checked: number; finished: number }> {
  const provider = videoModel();
  const deps = { blobs: blobs(), callbacks: taskCallbacks(), workDir: config.BIE_WORK_DIR };
  let finished = 0;
  const jobs = (await renderJobs.listProcessing()).filter(
    (j) => j.provider === provider.provider && j.provider_job_id,
  );
  for (const job of jobs) {
    const status = await provider.status(job.provider_job_id as string);
    if (status.state === 'completed') {
      await completeRender(deps, job, status.output_url, String(job.parameters.cache_key ?? ''));
      finished++;
    } else if (status.state === 'failed') {
      await failRender(deps, job, status.error);
      finished++;
    }
  }
  return { checked: jobs.length, finished };
}

export const handler = middy(async () => pollRenders());
