import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../cli/run.js';
import type { PerformanceReport, ScheduledPost } from '../../lambdas/shared/contracts/index.js';
import type { AsDeployed } from '../../local/deployed/start.js';

/**
 * Scheduled posts and engagement on the synthesized stack as deployed (issue 8): PublishPost creates a
 * one-time EventBridge Scheduler schedule (checked against its role: the schedule group, PassRole of
 * the scheduler role), SchedulesApi moves it, the Scheduler fires PublishPost as the scheduler role,
 * the post goes out, and the hourly CollectEngagement collects it — with no denial, no undeclared
 * variable and no dead letter.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-as-deployed-schedules-'));
const brandText = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');

let app: AsDeployed;
let cli: typeof import('../../cli/run.js');
let result: RunResult;

const signed = <T>(method: string, route: string, body?: unknown) =>
  cli.api<T>(app.runtime.info.apiUrl, method, route, body, 'application/json', app.operator);

function diagnosis(): string {
  return [
    ...app.invocationFailures().map((f) => `  ${f.function}: ${f.errorType}: ${f.errorMessage}`),
    ...[...new Set(app.findings())].map((f) => `  ${f}`),
  ].join('\n');
}

beforeAll(async () => {
  const { startAsDeployed } = await import('../../local/deployed/start.js');
  app = await startAsDeployed({
    dataDir,
    context: { mediaProfile: 'preview' },
    retryIntervalMs: 0,
    schedules: false,
    log: () => undefined,
  });
  cli = await import('../../cli/run.js');
  result = await cli.runCampaign(app, {
    brandText,
    request: {
      ...cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
      target_duration_seconds: 15,
      target_platforms: ['tiktok'],
      publish_mode: 'scheduled',
      publish_at: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    },
    autoApprove: true,
    out: path.join(dataDir, 'out'),
  });
}, 14 * 60_000);

afterAll(async () => {
  await app?.stop();
  if (!process.env.BIE_KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
});

describe('a scheduled post as deployed', () => {
  it('is scheduled, not published, when the campaign completes', async () => {
    expect(result.failure, diagnosis()).toBeUndefined();
    const perf = await signed<PerformanceReport>('GET', `/campaigns/${result.campaign_id}/performance`);
    expect(
      perf.posts.map((p) => p.publication_status),
      diagnosis(),
    ).toEqual(['scheduled']);
  });

  it('moves through the API, fires as the scheduler role, and goes out once', async () => {
    const perf = await signed<PerformanceReport>('GET', `/campaigns/${result.campaign_id}/performance`);
    const postId = perf.posts[0]?.post_id as string;
    const soon = new Date(Math.ceil((Date.now() + 62_000) / 1000) * 1000).toISOString();
    const moved = await signed<ScheduledPost>(
      'PATCH',
      `/campaigns/${result.campaign_id}/posts/${postId}/schedule`,
      { publish_at: soon },
    );
    expect(moved.scheduled_time).toBe(soon);
    let out: PerformanceReport['posts'] = [];
    for (let i = 0; i < 120 && !out.length; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const p = await signed<PerformanceReport>('GET', `/campaigns/${result.campaign_id}/performance`);
      out = p.posts.filter((x) => x.publication_status === 'published');
    }
    expect(out, diagnosis()).toHaveLength(1);
  }, 180_000);

  it('collects the post’s engagement on the hourly schedule', async () => {
    const perf = await signed<PerformanceReport>('GET', `/campaigns/${result.campaign_id}/performance`);
    const post = perf.posts[0];
    const s3 = new S3Client({
      endpoint: app.awsEndpoint,
      region: app.operator.region,
      forcePathStyle: true,
      credentials: { accessKeyId: app.operator.accessKeyId, secretAccessKey: app.operator.secretAccessKey },
    });
    await s3.send(
      new PutObjectCommand({
        Bucket: app.bucket,
        Key: `outbox/tiktok/${post?.post_id}/metrics.json`,
        Body: JSON.stringify({ views: 1200, likes: 90, comments: 12, shares: 7 }),
        ContentType: 'application/json',
      }),
    );
    const outcome = await app.triggerSchedule('CollectEngagement');
    expect(outcome.ok, diagnosis()).toBe(true);
    const after = await signed<PerformanceReport>('GET', `/campaigns/${result.campaign_id}/performance`);
    expect(after.posts[0]?.series.map((p) => p.views)).toEqual([1200]);
  });

  it('made no call its roles do not allow and read no undeclared variable', () => {
    expect(app.denials().map((d) => `${d.principal}: ${d.action} on ${d.resource} (${d.reason})`)).toEqual(
      [],
    );
    expect(app.undeclaredEnvReads().map((r) => `${r.function} reads ${r.variable} (${r.source})`)).toEqual(
      [],
    );
    expect(app.deadLetters()).toEqual([]);
  });
});
