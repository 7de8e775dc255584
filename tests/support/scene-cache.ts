import { z } from 'zod';
import { sceneRenderListPrice } from '../../lambdas/production/domain/render-price.js';
import { VideoModelName } from '../../lambdas/shared/contracts/index.js';
import { ledgerEntries } from '../../lambdas/shared/data/ledger.js';
import { renderJobs, scripts } from '../../lambdas/shared/data/repositories.js';
import { body, queryPartition } from '../../lambdas/shared/data/table.js';
import { toMicros, toUsd } from '../../lambdas/shared/money.js';

const PlanEntry = z.object({
  scene_id: z.string(),
  model: VideoModelName,
  cached: z.boolean(),
  list_price_saved_usd: z.number().default(0),
});

export interface SceneCacheFigures {
  /** Scene renders the Production House was asked for (the scenes of every render plan). */
  requested: number;
  /** Served by the render plan's lookup (clips finished before the variant was planned). */
  planHits: number;
  /** Render jobs that produced a clip (paid provider renders). */
  rendered: number;
  /** Ledger rows of renders, and the distinct shots (cache keys) they paid for. */
  charged: number;
  distinctShotsCharged: number;
  /** List price of every requested render, of the renders charged, and the difference saved. */
  listPriceRequestedUsd: number;
  listPriceChargedUsd: number;
  listPriceSavedUsd: number;
}

const sum = (xs: number[]) => toUsd(xs.reduce((t, x) => t + toMicros(x), 0));

/** What the scene cache did for one campaign, read from its render plans, scripts, jobs and ledger. */
export async function sceneCacheFigures(campaignId: string): Promise<SceneCacheFigures> {
  const plans = (await queryPartition(`CAMPAIGN#${campaignId}`, 'DOC#render_plan#')).map((i) =>
    z.array(PlanEntry).parse(body<{ value: unknown }>(i).value),
  );
  const entries = plans.flat();
  const durations = new Map(
    (await scripts.list(campaignId)).flatMap((s) => s.scenes.map((sc) => [sc.scene_id, sc.duration_seconds])),
  );
  const jobs = await renderJobs.list(campaignId);
  const charges = (await ledgerEntries(campaignId)).filter((e) => e.step === 'Production/SubmitRender');
  const chargedJobs = jobs.filter((j) => charges.some((c) => c.description === `scene render ${j.scene_id}`));
  const requestedUsd = sum(entries.map((e) => sceneRenderListPrice(e.model, durations.get(e.scene_id) ?? 0)));
  const chargedUsd = sum(charges.map((c) => c.list_price_usd));
  return {
    requested: entries.length,
    planHits: entries.filter((e) => e.cached).length,
    rendered: jobs.filter((j) => j.status === 'completed').length,
    charged: charges.length,
    distinctShotsCharged: new Set(chargedJobs.map((j) => String(j.parameters.cache_key))).size,
    listPriceRequestedUsd: requestedUsd,
    listPriceChargedUsd: chargedUsd,
    listPriceSavedUsd: toUsd(toMicros(requestedUsd) - toMicros(chargedUsd)),
  };
}
