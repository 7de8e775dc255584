import { z } from 'zod';
import { renderCostUsd } from '../shared/charges.js';
import { config, logger } from '../shared/commons.js';
import { MODELS } from '../shared/config/index.js';
import { RenderJob, type Scene, VideoModelName } from '../shared/contracts/index.js';
import { assertBudgetAllows } from '../shared/data/ledger.js';
import { campaigns, renderJobs, scripts } from '../shared/data/repositories.js';
import { NotFoundError, RenderFailedError } from '../shared/errors.js';
import { stepHandler } from '../shared/handler.js';
import { hashSeed, nowIso } from '../shared/ids.js';
import type {
  BlobStore,
  KeyframeModel,
  RenderFailureKind,
  RenderRequest,
  TaskCallbacks,
  VideoModel,
} from '../shared/ports/index.js';
import { keyframeModel, videoModelFor } from '../shared/providers/video.js';
import { blobs, taskCallbacks } from '../shared/services.js';
import { masterSize } from '../shared/workdir.js';
import { keyframeFor } from './domain/keyframes.js';
import {
  isRetryable,
  nextModel,
  RenderChainExhaustedError,
  renderChain,
  renderJobIdFor,
  withProviderRetries,
} from './domain/render-attempts.js';
import { sceneRenderListPrice } from './domain/render-price.js';
import {
  completeRender,
  failRender,
  sceneCacheKeyFor,
  shareShot,
  supersedeJob,
  webhookCallbackUrl,
} from './domain/renders.js';
import { renderAspect, renderSeconds, rendersAudio, sceneNeeds } from './domain/router.js';
import { promptWithFeedback } from './domain/scene-rework.js';

const Input = z.object({
  token: z.string().min(1),
  execution: z.string(),
  state: z.string(),
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  script_id: z.uuid(),
  scene_id: z.uuid(),
  /** The routed model: attempt 0 renders with it, later attempts with the next models of its chain. */
  model: VideoModelName,
  attempt_index: z.number().int().min(0).default(0),
  /** 0 for the first render of the scene; 1, 2 … when a quality failure or a reviewer sends it back. */
  rework_round: z.number().int().min(0).default(0),
  /** A reviewer's words about this scene: appended to its prompt. */
  feedback: z.string().max(4000).default(''),
});

/**
 * Submits one render attempt of a scene and parks the task token on its job; the provider's webhook
 * (or the poller) finishes it. Every attempt is its own job (model, provider, status, error kind, cost).
 *
 * Nothing is lost when the process dies mid-render: the job is stored as `submitting` with its
 * idempotency token (the job id) before the provider is called, and with the provider's id right after.
 * A replay finds the job: finished → resume at once; with a provider id → asked for its status, never
 * submitted again (in flight → only the token is refreshed); still `submitting` (died between the call
 * and the record; such a job gets no poller heartbeat, so its task times out and the ASL retry
 * replays it) → submitted again with the same job id. Bedrock makes that safe (the job id is the
 * `clientRequestToken`: the same invocation comes back). A provider without an idempotency key (fal
 * queue, Gemini) may then hold two jobs for one attempt: the engine records, uses and is charged for
 * only the second; the first is an orphan the provider may bill, at most once per crash in that window.
 * The render is charged once, when it completes (see failRender for failed attempts).
 */
export const handler = stepHandler('SubmitRender', Input, (input) =>
  submitRender(
    {
      providerFor: videoModelFor,
      keyframes: keyframeModel,
      blobs: blobs(),
      callbacks: taskCallbacks(),
      workDir: config.BIE_WORK_DIR,
    },
    input,
  ),
);

export interface SubmitDeps {
  /** The adapter that renders a model (its provider's, or the offline stand-in). */
  providerFor: (model: VideoModelName) => VideoModel;
  /** Keyframes for image-to-video models (real providers only). */
  keyframes?: () => KeyframeModel | undefined;
  blobs: BlobStore;
  callbacks: TaskCallbacks;
  workDir: string;
}

/** One attempt of one scene (the handler's work, with its provider and callbacks given). */
export async function submitRender(
  deps: SubmitDeps,
  raw: z.input<typeof Input>,
): Promise<{ job_id: string; status?: string; provider_job_id?: string }> {
  const input = Input.parse(raw);
  const [campaign, script] = await Promise.all([
    campaigns.mustGet(input.campaign_id),
    scripts.latest(input.campaign_id, input.script_id),
  ]);
  const scene = script.scenes.find((s) => s.scene_id === input.scene_id);
  if (!scene) throw new NotFoundError('scene', input.scene_id);
  const chain = renderChain(input.model, campaign.request.budget_tier, sceneNeeds(scene));
  const model = nextModel(chain, input.attempt_index);
  if (!model) {
    throw new RenderChainExhaustedError(
      `scene ${scene.sequence}: every model of its chain failed (${chain.join(' → ')}); see its render jobs`,
    );
  }
  const provider = deps.providerFor(model);
  const size = masterSize();
  const jobId = renderJobIdFor(input.execution, input.scene_id, model, input.rework_round);
  // A real provider renders one of its lengths (≥ the scene; the clip is trimmed later) and bills it;
  // the offline stand-in renders the scene's length and records the price of what the model would bill.
  const seconds = renderSeconds(model, scene.duration_seconds);
  const audio = rendersAudio(model);
  const listPrice = sceneRenderListPrice(model, scene.duration_seconds);
  const cost = renderCostUsd(campaign, provider.provider, listPrice);
  // A reworked scene is a new render with a changed prompt: it neither reads nor fills the scene cache.
  const cacheKey = input.rework_round === 0 ? sceneCacheKeyFor(scene, model, size) : '';
  const previous = nextModel(chain, input.attempt_index - 1);
  if (previous && previous !== model) {
    const earlier = await renderJobs.get(
      input.campaign_id,
      renderJobIdFor(input.execution, input.scene_id, previous, input.rework_round),
    );
    if (earlier) await supersedeJob(earlier, jobId);
  }
  const existing = await renderJobs.get(input.campaign_id, jobId);
  if (existing?.status === 'completed') {
    await completeRender(deps, { ...existing, task_token: input.token }, existing.result_url ?? '', cacheKey);
    return { job_id: jobId, status: 'completed' };
  }
  await assertBudgetAllows(input.campaign_id, cost, `scene ${scene.sequence}`);
  // One render per shot and campaign: a shot another variant renders (or rendered) is joined, not paid
  // again. After the budget check, so a claim is never held by a render the budget paused. A reworked
  // scene has no cache key: it renders its own clip.
  if (!existing && cacheKey) {
    const share = await shareShot(deps, {
      ...input,
      job_id: jobId,
      task_token: input.token,
      cache_key: cacheKey,
    });
    if (share.action !== 'render') return { job_id: share.job_id, status: share.action };
  }
  const prompt = promptWithFeedback(scene.visual_prompt, input.feedback);
  const job = RenderJob.parse({
    ...(existing ?? {
      job_id: jobId,
      campaign_id: input.campaign_id,
      variant_id: input.variant_id,
      scene_id: input.scene_id,
      model_name: model,
      provider: provider.provider,
      status: 'submitting',
      prompt,
      parameters: {
        duration_seconds: scene.duration_seconds,
        width: size.width,
        height: size.height,
        provider_model: MODELS.video_models[model].provider_model,
        cache_key: cacheKey,
        // What the provider was asked for (its length, aspect and native audio) and billed at list price.
        render_seconds: seconds,
        aspect_ratio: renderAspect(model),
        audio,
        attempt_index: input.attempt_index,
        rework_round: input.rework_round,
        chain,
        idempotency_token: jobId,
      },
      cost_usd: cost,
      list_price_usd: listPrice,
      attempt: 1,
      created_at: nowIso(),
    }),
    task_token: input.token,
  });
  if (existing?.provider_job_id) {
    const status = await withProviderRetries(() => provider.status(existing.provider_job_id as string));
    // Still rendering: back in flight under this attempt's token, even if the poller abandoned it
    // when an earlier attempt's task timed out (else neither the poller nor the webhook would finish it).
    const current =
      status.state === 'queued' || status.state === 'processing'
        ? RenderJob.parse({
            ...job,
            status: 'processing',
            error_message: undefined,
            error_kind: undefined,
            completed_at: undefined,
          })
        : job;
    await renderJobs.put(current);
    if (status.state === 'completed') await completeRender(deps, current, status.output_url, cacheKey);
    else if (status.state === 'failed') await failRender(deps, current, status.error, status.kind);
    if (status.state !== 'unknown') return { job_id: jobId, status: status.state };
    logger.warn('the provider lost a submitted render; submitting it again', { job_id: jobId });
  }
  // The intent, before the provider is called: a crash from here on is repaired by a replay.
  const intent = RenderJob.parse({
    ...job,
    status: 'submitting',
    provider_job_id: undefined,
    error_message: undefined,
    error_kind: undefined,
    completed_at: undefined,
  });
  await renderJobs.put(intent);
  // Image-to-video models start from a brand-palette keyframe (drawn once per scene and model). A
  // keyframe the image model refuses or fails is this attempt's failure, as the video model's own is.
  const keyframe = await attemptAtProvider(intent, deps, `the keyframe for ${model}`, () =>
    keyframeFor(
      { blobs: deps.blobs, keyframes: provider.provider === 'offline' ? undefined : deps.keyframes?.() },
      input.campaign_id,
      scene,
      model,
    ),
  );
  const provider_job_id = await submitOnce(provider, intent, scene, model, prompt, size, deps, {
    duration_seconds: provider.provider === 'offline' ? scene.duration_seconds : seconds,
    aspect_ratio: renderAspect(model),
    audio,
    keyframe_key: keyframe,
  });
  await renderJobs.put({
    ...intent,
    status: 'processing',
    provider_job_id,
    started_at: nowIso(),
    attempt: existing ? existing.attempt + 1 : 1,
  });
  return { job_id: jobId, provider_job_id };
}

/**
 * One submission with bounded backoff on 429/5xx/network (ProviderRetryableError goes up when the
 * retries are spent: the ASL retries the task later, and the job, still `submitting`, is resubmitted
 * with the same idempotency token). Any other provider error is this attempt's failure: recorded with
 * its kind, and the next model of the chain takes over.
 */
async function submitOnce(
  provider: VideoModel,
  job: RenderJob,
  scene: Scene,
  model: VideoModelName,
  prompt: string,
  size: ReturnType<typeof masterSize>,
  deps: Parameters<typeof failRender>[0],
  asked: Pick<RenderRequest, 'duration_seconds' | 'aspect_ratio' | 'audio' | 'keyframe_key'>,
): Promise<string> {
  // Built outside the try: a configuration error is not the provider's failure.
  const request: RenderRequest = {
    job_id: job.job_id,
    model: MODELS.video_models[model].provider_model,
    prompt,
    ...asked,
    width: size.width,
    height: size.height,
    fps: size.fps,
    palette: scene.visual_cues.color_palette,
    camera_movement: scene.visual_cues.camera_movement,
    lighting: scene.visual_cues.lighting,
    style: scene.visual_cues.style,
    on_screen_text: scene.on_screen_text,
    // A scene rendered again gets another seed: the same seed would bring back the same clip.
    seed: job.parameters.rework_round
      ? hashSeed(scene.scene_id, model, Number(job.parameters.rework_round))
      : hashSeed(scene.scene_id, model),
    callback_url: webhookCallbackUrl(config.WEBHOOK_BASE_URL, provider.provider),
  };
  const { provider_job_id } = await attemptAtProvider(job, deps, `submitting to ${provider.provider}`, () =>
    provider.submit(request),
  );
  return provider_job_id;
}

/**
 * One call to a provider for this attempt, with bounded backoff on 429/5xx/network (spent retries go up
 * as ProviderRetryableError, for the ASL to retry the task). Any other error is the attempt's failure:
 * recorded on the job with its kind, and RenderFailedError hands the scene to the next model of the chain.
 */
async function attemptAtProvider<T>(
  job: RenderJob,
  deps: Parameters<typeof failRender>[0],
  what: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await withProviderRetries(call);
  } catch (error) {
    if (isRetryable(error)) throw error;
    const message = `${what} failed: ${(error as Error).message}`;
    // The token is failed by the throw below (the task's own error), not through the callback.
    await failRender(
      { callbacks: deps.callbacks },
      { ...job, task_token: undefined },
      message,
      submitKind(error),
    );
    throw new RenderFailedError(`[${submitKind(error)}] ${message}`);
  }
}

/** A provider error at submit: a refusal or a bad request when the adapter says so, else a provider error. */
function submitKind(error: unknown): RenderFailureKind {
  const kind = (error as { kind?: unknown }).kind;
  return kind === 'refused' || kind === 'invalid_request' || kind === 'rate_limited'
    ? kind
    : 'provider_error';
}
