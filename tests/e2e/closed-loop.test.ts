import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../cli/run.js';
import { MEDIA_PROFILES } from '../../lambdas/shared/config/index.js';
import type {
  AbReport,
  CreativeBrief,
  HookVariation,
  PerformanceReport,
  ScheduledPost,
} from '../../lambdas/shared/contracts/index.js';
import type { Embedded } from '../../local/embedded.js';

/**
 * The closed loop on the embedded runtime: a campaign with two variants publishes; seeded engagement
 * makes one of them win; the hourly collection stores the series, the A/B report names the winner at
 * significance, and the brand's priors learn from it; the next campaign's brief cites that result and
 * puts the winning variant type first, its hook ranking favours the winner's hook type, and its
 * best_time posts are scheduled at the winner's hour, on durable timers that can be moved (and fire)
 * or cancelled until they go out.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-loop-'));
Object.assign(process.env, MEDIA_PROFILES.preview);
const ROOT = path.resolve(import.meta.dirname, '../..');
const brandText = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');

let app: Embedded;
let cli: typeof import('../../cli/run.js');
let base: string;

beforeAll(async () => {
  const { startEmbedded } = await import('../../local/embedded.js');
  app = await startEmbedded({ dataDir, retryIntervalMs: 0, schedules: false });
  cli = await import('../../cli/run.js');
  base = app.runtime.info.apiUrl;
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

const request = (extra: Record<string, unknown> = {}) => ({
  ...cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
  variants: ['emotional', 'humorous'] as ('emotional' | 'humorous')[],
  target_platforms: ['tiktok'] as 'tiktok'[],
  target_duration_seconds: 15,
  ...extra,
});

const get = <T>(route: string) => cli.api<T>(base, 'GET', route);

async function collect(now?: string) {
  const { localFunctionArn } = await import('../../local/engine/asl-runner.js');
  const handler = app.functions[localFunctionArn('bie-CollectEngagement')];
  if (!handler) throw new Error('CollectEngagement is not a function of the runtime');
  return (await handler(now ? { now } : {}, {} as never)) as { collected: number; learned: string[] };
}

describe('the closed loop', () => {
  let first: RunResult;
  let perf: PerformanceReport;
  let report: AbReport;
  let winner: { variant_id: string; variant_type: string; hook_type: string };
  let loser: { variant_id: string; variant_type: string; hook_type: string };

  beforeAll(async () => {
    await cli.api(base, 'POST', '/brands', brandText, 'text/markdown');
    first = await cli.runCampaign(app, {
      brandText,
      request: request(),
      autoApprove: true,
      out: path.join(dataDir, 'out-1'),
    });
  }, 600_000);

  it('publishes both variants of the first campaign at the approval', async () => {
    expect(first.failure).toBeUndefined();
    perf = await get<PerformanceReport>(`/campaigns/${first.campaign_id}/performance`);
    expect(perf.posts).toHaveLength(2);
    expect(perf.posts.every((p) => p.publication_status === 'published' && p.series.length === 0)).toBe(true);
    expect(new Set(perf.posts.map((p) => p.variant_type))).toEqual(new Set(['emotional', 'humorous']));
  });

  it('collects seeded engagement into a time series and names the winner at significance', async () => {
    const { campaignView } = await import('../../lambdas/campaign-manager/domain/campaign-view.js');
    const view = await campaignView(first.campaign_id);
    const brief = view.briefs[0] as CreativeBrief;
    expect(brief.used_results).toEqual([]);
    const attrs = (variantId: string) => {
      const post = perf.posts.find((p) => p.variant_id === variantId);
      const script = view.scripts.find((s) => s.variant_id === variantId);
      return {
        variant_id: variantId,
        variant_type: post?.variant_type as string,
        hook_type: script?.hook.hook_type as string,
      };
    };
    // The variant the brief did NOT suggest first wins, so the next brief's order visibly changes.
    const firstSuggested = brief.variant_suggestions[0]?.variant_type;
    const [a, b] = perf.posts.map((p) => attrs(p.variant_id));
    [winner, loser] = a?.variant_type === firstSuggested ? [b, a] : [a, b];

    const { blobs } = await import('../../lambdas/shared/services.js');
    const seed = (postId: string, views: number, likes: number, comments: number, shares: number) =>
      blobs().put(
        `outbox/tiktok/${postId}/metrics.json`,
        JSON.stringify({ views, likes, comments, shares }),
        'application/json',
      );
    const postOf = (v: { variant_id: string }) => perf.posts.find((p) => p.variant_id === v.variant_id);
    await seed(postOf(winner)?.post_id as string, 2000, 150, 30, 20);
    await seed(postOf(loser)?.post_id as string, 2000, 70, 10, 10);
    // Already significant at the first collection, but a test is read only after the hourly window.
    expect(await collect()).toMatchObject({ collected: 2, learned: [] });
    expect(await cli.api(base, 'GET', `/campaigns/${first.campaign_id}/ab-report`)).toMatchObject({
      decision: 'winner',
    });
    // 49 h later the counters have grown; the collection is due again, adds a point, and learns.
    await seed(postOf(winner)?.post_id as string, 5000, 400, 80, 60);
    await seed(postOf(loser)?.post_id as string, 5000, 200, 40, 30);
    const later = new Date(Date.now() + 49 * 3_600_000).toISOString();
    expect(await collect(later)).toEqual({ campaigns: 1, collected: 2, learned: [first.campaign_id] });
    // Not due again within the day: nothing collected, nothing learned twice.
    expect(await collect(later)).toMatchObject({ collected: 0, learned: [] });

    perf = await get<PerformanceReport>(`/campaigns/${first.campaign_id}/performance`);
    const series = perf.posts.find((p) => p.variant_id === winner.variant_id)?.series ?? [];
    expect(series.map((p) => p.views)).toEqual([2000, 5000]);
    expect(perf.by_variant.find((v) => v.variant_id === winner.variant_id)?.engagement_rate).toBeCloseTo(
      0.108,
    );
    expect(perf.totals.views).toBe(10_000);

    report = await get<AbReport>(`/campaigns/${first.campaign_id}/ab-report`);
    expect(report.decision).toBe('winner');
    expect(report.winner).toBe(winner.variant_id);
    expect(report.comparison?.p_value).toBeLessThan(0.05);
    for (const v of report.variants) {
      expect(v.meets_min_sample).toBe(true);
      expect(v.ci95.low).toBeLessThan(v.engagement_rate);
      expect(v.ci95.high).toBeGreaterThan(v.engagement_rate);
    }
  });

  describe('the next campaign', () => {
    let second: RunResult;
    let brief: CreativeBrief;

    beforeAll(async () => {
      second = await cli.runCampaign(app, {
        brandText,
        request: request({ publish_mode: 'best_time' }),
        autoApprove: true,
        out: path.join(dataDir, 'out-2'),
        fresh: true,
      });
      const { campaignView } = await import('../../lambdas/campaign-manager/domain/campaign-view.js');
      brief = (await campaignView(second.campaign_id)).briefs[0] as CreativeBrief;
    }, 600_000);

    it('has a brief that cites the first campaign’s result and suggests the winning variant type first', () => {
      expect(second.failure).toBeUndefined();
      expect(brief.used_results).toEqual([
        expect.objectContaining({
          campaign_id: first.campaign_id,
          winner_variant_id: winner.variant_id,
          p_value: expect.any(Number),
        }),
      ]);
      expect(brief.used_results?.[0]?.p_value).toBeLessThan(0.05);
      expect(brief.used_results?.[0]?.learned).toContain(`${winner.variant_type} variant`);
      expect(brief.variant_suggestions[0]?.variant_type).toBe(winner.variant_type);
      expect(brief.variant_suggestions[0]?.rationale).toContain(`${winner.variant_type} won 1 of 1`);
    });

    it('ranks hooks with the brand’s priors: the winner’s hook type moves up against pure quality', async () => {
      const { hooks, scripts } = await import('../../lambdas/shared/data/repositories.js');
      const { hookTypeBoosts } = await import('../../lambdas/campaign-manager/domain/priors.js');
      const { priors } = await import('../../lambdas/shared/data/distribution.js');
      const boosts = hookTypeBoosts(await priors.get(brief.brand_id));
      expect(boosts[winner.hook_type as keyof typeof boosts]).toBeGreaterThan(0);
      const { queryPartition } = await import('../../lambdas/shared/data/table.js');
      const { HookSet } = await import('../../lambdas/copywriter/generate-hooks.js');
      const sets = (await queryPartition(`CAMPAIGN#${second.campaign_id}`, 'DOC#hookset#')).map((i) =>
        HookSet.parse(i.value),
      );
      expect(sets.length).toBeGreaterThanOrEqual(2);
      const scriptHooks = (await scripts.list(second.campaign_id)).map((s) => s.hook.text);
      for (const set of sets.filter((x) => scriptHooks.includes(x.selected.text))) {
        const variations: HookVariation[] = await hooks.listSet(second.campaign_id, set.hook_set_id);
        const byQuality = [...variations].sort(
          (a, b) => b.quality_score - a.quality_score || a.variation_number - b.variation_number,
        );
        const withPriors = [...variations].sort(
          (a, b) =>
            b.quality_score + (boosts[b.hook_type] ?? 0) - (a.quality_score + (boosts[a.hook_type] ?? 0)) ||
            a.variation_number - b.variation_number,
        );
        expect(set.rationale).toContain('A/B priors');
        expect(set.selected.hook_id).toBe(withPriors[0]?.hook_id);
        expect(set.top.map((h) => h.hook_id)).toEqual(withPriors.slice(0, 3).map((h) => h.hook_id));
        const winnerTypeRank = (list: HookVariation[]) =>
          list.findIndex((h) => h.hook_type === winner.hook_type);
        expect(winnerTypeRank(withPriors)).toBeLessThanOrEqual(winnerTypeRank(byQuality));
        // The winner type's hooks climb: the sum of their ranks falls, unless quality alone already put
        // them all on top (a campaign's 50 hooks differ; one CI run had every one in the top 10 already).
        const rankSum = (list: HookVariation[]) =>
          list.reduce((sum, h, i) => sum + (h.hook_type === winner.hook_type ? i : 0), 0);
        const count = variations.filter((h) => h.hook_type === winner.hook_type).length;
        const best = (count * (count - 1)) / 2;
        expect(count).toBeGreaterThan(0);
        if (rankSum(byQuality) > best) expect(rankSum(withPriors)).toBeLessThan(rankSum(byQuality));
        else expect(rankSum(withPriors)).toBe(best);
      }
    });

    it('schedules best_time posts at the hour the winner went out, on the Scheduler', async () => {
      const { scheduledPosts } = await import('../../lambdas/shared/data/distribution.js');
      const list = await scheduledPosts.list(second.campaign_id);
      expect(list).toHaveLength(2);
      const winnerHour = new Date(
        perf.posts.find((p) => p.variant_id === winner.variant_id)?.published_at as string,
      ).getUTCHours();
      for (const s of list) {
        expect(s).toMatchObject({ status: 'pending', source: 'best_time', platform: 'tiktok' });
        expect(s.rationale).toContain('brand priors');
        expect(new Date(s.scheduled_time).getUTCHours()).toBe(winnerHour);
        expect(Date.parse(s.scheduled_time)).toBeGreaterThan(Date.now());
        const schedule = await scheduler().send(
          new GetScheduleCommand({ Name: s.schedule_name, GroupName: process.env.POST_SCHEDULE_GROUP }),
        );
        expect(schedule.ScheduleExpression).toBe(`at(${s.scheduled_time.slice(0, 19)})`);
        expect(schedule.ActionAfterCompletion).toBe('DELETE');
      }
      const perf2 = await get<PerformanceReport>(`/campaigns/${second.campaign_id}/performance`);
      expect(perf2.posts.map((p) => p.publication_status)).toEqual(['scheduled', 'scheduled']);
    });

    it('cancels one post and moves the other, which then fires and is published exactly once', async () => {
      const { scheduledPosts } = await import('../../lambdas/shared/data/distribution.js');
      const [cancelled, moved] = (await scheduledPosts.list(second.campaign_id)) as [
        ScheduledPost,
        ScheduledPost,
      ];
      const route = (s: ScheduledPost) => `/campaigns/${second.campaign_id}/posts/${s.post_id}/schedule`;
      const gone = await cli.api<ScheduledPost>(base, 'DELETE', route(cancelled));
      expect(gone.status).toBe('cancelled');
      await expect(
        scheduler().send(
          new GetScheduleCommand({
            Name: cancelled.schedule_name,
            GroupName: process.env.POST_SCHEDULE_GROUP,
          }),
        ),
      ).rejects.toBeInstanceOf(ResourceNotFoundException);
      await expect(cli.api(base, 'DELETE', route(cancelled))).rejects.toThrow(/409/);
      await expect(
        cli.api(base, 'PATCH', route(moved), { publish_at: new Date(Date.now() - 1000).toISOString() }),
      ).rejects.toThrow(/400/);

      const soon = new Date(Math.ceil((Date.now() + 62_000) / 1000) * 1000).toISOString();
      const next = await cli.api<ScheduledPost>(base, 'PATCH', route(moved), { publish_at: soon });
      expect(next).toMatchObject({ status: 'pending', source: 'operator', scheduled_time: soon });
      let out: PerformanceReport['posts'] = [];
      for (let i = 0; i < 90 && !out.length; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        const perf2 = await get<PerformanceReport>(`/campaigns/${second.campaign_id}/performance`);
        out = perf2.posts.filter((p) => p.publication_status === 'published');
      }
      // The Scheduler fired PublishPost: the post is out (an outbox post), the schedule deleted.
      expect((await scheduledPosts.get(second.campaign_id, moved.post_id))?.status).toBe('due');
      expect(out).toHaveLength(1);
      expect(out[0]?.variant_id).toBe(moved.variant_id);
      expect(Date.parse(out[0]?.published_at as string)).toBeGreaterThanOrEqual(Date.parse(soon));
      const { blobs } = await import('../../lambdas/shared/services.js');
      expect(await blobs().exists(`outbox/tiktok/${out[0]?.post_id}/post.json`)).toBe(true);
      await expect(
        scheduler().send(
          new GetScheduleCommand({ Name: moved.schedule_name, GroupName: process.env.POST_SCHEDULE_GROUP }),
        ),
      ).rejects.toBeInstanceOf(ResourceNotFoundException);
      const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
      await expect(cli.api(base, 'PATCH', route(moved), { publish_at: inAnHour })).rejects.toThrow(/409/);
      // The cancelled one never went out; the performance report and the publication packages say so.
      expect((await scheduledPosts.get(second.campaign_id, cancelled.post_id))?.status).toBe('cancelled');
      const perf3 = await get<PerformanceReport>(`/campaigns/${second.campaign_id}/performance`);
      expect(perf3.posts.map((p) => p.publication_status).sort()).toEqual(['cancelled', 'published']);
      const { campaignView } = await import('../../lambdas/campaign-manager/domain/campaign-view.js');
      const packages = (await campaignView(second.campaign_id)).publications;
      expect(packages.flatMap((p) => p.scheduled_posts.map((e) => e.status)).sort()).toEqual([
        'cancelled',
        'published',
      ]);
    }, 120_000);
  });
});

const scheduler = () => new SchedulerClient({});
