import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderJob } from '../../lambdas/shared/contracts/index.js';
import type { BlobStore, TaskCallbacks, VideoModel } from '../../lambdas/shared/ports/index.js';
import type { Emulators } from '../../local/engine/emulators.js';

let emulators: Emulators;
let repos: typeof import('../../lambdas/shared/data/repositories.js');
let renders: typeof import('../../lambdas/production/domain/renders.js');
let poll: typeof import('../../lambdas/production/poll-renders.js');

beforeAll(async () => {
  const { startEmulators } = await import('../../local/engine/emulators.js');
  emulators = await startEmulators(mkdtempSync(path.join(tmpdir(), 'bie-shared-')), ['bie-media']);
  Object.assign(process.env, emulators.env, { TABLE_NAME: 'shared-test', BUCKET_NAME: 'bie-media' });
  await (await import('../../lambdas/shared/data/table.js')).ensureTable();
  repos = await import('../../lambdas/shared/data/repositories.js');
  renders = await import('../../lambdas/production/domain/renders.js');
  poll = await import('../../lambdas/production/poll-renders.js');
});
afterAll(async () => emulators?.stop());

const CAMPAIGN = '00000000-0000-4000-8000-0000000000c2';
let n = 0;

/** Records every callback, as the Step Functions task token API would receive them. */
function recorder() {
  const calls: { kind: string; token: string; body: unknown }[] = [];
  const callbacks: TaskCallbacks = {
    success: async (token, output) => void calls.push({ kind: 'success', token, body: output }),
    failure: async (token, error, cause) =>
      void calls.push({ kind: 'failure', token, body: { error, cause } }),
    heartbeat: async (token) => void calls.push({ kind: 'heartbeat', token, body: null }),
  };
  return { calls, callbacks };
}

/** A scene of one variant about to be submitted, with the render plan of its production run. */
async function scene(mayReuse = true) {
  n++;
  const req = {
    campaign_id: CAMPAIGN,
    variant_id: randomUUID(),
    scene_id: randomUUID(),
    job_id: randomUUID(),
    task_token: `token-${n}`,
    execution: `exec-${n}`,
  };
  await repos.workDocs.put(CAMPAIGN, 'render_plan', req.execution, [
    { scene_id: req.scene_id, may_reuse: mayReuse },
  ]);
  return req;
}

const jobOf = (
  req: { job_id: string; variant_id: string; scene_id: string; task_token: string },
  key: string,
  status: RenderJob['status'],
): RenderJob => ({
  job_id: req.job_id,
  campaign_id: CAMPAIGN,
  variant_id: req.variant_id,
  scene_id: req.scene_id,
  model_name: 'veo3',
  provider: 'offline',
  provider_job_id: `offrender_${req.job_id}`,
  status,
  prompt: 'the can on an oak counter',
  parameters: { cache_key: key },
  task_token: req.task_token,
  ...(status === 'completed' ? { result_url: `s3://bie-media/renders/${req.job_id}.mp4` } : {}),
  cost_usd: 0,
  list_price_usd: 0.5,
  attempt: 1,
  // Now: an older job would be past its model's render timeout and failed by the poller.
  created_at: new Date().toISOString(),
});

describe('a shot shared by the variants of a campaign', () => {
  it('is rendered by the first scene and joined by another variant’s while in flight', async () => {
    // Prepare
    const { callbacks, calls } = recorder();
    const [a, b] = [await scene(), await scene()];
    // Act
    const first = await renders.shareShot({ callbacks }, { ...a, cache_key: 'k-join' });
    await repos.renderJobs.put(jobOf(a, 'k-join', 'processing'));
    const second = await renders.shareShot({ callbacks }, { ...b, cache_key: 'k-join' });
    // Assess
    expect(first).toEqual({ action: 'render' });
    expect(second).toEqual({ action: 'joined', job_id: a.job_id });
    expect(calls).toEqual([]);
  });

  it('is heartbeated for the joined scenes while the provider still renders it', async () => {
    // Prepare
    const { callbacks, calls } = recorder();
    const [a, b] = [await scene(), await scene()];
    await renders.shareShot({ callbacks }, { ...a, cache_key: 'k-beat' });
    await repos.renderJobs.put(jobOf(a, 'k-beat', 'processing'));
    await renders.shareShot({ callbacks }, { ...b, cache_key: 'k-beat' });
    const rendering: VideoModel = {
      provider: 'offline',
      delivers: 'webhook',
      submit: async () => ({ provider_job_id: 'x' }),
      status: async () => ({ state: 'processing' }),
    };
    // Act
    await poll.pollRenders({ provider: rendering, callbacks, blobs: {} as BlobStore, workDir: '/tmp' });
    // Assess
    const beats = calls.filter((c) => c.kind === 'heartbeat').map((c) => c.token);
    expect(beats).toContain(a.task_token);
    expect(beats).toContain(b.task_token);
  });

  it('is taken finished, at once and uncharged, by a scene submitted after it completed', async () => {
    // Prepare
    const { callbacks, calls } = recorder();
    const [a, b] = [await scene(), await scene()];
    await renders.shareShot({ callbacks }, { ...a, cache_key: 'k-done' });
    await repos.renderJobs.put(jobOf(a, 'k-done', 'completed'));
    // Act
    const second = await renders.shareShot({ callbacks }, { ...b, cache_key: 'k-done' });
    // Assess
    expect(second).toEqual({ action: 'reused', job_id: a.job_id });
    expect(calls).toEqual([
      {
        kind: 'success',
        token: b.task_token,
        body: { job_id: a.job_id, clip_url: `s3://bie-media/renders/${a.job_id}.mp4` },
      },
    ]);
  });

  it('is rendered again for a scene sent back with feedback', async () => {
    const { callbacks } = recorder();
    const a = await scene();
    await renders.shareShot({ callbacks }, { ...a, cache_key: 'k-feedback' });
    await repos.renderJobs.put(jobOf(a, 'k-feedback', 'completed'));
    const redo = await scene(false);
    expect(await renders.shareShot({ callbacks }, { ...redo, cache_key: 'k-feedback' })).toEqual({
      action: 'render',
    });
  });

  it('fails the joined scenes when its render fails, and the next attempt renders it itself', async () => {
    // Prepare
    const { callbacks, calls } = recorder();
    const [a, b, c] = [await scene(), await scene(), await scene()];
    await renders.shareShot({ callbacks }, { ...a, cache_key: 'k-fail' });
    await repos.renderJobs.put(jobOf(a, 'k-fail', 'processing'));
    await renders.shareShot({ callbacks }, { ...b, cache_key: 'k-fail' });
    // Act
    await renders.failRender({ callbacks }, jobOf(a, 'k-fail', 'processing'), 'provider error');
    const retry = await renders.shareShot(
      { callbacks },
      { ...b, task_token: 'token-retry', cache_key: 'k-fail' },
    );
    await repos.renderJobs.put(jobOf(b, 'k-fail', 'processing'));
    const third = await renders.shareShot({ callbacks }, { ...c, cache_key: 'k-fail' });
    // Assess
    expect(calls.filter((x) => x.kind === 'failure').map((x) => x.token)).toEqual([
      b.task_token,
      a.task_token,
    ]);
    expect(calls.find((x) => x.token === b.task_token)?.body).toMatchObject({ error: 'RenderFailedError' });
    expect(retry).toEqual({ action: 'render' });
    expect(third).toEqual({ action: 'joined', job_id: b.job_id });
  });

  it('keeps each campaign’s clips to itself', async () => {
    const { callbacks } = recorder();
    const a = await scene();
    await renders.shareShot({ callbacks }, { ...a, cache_key: 'k-campaign' });
    await repos.renderJobs.put(jobOf(a, 'k-campaign', 'completed'));
    await repos.sceneCache.put('k-campaign', { campaign_id: CAMPAIGN, job_id: a.job_id, clip_key: 'x' });
    expect(await repos.sceneCache.find(CAMPAIGN, 'k-campaign')).toMatchObject({ job_id: a.job_id });
    expect(await repos.sceneCache.find('00000000-0000-4000-8000-0000000000c3', 'k-campaign')).toBeUndefined();
  });
});
