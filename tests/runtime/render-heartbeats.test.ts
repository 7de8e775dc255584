import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PollDeps, PollResult } from '../../lambdas/production/poll-renders.js';
import type { ProviderJobStatus, VideoModel } from '../../lambdas/shared/ports/index.js';
import { localFunctionArn, localMachineArn } from '../../local/engine/asl-runner.js';
import type { Emulators } from '../../local/engine/emulators.js';
import { openEndpoints, type Runtime, startRuntime } from '../../local/engine/runtime.js';
import { campaignRecord } from '../support/records.js';

// The real poller (lambdas/production/poll-renders.ts) against the local runner's heartbeat timeouts:
// a render longer than HeartbeatSeconds survives only while the poller heartbeats its task.
const BUCKET = 'bie-media';
const CAMPAIGN = '6f1c9a1e-2b7d-4c1e-9f00-000000000001';
const VARIANT = '6f1c9a1e-2b7d-4c1e-9f00-000000000002';
const machineArn = localMachineArn('render-heartbeat');
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-heartbeat-'));

let emulators: Emulators;
let runtime: Runtime;
let sfn: SFNClient;
let poll: (deps: PollDeps) => Promise<PollResult>;
let deps: PollDeps;
let repos: typeof import('../../lambdas/shared/data/repositories.js');

/** A provider that renders for `render_ms`, then reports the given output URL. */
const readyAt = new Map<string, { at: number; output_url: string }>();
const provider: VideoModel = {
  provider: 'fixture',
  delivers: 'polling',
  async submit() {
    throw new Error('not used: the fixture submit function records the job itself');
  },
  async status(id): Promise<ProviderJobStatus> {
    const job = readyAt.get(id);
    if (!job) return { state: 'unknown' };
    return Date.now() < job.at ? { state: 'processing' } : { state: 'completed', output_url: job.output_url };
  },
};

async function describeUntilDone(executionArn: string) {
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs the poller every 300 ms until stopped, as the schedule would every minute. */
function pollEvery300ms() {
  const results: PollResult[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      results.push(await poll(deps));
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  return {
    results,
    async stop() {
      on = false;
      await loop;
    },
  };
}

beforeAll(async () => {
  emulators = await startEmulators();
  const endpoints = await openEndpoints();
  Object.assign(process.env, emulators.env, {
    AWS_ENDPOINT_URL_SFN: endpoints.sfnUrl,
    TABLE_NAME: 'heartbeat-test',
    BUCKET_NAME: BUCKET,
    BIE_WORK_DIR: path.join(dataDir, 'work'),
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  });
  await (await import('../../lambdas/shared/data/table.js')).ensureTable();
  repos = await import('../../lambdas/shared/data/repositories.js');
  poll = (await import('../../lambdas/production/poll-renders.js')).pollRenders;
  const { S3BlobStore } = await import('../../lambdas/shared/data/blob-store.js');
  const { sfnTaskCallbacks } = await import('../../lambdas/shared/adapters/aws/sfn-task-callbacks.js');
  const blobs = new S3BlobStore(BUCKET);
  await blobs.put('provider-renders/fixture/clip.mp4', 'clip-bytes', 'video/mp4');
  deps = { provider, callbacks: sfnTaskCallbacks, blobs, workDir: path.join(dataDir, 'work') };
  await repos.campaigns.create(campaignRecord(CAMPAIGN, { name: 'heartbeats' }));

  runtime = startRuntime({
    dataDir,
    endpoints,
    machines: [
      {
        arn: machineArn,
        name: 'render-heartbeat',
        file: path.join(import.meta.dirname, 'fixtures', 'render-heartbeat.asl.json'),
      },
    ],
    substitutions: { SubmitFunctionArn: localFunctionArn('submit') },
    functions: {
      // Stands in for SubmitRender: records the job in flight with its task token.
      [localFunctionArn('submit')]: async (event: unknown) => {
        const e = event as { token: string; job_id: string; render_ms: number; output_url: string };
        readyAt.set(`fx-${e.job_id}`, { at: Date.now() + e.render_ms, output_url: e.output_url });
        await repos.renderJobs.put({
          job_id: e.job_id,
          campaign_id: CAMPAIGN,
          variant_id: VARIANT,
          scene_id: '6f1c9a1e-2b7d-4c1e-9f00-000000000003',
          model_name: 'sora',
          provider: 'fixture',
          provider_job_id: `fx-${e.job_id}`,
          status: 'processing',
          prompt: 'steam',
          parameters: { duration_seconds: 4, cache_key: '' },
          task_token: e.token,
          cost_usd: 0,
          list_price_usd: 0,
          attempt: 1,
          created_at: new Date().toISOString(),
        });
        return { submitted: true };
      },
    },
    routes: [],
    retryIntervalMs: 0,
  });
  sfn = new SFNClient({});
});

async function startEmulators() {
  const { startEmulators: start } = await import('../../local/engine/emulators.js');
  return start(dataDir, [BUCKET]);
}

afterAll(async () => {
  await runtime?.stop();
  await emulators?.stop();
});

const start = (
  jobId: string,
  renderMs: number,
  outputUrl = `s3://${BUCKET}/provider-renders/fixture/clip.mp4`,
) =>
  sfn.send(
    new StartExecutionCommand({
      stateMachineArn: machineArn,
      name: jobId,
      input: JSON.stringify({ job_id: jobId, render_ms: renderMs, output_url: outputUrl }),
    }),
  );

describe('render heartbeats', () => {
  it('keep a render longer than HeartbeatSeconds alive while the poller runs, which then finishes it', async () => {
    // Prepare
    const poller = pollEvery300ms();

    // Act: a 4 s render under a 2 s heartbeat.
    const { executionArn } = await start('long-render', 4000);
    const done = await describeUntilDone(executionArn as string);
    await poller.stop();

    // Assess
    expect(done.status, done.cause).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}').clip).toMatchObject({ job_id: 'long-render' });
    expect(poller.results.reduce((n, r) => n + r.heartbeats, 0)).toBeGreaterThanOrEqual(4);
    expect((await repos.renderJobs.get(CAMPAIGN, 'long-render'))?.status).toBe('completed');
  });

  it('time the render out without the poller, and the next poll marks the job abandoned instead of failing', async () => {
    // Act
    const { executionArn } = await start('unwatched-render', 4000);
    const done = await describeUntilDone(executionArn as string);
    const result = await poll(deps);

    // Assess
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('States.HeartbeatTimeout');
    expect(result).toMatchObject({ heartbeats: 0, abandoned: 1 });
    const job = await repos.renderJobs.get(CAMPAIGN, 'unwatched-render');
    expect(job?.status).toBe('failed');
    expect(job?.error_message).toMatch(/^abandoned: the waiting task is gone \(TaskDoesNotExist\)/);
    expect((await repos.renderJobs.listProcessing()).map((j) => j.job_id)).not.toContain('unwatched-render');
  });

  it('fail the render with the scheme named when the provider reports a file: output', async () => {
    // Prepare
    const poller = pollEvery300ms();

    // Act
    const { executionArn } = await start('file-output', 0, 'file:///etc/passwd');
    const done = await describeUntilDone(executionArn as string);
    await poller.stop();

    // Assess
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('RenderFailedError');
    expect(done.cause).toContain('render output URL scheme "file:" is not allowed');
    expect((await repos.renderJobs.get(CAMPAIGN, 'file-output'))?.status).toBe('failed');
  });
});
