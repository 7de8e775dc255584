import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Approval, Campaign } from '../../lambdas/shared/contracts/index.js';
import type { PostScheduler } from '../../lambdas/shared/ports/index.js';
import { serveService } from '../../local/deployed/services/protocol.js';
import type { Emulators } from '../../local/engine/emulators.js';
import { LocalScheduler } from '../../local/engine/scheduler.js';

/**
 * PublishPost's scheduling step on the table and the local Scheduler (no media): when a post goes out
 * is decided once and stored, the approval's time wins, a replay does not decide again, the fire
 * publishes, and cancel / move race the fire through the record.
 */
let emulators: Emulators;
let scheduler: LocalScheduler;
let closeScheduler: () => Promise<void>;
let ps: typeof import('../../lambdas/broadcaster/post-scheduling.js');
let repos: typeof import('../../lambdas/shared/data/repositories.js');
let dist: typeof import('../../lambdas/shared/data/distribution.js');
let posts: PostScheduler;

const CAMPAIGN = '00000000-0000-4000-8000-0000000000c1';
const VARIANT = '00000000-0000-4000-8000-0000000000a1';
const PUBLICATION = '00000000-0000-4000-8000-0000000000d1';
const TARGET = 'arn:aws:lambda:us-east-1:000000000000:function:bie-PublishPost';
const input = (platform: 'tiktok' | 'youtube') => ({
  campaign_id: CAMPAIGN,
  variant_id: VARIANT,
  publication_id: PUBLICATION,
  post: { platform, post_key: `${PUBLICATION}:${platform}` },
  execution: 'arn:aws:states:us-east-1:000000000000:execution:bie-Broadcaster:x',
});
const hours = (h: number) => new Date(Date.now() + h * 3_600_000);

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-post-scheduling-'));
  const { startEmulators } = await import('../../local/engine/emulators.js');
  emulators = await startEmulators(dataDir, ['bie-media']);
  scheduler = new LocalScheduler({
    dataDir: path.join(dataDir, 'scheduler'),
    region: 'us-east-1',
    account: '000000000000',
    groups: ['bie-posts'],
  });
  const served = await serveService(scheduler.handle);
  closeScheduler = served.close;
  Object.assign(process.env, emulators.env, {
    TABLE_NAME: 'post-scheduling',
    BUCKET_NAME: 'bie-media',
    AWS_ENDPOINT_URL_SCHEDULER: served.url,
    POST_SCHEDULE_GROUP: 'bie-posts',
    POST_SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/bie-post-scheduler',
  });
  await (await import('../../lambdas/shared/data/table.js')).ensureTable();
  repos = await import('../../lambdas/shared/data/repositories.js');
  dist = await import('../../lambdas/shared/data/distribution.js');
  ps = await import('../../lambdas/broadcaster/post-scheduling.js');
  posts = (await import('../../lambdas/shared/providers/scheduler.js')).postScheduler(TARGET);

  const now = new Date().toISOString();
  const campaign: Campaign = {
    campaign_id: CAMPAIGN,
    campaign_name: 'Scheduling',
    brand_id: '00000000-0000-4000-8000-0000000000b1',
    status: 'in_production',
    request: {
      product_category: 'cold brew',
      target_demographic: 'urban professionals',
      campaign_objective: 'awareness',
      budget_tier: 'standard',
      brand_id: '00000000-0000-4000-8000-0000000000b1',
    },
    budget_limit_usd: 100,
    current_cost_usd: 0,
    auto_approve: true,
    created_at: now,
    updated_at: now,
  };
  await repos.campaigns.create(campaign);
  for (const platform of ['tiktok', 'youtube'] as const)
    await repos.workDocs.put(CAMPAIGN, 'formatted', `${PUBLICATION}:${platform}`, {
      platform,
      rendition_key: `renditions/${platform}.mp4`,
      thumbnail_key: `thumbnails/${platform}.jpg`,
      captions_key: 'captions/c.vtt',
      caption: 'Smooth mornings',
      hashtags: ['#coldbrew'],
      duration_seconds: 15,
      aspect_ratio: platform === 'youtube' ? '16:9' : '9:16',
    });
});

afterAll(async () => {
  await closeScheduler?.();
  await emulators?.stop();
});

describe('when PublishPost decides a post’s time', () => {
  it('publishes at once in immediate mode without an approval time, storing nothing', async () => {
    expect(await ps.holdUntilDue(input('youtube'), posts)).toBeUndefined();
    expect(await dist.scheduledPosts.list(CAMPAIGN)).toEqual([]);
    expect(scheduler.list()).toEqual([]);
  });

  it('schedules at the publication approval’s time, once, however often the step is replayed', async () => {
    const approval: Approval = {
      approval_id: 'a1',
      campaign_id: CAMPAIGN,
      variant_id: VARIANT,
      checkpoint: 'publication',
      subject_id: PUBLICATION,
      summary: 's',
      task_token: 't',
      status: 'pending',
      expires_at: hours(24).toISOString(),
      created_at: new Date().toISOString(),
    };
    const at = new Date(Math.ceil(hours(5).getTime() / 1000) * 1000).toISOString();
    await ps.recordDecisionTimes(approval, { tiktok: at });
    const held = await ps.holdUntilDue(input('tiktok'), posts);
    expect(held).toMatchObject({ platform: 'tiktok', status: 'scheduled' });
    const record = await dist.scheduledPosts.get(CAMPAIGN, held?.post_id as string);
    expect(record).toMatchObject({ status: 'pending', source: 'approval', scheduled_time: at });
    // The approval's times change afterwards: a replay keeps the stored decision.
    await ps.recordDecisionTimes(approval, { tiktok: hours(9).toISOString() });
    expect(await ps.holdUntilDue(input('tiktok'), posts, hours(1))).toEqual(held);
    expect(scheduler.list()).toEqual([
      expect.objectContaining({
        Name: record?.schedule_name,
        ScheduleExpression: `at(${at.slice(0, 19)})`,
        Target: expect.objectContaining({ Arn: TARGET, Input: JSON.stringify(input('tiktok')) }),
      }),
    ]);
    const shown = await repos.publications.posts(CAMPAIGN, PUBLICATION);
    expect(shown).toEqual([
      expect.objectContaining({ platform: 'tiktok', publication_status: 'scheduled', published_at: at }),
    ]);
  });

  it('moves a pending post, then publishes it when the schedule fires, and refuses changes after', async () => {
    const [record] = await dist.scheduledPosts.list(CAMPAIGN);
    const later = new Date(Math.ceil(hours(7).getTime() / 1000) * 1000).toISOString();
    const moved = await ps.moveScheduledPost(CAMPAIGN, record?.post_id as string, later, posts);
    expect(moved).toMatchObject({ scheduled_time: later, source: 'operator' });
    expect(scheduler.list()[0]?.ScheduleExpression).toBe(`at(${later.slice(0, 19)})`);
    // A fire at the old time (a stale delivery) does not publish: not due yet.
    expect(await ps.holdUntilDue(input('tiktok'), posts, hours(5))).toMatchObject({ status: 'scheduled' });
    // At the new time: due, PublishPost publishes; a retried fire publishes (idempotently) too.
    expect(await ps.holdUntilDue(input('tiktok'), posts, new Date(later))).toBeUndefined();
    expect(await ps.holdUntilDue(input('tiktok'), posts, new Date(later))).toBeUndefined();
    await expect(ps.cancelScheduledPost(CAMPAIGN, record?.post_id as string, posts)).rejects.toThrow(
      /already gone out/,
    );
  });

  it('cancels a pending post: the schedule goes, and a late fire publishes nothing', async () => {
    const approval = {
      approval_id: 'a2',
      campaign_id: CAMPAIGN,
      checkpoint: 'publication',
      subject_id: PUBLICATION,
      status: 'pending',
    } as Approval;
    await ps.recordDecisionTimes(approval, {
      tiktok: hours(3).toISOString(),
      youtube: hours(3).toISOString(),
    });
    // youtube was already decided (at once) in the first test, without a record: give it a new post key.
    const other = {
      ...input('youtube'),
      post: { platform: 'youtube', post_key: `${PUBLICATION}:youtube:2` },
    };
    await repos.workDocs.put(
      CAMPAIGN,
      'formatted',
      other.post.post_key,
      await repos.workDocs.get(
        CAMPAIGN,
        'formatted',
        `${PUBLICATION}:youtube`,
        (await import('../../lambdas/broadcaster/context.js')).Formatted,
      ),
    );
    const held = await ps.holdUntilDue(other, posts);
    expect(held?.status).toBe('scheduled');
    const cancelled = await ps.cancelScheduledPost(CAMPAIGN, held?.post_id as string, posts);
    expect(cancelled.status).toBe('cancelled');
    expect(scheduler.list().map((s) => s.Name)).not.toContain(cancelled.schedule_name);
    expect(await ps.holdUntilDue(other, posts, hours(4))).toMatchObject({ status: 'cancelled' });
    await expect(
      ps.moveScheduledPost(CAMPAIGN, held?.post_id as string, hours(5).toISOString(), posts),
    ).rejects.toThrow(/cancelled/);
  });
});
