import { z } from 'zod';
import { priors } from '../shared/data/distribution.js';
import { campaigns, sceneCache, scripts, workDocs } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { masterSize } from '../shared/workdir.js';
import { sceneCacheKeyFor } from './domain/renders.js';
import { routeScene } from './domain/router.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  script_id: z.uuid(),
  feedback: z.string().default(''),
  attempt: z.number().int().min(1),
  execution: z.string(),
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
    const route = routeScene(scene, campaign.request.budget_tier, brandPriors);
    const key = sceneCacheKeyFor(scene, route.model, size);
    // A video sent back with feedback is re-rendered, not served from the cache.
    // Reuse is per campaign: variants share clips; other campaigns' assets stay theirs.
    const hit = input.feedback ? undefined : await sceneCache.find(key);
    const cached = hit?.campaign_id === input.campaign_id ? hit : undefined;
    plan.push({
      scene_id: scene.scene_id,
      sequence: scene.sequence,
      model: route.model,
      reason: route.reason,
      cached: Boolean(cached),
      cached_job_id: cached?.job_id ?? '',
      cache_key: key,
    });
  }
  await workDocs.put(input.campaign_id, 'render_plan', `${input.execution}`, plan);
  return { scenes: plan.map(({ reason: _r, cache_key: _k, ...p }) => p) };
});
