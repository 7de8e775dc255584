import { z } from 'zod';
import { priors } from '../shared/data/distribution.js';
import { campaigns, renderJobs, sceneCache, scripts, videos, workDocs } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { masterSize } from '../shared/workdir.js';
import { sceneRenderListPrice } from './domain/render-price.js';
import { sceneCacheKeyFor } from './domain/renders.js';
import { routeScene } from './domain/router.js';
import { applyRework, NO_REWORK, Rework } from './domain/scene-rework.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  script_id: z.uuid(),
  feedback: z.string().default(''),
  attempt: z.number().int().min(1),
  execution: z.string(),
  /** Scenes to render again (a reviewer's scene rejection, a failed clip check); the others are reused. */
  rework: Rework.default(NO_REWORK),
});

/** Routes every scene (style, scene type, budget tier) and looks up the scene cache. */
export const handler = stepHandler('PlanRenders', Input, async (input) => {
  const [campaign, script] = await Promise.all([
    campaigns.mustGet(input.campaign_id),
    scripts.latest(input.campaign_id, input.script_id),
  ]);
  const size = masterSize();
  const brandPriors = await priors.get(campaign.brand_id); // the closed loop (issue 8)
  const plan = [];
  for (const scene of script.scenes) {
    const route = routeScene(scene, campaign.request.budget_tier, { priors: brandPriors });
    const key = sceneCacheKeyFor(scene, route.model, size);
    // A video sent back with feedback is re-rendered, not served from the cache.
    // Reuse is per campaign (the key is looked up in this campaign's cache): variants share clips.
    // SubmitRender reads may_reuse too, to join a render of the shot still in flight (shareShot).
    const mayReuse = !input.feedback;
    const cached = mayReuse ? await sceneCache.find(input.campaign_id, key) : undefined;
    plan.push({
      scene_id: scene.scene_id,
      sequence: scene.sequence,
      model: route.model,
      reason: route.reason,
      cached: Boolean(cached),
      cached_job_id: cached?.job_id ?? '',
      cache_key: key,
      may_reuse: mayReuse,
      // What the render would have cost at list price (the bench and the ledger review read it).
      list_price_saved_usd: cached ? sceneRenderListPrice(route.model, scene.duration_seconds) : 0,
    });
  }
  // A scene sent back (by a reviewer or the clip check) renders its own clip: never the cache, never
  // another variant's render of the same shot in flight.
  const named = new Set(input.rework.scenes.map((s) => s.scene_id));
  const reworked = applyRework(plan, input.rework, await reusableClips(input.campaign_id, input.rework)).map(
    (p) => (named.has(p.scene_id) ? { ...p, may_reuse: false, list_price_saved_usd: 0 } : p),
  );
  await workDocs.put(input.campaign_id, 'render_plan', `${input.execution}`, reworked);
  return {
    scenes: reworked.map(({ reason: _r, cache_key: _k, may_reuse: _m, list_price_saved_usd: _s, ...p }) => p),
  };
});

/**
 * Scene id → the render job of its clip to reuse: this execution's earlier clips, else the reviewed
 * video's (its scene clips name the provider's job id, or ours).
 */
async function reusableClips(campaignId: string, rework: Rework): Promise<Map<string, string>> {
  if (!rework.scenes.length) return new Map();
  const fromVideo: (readonly [string, string])[] = [];
  if (rework.video_id) {
    const [video, jobs] = await Promise.all([
      videos.get(campaignId, rework.video_id),
      renderJobs.list(campaignId),
    ]);
    const done = jobs.filter((j) => j.status === 'completed');
    for (const clip of video.scene_clips) {
      const job = done.find(
        (j) => j.job_id === clip.generation_job_id || j.provider_job_id === clip.generation_job_id,
      );
      if (job) fromVideo.push([clip.scene_id, job.job_id]);
    }
  }
  return new Map([...fromVideo, ...rework.clips.map((c) => [c.scene_id, c.job_id] as const)]);
}
