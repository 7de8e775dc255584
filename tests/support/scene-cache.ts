import { z } from 'zod';
import { ledgerEntries } from '../../lambdas/shared/data/ledger.js';
import { renderJobs } from '../../lambdas/shared/data/repositories.js';
import { body, queryPartition } from '../../lambdas/shared/data/table.js';
import { toMicros, toUsd } from '../../lambdas/shared/money.js';

const PlanEntry = z.object({
  scene_id: z.string(),
  cached: z.boolean(),
  cached_job_id: z.string(),
  cache_key: z.string(),
  list_price_saved_usd: z.number().default(0),
});

export interface SceneCacheFigures {
  /** Scenes the Production House was asked to render (every render plan's scenes). */
  requested: number;
  /** Of those, served from the scene cache. */
  cacheHits: number;
  /** Render jobs that produced a clip (paid provider renders). */
  rendered: number;
  /** Ledger rows of renders, and the distinct shots (cache keys) they paid for. */
  charged: number;
  distinctShotsCharged: number;
  /** List price of the renders charged and of the renders the cache saved. */
  listPriceChargedUsd: number;
  listPriceSavedUsd: number;
}

/** What the scene cache did for one campaign, read from its render plans, render jobs and ledger. */
export async function sceneCacheFigures(campaignId: string): Promise<SceneCacheFigures> {
  const plans = (await queryPartition(`CAMPAIGN#${campaignId}`, 'DOC#render_plan#')).map((i) =>
    z.array(PlanEntry).parse(body<{ value: unknown }>(i).value),
  );
  const entries = plans.flat();
  const jobs = await renderJobs.list(campaignId);
  const charges = (await ledgerEntries(campaignId)).filter((e) => e.step === 'Production/SubmitRender');
  const keyOf = new Map(jobs.map((j) => [j.job_id, String(j.parameters.cache_key ?? j.job_id)]));
  const chargedJobs = jobs.filter((j) => charges.some((c) => c.description === `scene render ${j.scene_id}`));
  const sum = (xs: number[]) => toUsd(xs.reduce((t, x) => t + toMicros(x), 0));
  return {
    requested: entries.length,
    cacheHits: entries.filter((e) => e.cached).length,
    rendered: jobs.filter((j) => j.status === 'completed').length,
    charged: charges.length,
    distinctShotsCharged: new Set(chargedJobs.map((j) => keyOf.get(j.job_id))).size,
    listPriceChargedUsd: sum(charges.map((c) => c.list_price_usd ?? c.amount_usd)),
    listPriceSavedUsd: sum(entries.map((e) => e.list_price_saved_usd)),
  };
}
