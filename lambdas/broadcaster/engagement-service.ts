import { updatePriors } from '../campaign-manager/domain/priors.js';
import type { AbReport, OutcomeAttributes, PerformanceReport, Platform } from '../shared/contracts/index.js';
import { campaignPosts, engagement, priors, scheduledPosts } from '../shared/data/distribution.js';
import { campaigns, publications, renderJobs, scripts, variants } from '../shared/data/repositories.js';
import { nowIso } from '../shared/ids.js';
import { engagementFetcherFor } from '../shared/providers/engagement.js';
import { loadPackage } from './context.js';
import { engagementRate } from './domain/ab-stats.js';
import {
  buildAbReport,
  buildPerformance,
  COLLECTION,
  isCollectionDue,
  type PostInfo,
} from './domain/engagement.js';

/**
 * Engagement collection, reports and the closed loop (issue 8): the IO around domain/engagement.ts and
 * campaign-manager/domain/priors.ts.
 */

/** The posts of a campaign with the variant each belongs to (from its publication package). */
export async function campaignPostInfos(campaignId: string): Promise<PostInfo[]> {
  const [posts, packages, vs, schedules] = await Promise.all([
    campaignPosts(campaignId),
    publications.list(campaignId),
    variants.list(campaignId),
    scheduledPosts.list(campaignId),
  ]);
  const cancelled = new Set(schedules.filter((s) => s.status === 'cancelled').map((s) => s.post_id));
  const variantOf = new Map(packages.map((p) => [p.publication_id, p.variant_id]));
  const typeOf = new Map(vs.map((v) => [v.variant_id, v.variant_type]));
  return posts.flatMap(({ publication_id, post }) => {
    const variant_id = variantOf.get(publication_id);
    // A publication whose package is not assembled yet is still being published.
    if (!variant_id) return [];
    const variant_type = typeOf.get(variant_id);
    return [
      {
        post_id: post.post_id,
        platform: post.platform,
        variant_id,
        ...(variant_type ? { variant_type } : {}),
        publication_status: cancelled.has(post.post_id) ? 'cancelled' : post.publication_status,
        ...(post.published_at ? { published_at: post.published_at } : {}),
      },
    ];
  });
}

export async function performanceOf(campaignId: string, now = new Date()): Promise<PerformanceReport> {
  await campaigns.mustGet(campaignId);
  const [infos, points] = await Promise.all([campaignPostInfos(campaignId), engagement.list(campaignId)]);
  return buildPerformance(campaignId, infos, points, now);
}

export async function abReportOf(campaignId: string, now = new Date()): Promise<AbReport> {
  return buildAbReport(await performanceOf(campaignId, now));
}

/** Published campaigns young enough to still have posts in their collection window. */
async function campaignsInWindow(now: number): Promise<{ campaign_id: string; brand_id: string }[]> {
  const horizon = now - COLLECTION.windowMs - 75 * 86_400_000; // + the longest a post may be scheduled ahead
  return (await campaigns.listByStatus('published')).filter((c) => Date.parse(c.created_at) >= horizon);
}

export interface CollectionSummary {
  campaigns: number;
  collected: number;
  learned: string[];
}

/**
 * One collection run: every published post whose collection is due (hourly for 48 h, then daily for
 * 30 days) gets a point; campaigns whose A/B test is now decided update their brand's priors.
 */
export async function collectDueEngagement(now = new Date()): Promise<CollectionSummary> {
  const summary: CollectionSummary = { campaigns: 0, collected: 0, learned: [] };
  for (const c of await campaignsInWindow(now.getTime())) {
    summary.campaigns++;
    const [infos, points] = await Promise.all([
      campaignPostInfos(c.campaign_id),
      engagement.list(c.campaign_id),
    ]);
    const last = new Map<string, string>();
    for (const p of points)
      if ((last.get(p.post_id) ?? '') < p.collected_at) last.set(p.post_id, p.collected_at);
    const due = infos.filter(
      (p) =>
        p.publication_status === 'published' &&
        p.published_at !== undefined &&
        isCollectionDue(p.published_at, last.get(p.post_id), now.getTime()),
    );
    const byPlatform = new Map<Platform, PostInfo[]>();
    for (const p of due) byPlatform.set(p.platform, [...(byPlatform.get(p.platform) ?? []), p]);
    for (const [platform, list] of byPlatform) {
      const snapshots = await engagementFetcherFor(platform).fetch(list.map((p) => p.post_id));
      const info = new Map(list.map((p) => [p.post_id, p]));
      for (const s of snapshots) {
        const p = info.get(s.platform_post_id);
        if (!p?.published_at) continue;
        await engagement.put(
          c.campaign_id,
          {
            post_id: p.post_id,
            platform,
            variant_id: p.variant_id,
            // The run's clock, not each fetcher's: the schedule's accounting (isCollectionDue) reads it.
            collected_at: now.toISOString(),
            views: s.views,
            likes: s.likes,
            comments: s.comments,
            shares: s.shares,
            ...(s.watch_time_seconds !== undefined ? { watch_time_seconds: s.watch_time_seconds } : {}),
            ...(s.impressions !== undefined ? { impressions: s.impressions } : {}),
          },
          p.published_at,
        );
        summary.collected++;
      }
    }
    if (due.length && (await learnFromCampaign(c.campaign_id, now))) summary.learned.push(c.campaign_id);
  }
  return summary;
}

/** What a variant was: the attributes a win or a loss teaches about. */
async function variantAttributes(
  campaignId: string,
  variantId: string,
  perf: PerformanceReport,
): Promise<OutcomeAttributes> {
  const variant = await variants.get(campaignId, variantId);
  let hook_type: OutcomeAttributes['hook_type'];
  try {
    const pkg = await loadPackage(campaignId, variantId);
    hook_type = (await scripts.latest(campaignId, pkg.script_id)).hook.hook_type;
  } catch {
    hook_type = undefined; // a variant without a package has no script to learn from
  }
  const models = new Map<string, number>();
  for (const j of await renderJobs.list(campaignId))
    if (j.variant_id === variantId && j.status === 'completed')
      models.set(j.model_name, (models.get(j.model_name) ?? 0) + 1);
  const video_model = [...models].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  const posts = perf.posts.filter((p) => p.variant_id === variantId);
  const best = [...posts].sort((a, b) => engagementRate(b.latest) - engagementRate(a.latest))[0];
  const posting_hours: Partial<Record<Platform, number>> = {};
  for (const p of posts)
    if (p.published_at && p.publication_status === 'published')
      posting_hours[p.platform] = new Date(p.published_at).getUTCHours();
  return {
    variant_type: variant.variant_type,
    ...(hook_type ? { hook_type } : {}),
    ...(video_model ? { video_model } : {}),
    ...(best ? { platform: best.platform } : {}),
    posting_hours,
  };
}

/** A campaign's test is read when its posts are this old: the end of the hourly collection window. */
export const LEARN_AFTER_MS = COLLECTION.hourlyForMs;

/**
 * When the campaign's A/B test has a winner (ab-stats: significance and minimum sample) at the end of
 * the hourly window, its brand's
 * priors learn the winner's and the losers' attributes, once per campaign (optimistic writes; a
 * concurrent writer makes it read again). True when this call taught the priors something.
 */
export async function learnFromCampaign(campaignId: string, now = new Date()): Promise<boolean> {
  const campaign = await campaigns.mustGet(campaignId);
  const perf = await performanceOf(campaignId, now);
  // Testing every hour and learning at the first p < alpha would inflate false winners (peeking):
  // a test is read once its posts have finished the hourly window, and later collections refine nothing.
  const out = perf.posts.filter((p) => p.publication_status === 'published' && p.published_at);
  if (!out.length || out.some((p) => now.getTime() - Date.parse(p.published_at as string) < LEARN_AFTER_MS))
    return false;
  const report = buildAbReport(perf);
  if (!report.winner || !report.comparison) return false;
  const winner = report.winner;
  const result = {
    campaign_id: campaignId,
    winner_variant_id: winner,
    decided_at: now.toISOString(),
    p_value: report.comparison.p_value,
    ...(report.comparison.relative_lift !== undefined
      ? { relative_lift: report.comparison.relative_lift }
      : {}),
    winner: await variantAttributes(campaignId, winner, perf),
    losers: await Promise.all(
      report.variants
        .filter((v) => v.variant_id !== winner)
        .map((v) => variantAttributes(campaignId, v.variant_id, perf)),
    ),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await priors.get(campaign.brand_id);
    const next = updatePriors(current, campaign.brand_id, result, nowIso());
    if (next === current) return false;
    if (await priors.put(next, current)) return true;
  }
  throw new Error(`priors of brand ${campaign.brand_id} kept changing under the update`);
}
