import { z } from 'zod';
import { completeRender, failRender } from '../production/domain/renders.js';
import { config } from '../shared/commons.js';
import { renderJobs } from '../shared/data/repositories.js';
import { ValidationError } from '../shared/errors.js';
import { webhookSecret } from '../shared/secrets.js';
import { blobs, taskCallbacks } from '../shared/services.js';
import { parseOrThrow } from '../shared/validation.js';
import { bindMessage } from '../shared/webhooks/messages.js';
import { verifyWebhook } from '../shared/webhooks/standard-webhooks.js';
import { apiHandler, json, problem, rawBody } from './http.js';

const VideoEvent = z.object({
  id: z.string(),
  type: z.enum(['video.completed', 'video.failed']),
  data: z.object({ id: z.string().min(1), output_url: z.string().optional(), error: z.string().optional() }),
});

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new ValidationError('invalid webhook event', [
      { path: '', message: `body is not valid JSON (${(e as Error).message})` },
    ]);
  }
}

/**
 * Provider callbacks (Standard Webhooks signatures, as OpenAI sends them): verify the signature and the
 * timestamp with the secret from Secrets Manager, bind the message id to its body (a reused id with
 * another body is refused), find the job by the provider's id, finish it. Unknown jobs answer 404 so the
 * provider retries (the job row may lag the submit); finished jobs answer 200 `duplicate` again
 * (providers deliver at least once).
 */
export const handler = apiHandler({
  'POST /webhooks/{provider}': async (event) => {
    const provider = event.pathParameters?.provider ?? '';
    const raw = rawBody(event);
    const message = verifyWebhook(await webhookSecret(), event.headers ?? {}, raw);
    const body = parseOrThrow(VideoEvent, parseJson(raw), 'webhook event');
    if ((await bindMessage(provider, message.id, raw)) === 'different')
      return problem(
        409,
        'Webhook id reused',
        `webhook-id ${message.id} was already received with another body; a message id carries one payload`,
      );
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
