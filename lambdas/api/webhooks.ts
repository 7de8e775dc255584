import { z } from 'zod';
import {
  classifyRenderOutput,
  completeRender,
  failRender,
  outputPolicyFor,
} from '../production/domain/renders.js';
import { FalWebhookBody, webhookOutcome } from '../shared/adapters/fal/fal-queue.js';
import { decodeFalJobId, encodeFalJobId } from '../shared/adapters/fal/fal-video-model.js';
import { config } from '../shared/commons.js';
import { MODELS } from '../shared/config/index.js';
import type { RenderJob } from '../shared/contracts/index.js';
import { renderJobs } from '../shared/data/repositories.js';
import { falJwks } from '../shared/providers/video.js';
import { webhookSecret } from '../shared/secrets.js';
import { blobs, taskCallbacks } from '../shared/services.js';
import { parseOrThrow } from '../shared/validation.js';
import { verifyFalWebhook } from '../shared/webhooks/fal-signature.js';
import { bindMessage } from '../shared/webhooks/messages.js';
import { verifyWebhook, WebhookVerificationError } from '../shared/webhooks/standard-webhooks.js';
import { apiHandler, BODY_LIMITS, json, MEDIA_TYPES, parseJson, problem, requireBody } from './http.js';

/** Lengths bound what reaches the table's keys (the provider's job id is an index key). */
const VideoEvent = z.object({
  id: z.string().max(256),
  type: z.enum(['video.completed', 'video.failed']),
  data: z.object({
    id: z.string().min(1).max(256),
    // Any string here: the render-output policy decides what may be read (https from public hosts, our
    // bucket's provider prefix as s3:// or a key, the local S3 emulator) and refuses the rest with a 422.
    output_url: z.string().min(1).max(2048).optional(),
    error: z.string().max(2000).optional(),
  }),
});

/** The provider names SubmitRender puts in callback URLs: a short slug, never a free string in a key. */
const PROVIDER = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Why a reported output cannot be used, decided before anything is recorded; undefined when it can.
 * The render-output policy first (https from public hosts, our bucket's provider prefix, the local S3
 * emulator; never file:); then our bucket's object must exist, and an emulator URL answer a one-byte
 * range request. A public https output is fetched, with its address checks, when the job completes.
 * A provider that reports an output it does not serve gets a 4xx that stores nothing, and redelivers
 * (Standard Webhooks retries any non-2xx), instead of a 500 half-way through finishing the job.
 */
async function unreachable(url: string): Promise<string | undefined> {
  let target: ReturnType<typeof classifyRenderOutput>;
  try {
    target = classifyRenderOutput(url, outputPolicyFor(config.BUCKET_NAME));
  } catch (error) {
    return (error as Error).message.slice(0, 300);
  }
  if (target.kind === 'bucket')
    return (await blobs().exists(target.key)) ? undefined : 'no such object in the media bucket';
  if (target.checkAddresses) return undefined;
  try {
    const res = await fetch(target.url, {
      headers: { range: 'bytes=0-0' },
      signal: AbortSignal.timeout(10_000),
    });
    await res.body?.cancel();
    return res.ok ? undefined : `HTTP ${res.status}`;
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    return (e.cause?.code ?? e.message).slice(0, 200);
  }
}

/**
 * The fal job of a request id: provider job ids name the model too (fal-video-model.ts), and fal's
 * webhook carries only the request id, so each configured fal model is tried (a handful of key reads).
 */
async function findFalJob(requestId: string): Promise<RenderJob | undefined> {
  const candidates = new Set<string>();
  for (const spec of Object.values(MODELS.video_models))
    if (spec.provider === 'fal')
      for (const audio of [false, true])
        candidates.add(encodeFalJobId({ requestId, model: spec.provider_model, audio }));
  for (const id of candidates) {
    const job = await renderJobs.findByProviderJobId('fal', id);
    if (job) return job;
  }
  return undefined;
}

/**
 * fal's callbacks: ED25519 over request id, user id, timestamp and the body's SHA-256, by a key of fal's
 * JWKS, within 300 s (a forged, re-signed or stale message is a 401 and changes nothing). Then the same
 * path as every provider: find the job, answer a finished one as a duplicate, finish it (the output is
 * copied to the media bucket by completeRender) or fail it with fal's reason.
 */
async function falWebhook(headers: Record<string, string | undefined>, raw: string) {
  const verified = await verifyFalWebhook(falJwks(), headers, raw);
  const body = parseOrThrow(FalWebhookBody, parseJson(raw, 'fal webhook'), 'fal webhook');
  if (body.request_id !== verified.requestId)
    throw new WebhookVerificationError(
      'the body names another request than the signed X-Fal-Webhook-Request-Id',
    );
  const job = await findFalJob(body.request_id);
  if (!job) return problem(404, 'Not found', `no render job for fal request ${body.request_id} (yet)`);
  if (job.status === 'completed' || job.status === 'failed')
    return json(200, { job_id: job.job_id, status: job.status, duplicate: true });
  const outcome = webhookOutcome(body, decodeFalJobId(job.provider_job_id ?? '')?.audio);
  const deps = { blobs: blobs(), callbacks: taskCallbacks(), workDir: config.BIE_WORK_DIR };
  if (outcome.state === 'completed') {
    const unfetchable = await unreachable(outcome.output_url);
    if (unfetchable)
      return problem(
        422,
        'Output not available',
        `the output of fal request ${body.request_id} could not be fetched (${unfetchable}); nothing was recorded`,
        [{ path: 'payload.video.url', message: `could not be fetched: ${unfetchable}` }],
      );
    await completeRender(deps, job, outcome.output_url, String(job.parameters.cache_key ?? ''));
    return json(200, { job_id: job.job_id, status: 'completed' });
  }
  const error = outcome.state === 'failed' ? outcome.error : 'fal reported no outcome';
  // The kind too (a content checker's refusal is `refused`): the reviewer of an unrendered scene reads it.
  await failRender(deps, job, error, outcome.state === 'failed' ? outcome.kind : undefined);
  return json(200, {
    job_id: job.job_id,
    status: 'failed',
    kind: outcome.state === 'failed' ? outcome.kind : undefined,
  });
}

/**
 * Provider callbacks (Standard Webhooks signatures, as OpenAI sends them): verify the signature and the
 * timestamp with the secret from Secrets Manager, find the job by the provider's id, bind the message id
 * to its body (a reused id with another body is refused), finish the job. Unknown jobs answer 404 so the
 * provider retries (the job row may lag the submit), and store nothing: the binding is written only
 * for a job that exists. Finished jobs answer 200 `duplicate` again (providers deliver at least once).
 */
export const handler = apiHandler({
  'POST /webhooks/{provider}': async (event) => {
    const provider = event.pathParameters?.provider ?? '';
    if (!PROVIDER.test(provider)) return problem(404, 'Not found', 'no webhook endpoint for this provider');
    const raw = requireBody(event, {
      what: 'webhook event',
      types: MEDIA_TYPES.json,
      maxBytes: BODY_LIMITS.json,
    });
    if (provider === 'fal') return falWebhook(event.headers ?? {}, raw);
    const message = verifyWebhook(await webhookSecret(), event.headers ?? {}, raw);
    const body = parseOrThrow(VideoEvent, parseJson(raw, 'webhook event'), 'webhook event');
    const job = await renderJobs.findByProviderJobId(provider, body.data.id);
    if (!job) return problem(404, 'Not found', `no render job for ${provider} job ${body.data.id} (yet)`);
    const finished = job.status === 'completed' || job.status === 'failed';
    const output = body.type === 'video.completed' ? body.data.output_url : undefined;
    const unfetchable = !finished && output ? await unreachable(output) : undefined;
    if (unfetchable)
      return problem(
        422,
        'Output not available',
        `the output of ${provider} job ${body.data.id} could not be fetched (${unfetchable}); nothing was recorded, redeliver the event when it is available`,
        [{ path: 'data.output_url', message: `could not be fetched: ${unfetchable}` }],
      );
    if ((await bindMessage(provider, message.id, raw)) === 'different')
      return problem(
        409,
        'Webhook id reused',
        `webhook-id ${message.id} was already received with another body; a message id carries one payload`,
      );
    if (finished) return json(200, { job_id: job.job_id, status: job.status, duplicate: true });
    const deps = { blobs: blobs(), callbacks: taskCallbacks(), workDir: config.BIE_WORK_DIR };
    if (body.type === 'video.completed' && body.data.output_url) {
      await completeRender(deps, job, body.data.output_url, String(job.parameters.cache_key ?? ''));
    } else {
      await failRender(deps, job, body.data.error ?? 'the provider reported a failure');
    }
    return json(200, { job_id: job.job_id, status: body.type });
  },
});
