import { z } from 'zod';
import { completeRender, failRender } from '../production/domain/renders.js';
import { config } from '../shared/commons.js';
import { renderJobs } from '../shared/data/repositories.js';
import { blobs, taskCallbacks } from '../shared/services.js';
import { parseOrThrow } from '../shared/validation.js';
import { verifyWebhook } from '../shared/webhooks/standard-webhooks.js';
import { apiHandler, json, problem } from './http.js';

const VideoEvent = z.object({
  id: z.string(),
  type: z.enum(['video.completed', 'video.failed']),
  data: z.object({ id: z.string().min(1), output_url: z.string().optional(), error: z.string().optional() }),
});

/**
 * Provider callbacks (Standard Webhooks signatures, as OpenAI sends them): verify, find the job by the
 * provider's id, finish it. Unknown jobs answer 404 so the provider retries (the job row may lag the
 * submit); finished jobs answer 200 again (providers deliver at least once).
 */
export const handler = apiHandler({
  'POST /webhooks/{provider}': async (event) => {
    const provider = event.pathParameters?.provider ?? '';
    const raw = event.body
      ? event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body
      : '';
    verifyWebhook(config.WEBHOOK_SECRET ?? '', event.headers ?? {}, raw);
    const body = parseOrThrow(VideoEvent, JSON.parse(raw), 'webhook event');
    const job = await renderJobs.findByProviderJobId(provider, body.data.id);
    if (!job) return problem(404, 'Not found', `no render job for ${provider} job ${body.data.id} (yet)`);
    if (job.status === 'completed' || job.status === 'failed')
      return json(200, { job_id: job.job_id, status: job.status, duplicate: true });
    const deps = { blobs: blobs(), callbacks: taskCallbacks(), workDir: config.BIE_WORK_DIR };
    if (body.type === 'video.completed' && body.data.output_url) {
      await completeRender(deps, job, body.data.output_url, String(job.parameters.cache_key ?? ''));
    } else {
      await failRender(deps, job, body.data.error ?? 'the provider reported a failure');
    }
    return json(200, { job_id: job.job_id, status: body.type });
  },
});
