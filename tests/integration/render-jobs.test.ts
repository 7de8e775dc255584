import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderJob } from '../../lambdas/shared/contracts/index.js';
import type { BlobStore, TaskCallbacks, VideoModel } from '../../lambdas/shared/ports/index.js';
import type { Emulators } from '../../local/engine/emulators.js';

let emulators: Emulators;
let repos: typeof import('../../lambdas/shared/data/repositories.js');
let poll: typeof import('../../lambdas/production/poll-renders.js');

beforeAll(async () => {
  const { startEmulators } = await import('../../local/engine/emulators.js');
  emulators = await startEmulators(mkdtempSync(path.join(tmpdir(), 'bie-jobs-')), ['bie-media']);
  Object.assign(process.env, emulators.env, { TABLE_NAME: 'jobs-test', BUCKET_NAME: 'bie-media' });
  await (await import('../../lambdas/shared/data/table.js')).ensureTable();
  repos = await import('../../lambdas/shared/data/repositories.js');
  poll = await import('../../lambdas/production/poll-renders.js');
});
afterAll(async () => emulators?.stop());

const job = (id: string, token: string): RenderJob => ({
  job_id: id,
  campaign_id: '00000000-0000-4000-8000-0000000000c1',
  variant_id: '00000000-0000-4000-8000-0000000000a1',
  scene_id: '00000000-0000-4000-8000-0000000000b1',
  model_name: 'seedream',
  provider: 'offline',
  provider_job_id: `offrender_${id}`,
  status: 'processing',
  prompt: 'p',
  parameters: {},
  task_token: token,
  cost_usd: 0,
  list_price_usd: 0.5,
  attempt: 1,
  // Just started: a job older than its model's render timeout is failed by the poller instead.
  created_at: new Date().toISOString(),
});

const stillRendering: VideoModel = {
  provider: 'offline',
  delivers: 'webhook',
  submit: async () => ({ provider_job_id: 'x' }),
  status: async () => ({ state: 'processing' }),
};
const tokenGone = Object.assign(new Error('Task does not exist'), { name: 'TaskDoesNotExist' });

describe('the render poller', () => {
  it('marks a job abandoned when its waiting task is gone', async () => {
    await repos.renderJobs.put(job('j1', 'A'));
    const callbacks = { heartbeat: async () => Promise.reject(tokenGone) } as unknown as TaskCallbacks;
    const r = await poll.pollRenders({
      provider: stillRendering,
      callbacks,
      blobs: {} as BlobStore,
      workDir: '/tmp',
    });
    expect(r.abandoned).toBe(1);
    expect((await repos.renderJobs.get(job('j1', 'A').campaign_id, 'j1'))?.status).toBe('failed');
  });

  it('never reverts a job whose token was refreshed (a resumed submit) after the poll read it', async () => {
    await repos.renderJobs.put(job('j2', 'A'));
    const callbacks = {
      // The race: SubmitRender parks a new token between the poll's read and its heartbeat.
      heartbeat: async () => {
        await repos.renderJobs.put(job('j2', 'B'));
        throw tokenGone;
      },
    } as unknown as TaskCallbacks;
    await poll.pollRenders({ provider: stillRendering, callbacks, blobs: {} as BlobStore, workDir: '/tmp' });
    const stored = await repos.renderJobs.get(job('j2', 'A').campaign_id, 'j2');
    expect(stored).toMatchObject({ status: 'processing', task_token: 'B' });
  });
});

describe('a fallback render', () => {
  it('closes the primary job first, so a late completion of the primary is never charged', async () => {
    const { supersedeJob } = await import('../../lambdas/production/domain/renders.js');
    const { ledgerEntries } = await import('../../lambdas/shared/data/ledger.js');
    const primary = job('p1', 'A');
    await repos.renderJobs.put(primary);
    expect(await supersedeJob(primary, 'fallback-1')).toBe(true);
    // The primary's provider finishes late: the poller no longer lists it, so nothing completes or charges it.
    const finishedLate: VideoModel = {
      ...stillRendering,
      status: async (id) =>
        id === primary.provider_job_id ? { state: 'completed', output_url: 'x' } : { state: 'processing' },
    };
    const callbacks = { heartbeat: async () => {}, success: async () => {} } as unknown as TaskCallbacks;
    const r = await poll.pollRenders({
      provider: finishedLate,
      callbacks,
      blobs: {} as BlobStore,
      workDir: '/tmp',
    });
    expect(r.finished).toBe(0);
    expect(await repos.renderJobs.get(primary.campaign_id, 'p1')).toMatchObject({
      status: 'failed',
      error_message: 'superseded by the fallback render fallback-1',
    });
    expect((await ledgerEntries(primary.campaign_id)).filter((e) => e.description?.includes('p1'))).toEqual(
      [],
    );
  });

  it('leaves a primary that completed in the meantime completed', async () => {
    const { supersedeJob } = await import('../../lambdas/production/domain/renders.js');
    const primary = job('p2', 'A');
    await repos.renderJobs.put({ ...primary, status: 'completed' });
    expect(await supersedeJob(primary, 'fallback-2')).toBe(false);
    expect((await repos.renderJobs.get(primary.campaign_id, 'p2'))?.status).toBe('completed');
  });
});
