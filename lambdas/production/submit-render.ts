import { z } from 'zod';
import { renderCostUsd } from '../shared/charges.js';
import { config } from '../shared/commons.js';
import { MODELS } from '../shared/config/index.js';
import { RenderJob, VideoModelName } from '../shared/contracts/index.js';
import { assertBudgetAllows } from '../shared/data/ledger.js';
import { campaigns, renderJobs, scripts } from '../shared/data/repositories.js';
import { NotFoundError } from '../shared/errors.js';
import { stepHandler } from '../shared/handler.js';
import { hashSeed, nowIso, stableUuid } from '../shared/ids.js';
import { toMicros, toUsd } from '../shared/money.js';
import { keyframeModel, videoModelFor } from '../shared/providers/video.js';
import { blobs, taskCallbacks } from '../shared/services.js';
import { masterSize } from '../shared/workdir.js';
import { keyframeFor, keyframeListPrice } from './domain/keyframes.js';
import {
  completeRender,
  failRender,
  sceneCacheKeyFor,
  shareShot,
  supersedeJob,
  webhookCallbackUrl,
} from './domain/renders.js';
import {
  fallbackModel,
  renderAspect,
  renderListPrice,
  renderSeconds,
  rendersAudio,
  sceneNeeds,
} from './domain/router.js';

const Input = z.object({
  token: z.string().min(1),
  execution: z.string(),
  state: z.string(),
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  script_id: z.uuid(),
  scene_id: z.uuid(),
  model: VideoModelName,
  fallback: z.boolean(),
});

/**
 * Submits one scene render and parks the task token on the job; the provider's webhook (or the
 * poller) finishes it. A replay finds the job: finished → resume at once; in flight → only the token
 * is refreshed; lost by the provider → submitted again. The render is charged once, when it completes.
 */
export const handler = stepHandler('SubmitRender', Input, async (input) => {
  const [campaign, script] = await Promise.all([
    campaigns.mustGet(input.campaign_id),
    scripts.latest(input.campaign_id, input.script_id),
  ]);
  const scene = script.scenes.find((s) => s.scene_id === input.scene_id);
  if (!scene) throw new NotFoundError('scene', input.scene_id);
  const tier = campaign.request.budget_tier;
  const model = input.fallback ? fallbackModel(input.model, tier, sceneNeeds(scene)) : input.model;
  const provider = videoModelFor(model);
  const size = masterSize();
  const jobId = stableUuid('render', input.execution, input.scene_id, model);
  // A real provider renders one of its lengths (≥ the scene; the clip is trimmed later) and bills it;
  // the offline stand-in renders the scene's length and records the price of what the model would bill.
  const seconds = renderSeconds(model, scene.duration_seconds);
  const audio = rendersAudio(model);
  const listPrice = toUsd(
    toMicros(renderListPrice(model, seconds, audio)) + toMicros(keyframeListPrice(model)),
  );
  const cost = renderCostUsd(campaign, provider.provider, listPrice);
  const deps = { blobs: blobs(), callbacks: taskCallbacks(), workDir: config.BIE_WORK_DIR };
  const cacheKey = sceneCacheKeyFor(scene, model, size);
  if (model !== input.model) {
    const primary = await renderJobs.get(
      input.campaign_id,
      stableUuid('render', input.execution, input.scene_id, input.model),
    );
    if (primary) await supersedeJob(primary, jobId);
  }
  const existing = await renderJobs.get(input.campaign_id, jobId);
  if (existing?.status === 'completed') {
    await completeRender(deps, { ...existing, task_token: input.token }, existing.result_url ?? '', cacheKey);
    return { job_id: jobId, status: 'completed' };
  }
  await assertBudgetAllows(input.campaign_id, cost, `scene ${scene.sequence}`);
  // One render per shot and campaign: a shot another variant renders (or rendered) is joined, not paid
  // again. After the budget check, so a claim is never held by a render the budget paused.
  if (!existing) {
    const share = await shareShot(deps, {
      ...input,
      job_id: jobId,
      task_token: input.token,
      cache_key: cacheKey,
    });
    if (share.action !== 'render') return { job_id: share.job_id, status: share.action };
  }
  const job = RenderJob.parse({
    ...(existing ?? {
      job_id: jobId,
      campaign_id: input.campaign_id,
      variant_id: input.variant_id,
      scene_id: input.scene_id,
      model_name: model,
      provider: provider.provider,
      status: 'queued',
      prompt: scene.visual_prompt,
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
      },
      cost_usd: cost,
      list_price_usd: listPrice,
      attempt: 1,
      created_at: nowIso(),
    }),
    task_token: input.token,
  });
  if (existing?.provider_job_id) {
    const status = await provider.status(existing.provider_job_id);
    // Still rendering: back in flight under this attempt's token, even if the poller abandoned it
    // when an earlier attempt's task timed out (else neither the poller nor the webhook would finish it).
    const current =
      status.state === 'queued' || status.state === 'processing'
        ? RenderJob.parse({ ...job, status: 'processing', error_message: undefined, completed_at: undefined })
        : job;
    await renderJobs.put(current);
    if (status.state === 'completed') await completeRender(deps, current, status.output_url, cacheKey);
    else if (status.state === 'failed') await failRender(deps, current, status.error);
    if (status.state !== 'unknown') return { job_id: jobId, status: status.state };
  }
  await renderJobs.put(job);
  const keyframe = await keyframeFor(
    { blobs: deps.blobs, keyframes: provider.provider === 'offline' ? undefined : keyframeModel() },
    input.campaign_id,
    scene,
    model,
  );
  const { provider_job_id } = await provider.submit({
    job_id: jobId,
    model: MODELS.video_models[model].provider_model,
    prompt: scene.visual_prompt,
    duration_seconds: provider.provider === 'offline' ? scene.duration_seconds : seconds,
    aspect_ratio: renderAspect(model),
    audio,
    keyframe_key: keyframe,
    width: size.width,
    height: size.height,
    fps: size.fps,
    palette: scene.visual_cues.color_palette,
    camera_movement: scene.visual_cues.camera_movement,
    lighting: scene.visual_cues.lighting,
    style: scene.visual_cues.style,
    on_screen_text: scene.on_screen_text,
    seed: hashSeed(scene.scene_id, model),
    callback_url: webhookCallbackUrl(config.WEBHOOK_BASE_URL, provider.provider),
  });
  await renderJobs.put({
    ...job,
    status: 'processing',
    provider_job_id,
    started_at: nowIso(),
    attempt: (existing?.attempt ?? 0) + 1,
  });
  return { job_id: jobId, provider_job_id };
});
