import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../cli/run.js';
import type { PerformanceReport, ScheduledPost } from '../../lambdas/shared/contracts/index.js';
import type { AsDeployed } from '../../local/deployed/start.js';

// The acceptance run of issue 6: the example campaign on the synthesized stack as deployed (every
// function from its bundle, with only its template's environment, every AWS call checked against its
// role), driven as an operator drives AWS (SigV4-signed API, outputs from the bucket). It must publish
// with the same outputs as `bie run` on the embedded runtime (tests/e2e/campaign.test.ts).
//
// Low-resolution renders come from the stack, not from this process's environment: the assembly is
// synthesized with `-c renderProfile=preview` (proposed knob: the media functions get
// BIE_MASTER_WIDTH=180, BIE_MASTER_HEIGHT=320, BIE_RENDITION_SCALE=0.25, BIE_X264_PRESET=ultrafast;
// unknown to the stack until infra adds it, which then renders at full size, only slower).
//
// TikTok's post is scheduled (issue 8), the other three go out at the approval: PublishPost creates a
// one-time EventBridge Scheduler schedule (checked against its role: the schedule group, PassRole of the
// scheduler role), SchedulesApi moves it, the Scheduler fires PublishPost as the scheduler role, the
// post goes out, and the hourly CollectEngagement collects it. One campaign serves both: an as-deployed
// run is the most expensive thing the suite does.
const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-as-deployed-e2e-'));
const brandText = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');
const PLATFORMS = ['instagram', 'linkedin', 'tiktok', 'youtube'];
/** Published at the approval; TikTok's post is scheduled a month ahead until a test moves it. */
const AT_APPROVAL = PLATFORMS.filter((p) => p !== 'tiktok');
const RUN_MINUTES = 10;

let app: AsDeployed;
let cli: typeof import('../../cli/run.js');
let probe: typeof import('../../lambdas/shared/media/probe.js').probeMedia;
let result: RunResult;
let runError: Error | undefined;

/** Which function failed how, and what else the mode found: the message of a failing assertion. */
function diagnosis(): string {
  const failures = app.invocationFailures().map((f) => `  ${f.function}: ${f.errorType}: ${f.errorMessage}`);
  const findings = [...new Set(app.findings())].map((f) => `  ${f}`);
  const waiting = app.runtime.runner
    .pendingTokens()
    .map((p) => `  ${p.state} in ${p.executionArn.split(':').slice(-2).join(':')}`);
  return [
    ...(runError ? [`the run ended with ${runError.name}: ${runError.message}`] : []),
    `campaign ${result?.status ?? '(no result)'}${result?.failure ? ` — ${result.failure.error}: ${result.failure.cause}` : ''}`,
    `function failures (${failures.length}):`,
    ...[...new Set(failures)],
    `findings (${findings.length}):`,
    ...findings,
    ...(waiting.length ? [`still waiting for task tokens (${waiting.length}):`, ...waiting] : []),
  ].join('\n');
}

beforeAll(
  async () => {
    const { startAsDeployed } = await import('../../local/deployed/start.js');
    app = await startAsDeployed({
      dataDir,
      context: { mediaProfile: 'preview' },
      retryIntervalMs: 0,
      log: () => undefined,
    });
    cli = await import('../../cli/run.js');
    probe = (await import('../../lambdas/shared/media/probe.js')).probeMedia;
    // A task token nobody sends (work frozen after its function answered) would hold the campaign until
    // its heartbeat timeout: the run gets a deadline and the diagnosis says what it waited for.
    const deadline = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`the campaign did not finish within ${RUN_MINUTES} minutes`)),
        RUN_MINUTES * 60_000,
      ).unref(),
    );
    try {
      result = await Promise.race([
        deadline,
        cli.runCampaign(app, {
          brandText,
          request: {
            ...cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
            target_duration_seconds: 15,
            publish_mode: 'scheduled',
            publish_at: { tiktok: new Date(Date.now() + 30 * 86_400_000).toISOString() },
          },
          autoApprove: true,
          out: path.join(dataDir, 'out'),
        }),
      ]);
    } catch (error) {
      // Collecting outputs can fail too (an output that is not in the bucket): the tests say why.
      runError = error as Error;
    }
  },
  (RUN_MINUTES + 4) * 60_000,
);

/** The run's result; fails with the diagnosis when there is none. */
function ran(): RunResult {
  if (!result) expect.fail(diagnosis());
  return result;
}

afterAll(async () => {
  await app?.stop();
  // The synthesized assembly alone is ~200 MB (the ffmpeg layer); keep it only when asked to.
  if (!process.env.BIE_KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
});

describe('the example campaign as deployed', () => {
  it('is published', () => {
    expect(runError, diagnosis()).toBeUndefined();
    expect(ran().status, diagnosis()).toBe('published');
    expect(ran().failure, diagnosis()).toBeUndefined();
  });

  it('makes no AWS call its role does not allow, functions and state machines alike', () => {
    expect(app.machineDenials, diagnosis()).toEqual([]);
    expect(
      app.denials().map((d) => `${d.principal}: ${d.action} on ${d.resource} (${d.reason})`),
      diagnosis(),
    ).toEqual([]);
  });

  it('reads no environment variable its template does not set', () => {
    expect(
      app.undeclaredEnvReads().map((r) => `${r.function} reads ${r.variable} (${r.source})`),
      diagnosis(),
    ).toEqual([]);
  });

  it('leaves nothing in a dead-letter queue', () => {
    expect(app.deadLetters(), diagnosis()).toEqual([]);
  });

  it('writes the brief, the script and a master video as long as the script, with picture and sound', async () => {
    const result = ran();
    expect(result.brief, diagnosis()).toBeDefined();
    const script = JSON.parse(readFileSync(result.script as string, 'utf8')) as {
      total_duration_seconds: number;
      scenes: { duration_seconds: number }[];
    };
    expect(script.scenes.every((s) => s.duration_seconds >= 3 && s.duration_seconds <= 5)).toBe(true);
    const info = await probe(result.master_video as string);
    expect(Math.abs(info.durationSeconds - script.total_duration_seconds)).toBeLessThanOrEqual(0.5);
    expect(info.video?.codec).toBe('h264');
    expect(info.audio?.codec).toBe('aac');
  });

  it('renders each platform with audio, a thumbnail and captions, as bie run does', async () => {
    const result = ran();
    expect(Object.keys(result.renditions).sort(), diagnosis()).toEqual(PLATFORMS);
    expect(Object.keys(result.thumbnails).sort()).toEqual(PLATFORMS);
    expect(Object.keys(result.captions).sort()).toEqual(['srt', 'vtt']);
    for (const platform of PLATFORMS) {
      const info = await probe(result.renditions[platform] as string);
      expect(info.audio, platform).toBeDefined();
      expect(info.durationSeconds, platform).toBeGreaterThanOrEqual(14.5);
      expect(
        (await probe(result.thumbnails[platform] as string)).video,
        `${platform} thumbnail`,
      ).toBeDefined();
    }
    expect(readFileSync(result.captions.vtt as string, 'utf8')).toMatch(/^WEBVTT/);
  });

  it('keeps four approved checkpoints, the ledger and the publication package', () => {
    const result = ran();
    const decided = result.approvals.filter((a) =>
      ['brief', 'script', 'video', 'publication'].includes(a.checkpoint),
    );
    expect(decided.map((a) => a.checkpoint).sort(), diagnosis()).toEqual([
      'brief',
      'publication',
      'script',
      'video',
    ]);
    expect(decided.every((a) => a.status === 'approved')).toBe(true);
    expect(result.ledger.total_usd).toBe(0);
    expect(result.ledger.total_list_price_usd).toBeGreaterThan(0);
    expect(result.publication_package && existsSync(result.publication_package)).toBe(true);
  });

  it('published each post due at the approval once to the outbox in the bucket', () => {
    const result = ran();
    for (const platform of PLATFORMS) {
      const dir = path.join(result.outbox, platform);
      const posts = existsSync(dir) ? readdirSync(dir) : [];
      expect(posts, `${platform} posts in s3://${app.bucket}/outbox/\n${diagnosis()}`).toHaveLength(
        AT_APPROVAL.includes(platform) ? 1 : 0,
      );
      for (const post of posts) expect(existsSync(path.join(dir, post, 'post.json'))).toBe(true);
    }
  });
});

const signed = <T>(method: string, route: string, body?: unknown) =>
  cli.api<T>(app.runtime.info.apiUrl, method, route, body, 'application/json', app.operator);
const tiktokPost = async () => {
  const perf = await signed<PerformanceReport>('GET', `/campaigns/${ran().campaign_id}/performance`);
  return perf.posts.find((p) => p.platform === 'tiktok');
};

describe('a scheduled post as deployed', () => {
  it('is scheduled, not published, when the campaign completes', async () => {
    const perf = await signed<PerformanceReport>('GET', `/campaigns/${ran().campaign_id}/performance`);
    expect(perf.posts.map((p) => `${p.platform}:${p.publication_status}`).sort(), diagnosis()).toEqual(
      [...AT_APPROVAL.map((p) => `${p}:published`), 'tiktok:scheduled'].sort(),
    );
  });

  it('moves through the API, fires as the scheduler role, and goes out once', async () => {
    const postId = (await tiktokPost())?.post_id as string;
    const soon = new Date(Math.ceil((Date.now() + 62_000) / 1000) * 1000).toISOString();
    const moved = await signed<ScheduledPost>(
      'PATCH',
      `/campaigns/${ran().campaign_id}/posts/${postId}/schedule`,
      { publish_at: soon },
    );
    expect(moved.scheduled_time).toBe(soon);
    let status: string | undefined;
    for (let i = 0; i < 120 && status !== 'published'; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      status = (await tiktokPost())?.publication_status;
    }
    expect(status, diagnosis()).toBe('published');
    const perf = await signed<PerformanceReport>('GET', `/campaigns/${ran().campaign_id}/performance`);
    expect(perf.posts.filter((p) => p.platform === 'tiktok')).toHaveLength(1);
  }, 180_000);

  it('collects the post’s engagement on the hourly schedule', async () => {
    const post = await tiktokPost();
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
    expect((await tiktokPost())?.series.map((p) => p.views)).toEqual([1200]);
  });

  it('made no call its roles do not allow, read no undeclared variable, left no dead letter', () => {
    expect(app.denials().map((d) => `${d.principal}: ${d.action} on ${d.resource} (${d.reason})`)).toEqual(
      [],
    );
    expect(app.undeclaredEnvReads().map((r) => `${r.function} reads ${r.variable} (${r.source})`)).toEqual(
      [],
    );
    expect(app.deadLetters()).toEqual([]);
  });
});
