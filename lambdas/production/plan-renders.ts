import { z } from 'zod';
import { campaigns, sceneCache, scripts, workDocs } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { masterSize } from '../shared/workdir.js';
import { sceneCacheKeyFor } from './domain/renders.js';
import { renderListPrice, routeScene } from './domain/router.js';

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
  const plan = [];
  for (const scene of script.scenes) {
    const route = routeScene(scene, campaign.request.budget_tier);
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
      list_price_saved_usd: cached ? renderListPrice(route.model, scene.duration_seconds) : 0,
    });
  }
  await workDocs.put(input.campaign_id, 'render_plan', `${input.execution}`, plan);
  return {
    scenes: plan.map(({ reason: _r, cache_key: _k, may_reuse: _m, list_price_saved_usd: _s, ...p }) => p),
  };
});
