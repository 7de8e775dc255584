import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SubmitDeps } from '../../lambdas/production/submit-render.js';
import type { RenderJob } from '../../lambdas/shared/contracts/index.js';
import {
  type BlobStore,
  type KeyframeModel,
  type ProviderJobStatus,
  ProviderRetryableError,
  type RenderRequest,
  type TaskCallbacks,
  type VideoModel,
} from '../../lambdas/shared/ports/index.js';
import type { Emulators } from '../../local/engine/emulators.js';

// SubmitRender and the poller against the table and bucket emulators, with a scripted provider: the
// submit intent, replays after a crash, retries, the fallback chain, render timeouts and 30-minute renders.
const BUCKET = 'bie-media';
const CAMPAIGN = '7a1c9a1e-2b7d-4c1e-9f00-000000000001';
const VARIANT = '7a1c9a1e-2b7d-4c1e-9f00-000000000002';
const SCRIPT = '7a1c9a1e-2b7d-4c1e-9f00-000000000003';
const sceneId = (n: number) => `7a1c9a1e-2b7d-4c1e-9f00-0000000001${String(n).padStart(2, '0')}`;
const OUTPUT = `s3://${BUCKET}/provider-renders/scripted/clip.mp4`;

let emulators: Emulators;
let repos: typeof import('../../lambdas/shared/data/repositories.js');
let submit: typeof import('../../lambdas/production/submit-render.js').submitRender;
let poll: typeof import('../../lambdas/production/poll-renders.js').pollRenders;
let ledger: typeof import('../../lambdas/shared/data/ledger.js');
let blobs: BlobStore;

/** A provider that answers from a script: submit outcomes in order, then status answers per job. */
function scriptedProvider(
  opts: { submits?: (Error | 'ok')[]; statuses?: (ProviderJobStatus | Error)[] } = {},
) {
  const submitted: RenderRequest[] = [];
  const statusCalls: string[] = [];
  const submits = [...(opts.submits ?? [])];
  const statuses = [...(opts.statuses ?? [])];
  const provider: VideoModel & {
    submitted: RenderRequest[];
    statusCalls: string[];
    seen: (RenderJob | undefined)[];
  } = {
    provider: 'scripted',
    delivers: 'polling',
    submitted,
    statusCalls,
    seen: [],
    async submit(req) {
      // What the table holds while the provider is being asked: the recorded intent.
      provider.seen.push(await repos.renderJobs.get(CAMPAIGN, req.job_id));
      const next = submits.shift() ?? 'ok';
      if (next instanceof Error) throw next;
      submitted.push(req);
      return { provider_job_id: `sj-${req.job_id}-${submitted.length}` };
    },
    async status(id) {
      statusCalls.push(id);
      const next = statuses.length > 1 ? statuses.shift() : statuses[0];
      if (next instanceof Error) throw next;
      return next ?? { state: 'processing' };
    },
  };
  return provider;
}

/** Task callbacks that record what the waiting state would receive. */
function recorder() {
  const calls: { kind: 'success' | 'failure' | 'heartbeat'; token: string; detail?: string }[] = [];
  const callbacks: TaskCallbacks = {
    success: async (token, output) =>
      void calls.push({ kind: 'success', token, detail: JSON.stringify(output) }),
    failure: async (token, error, cause) =>
      void calls.push({ kind: 'failure', token, detail: `${error}: ${cause}` }),
    heartbeat: async (token) => void calls.push({ kind: 'heartbeat', token }),
  };
  return { calls, callbacks };
}

const depsOf = (provider: VideoModel, callbacks: TaskCallbacks): SubmitDeps => ({
  providerFor: () => provider,
  callbacks,
  blobs,
  workDir: path.join(tmpdir(), 'bie-lifecycle-work'),
});

let execution = 0;
const input = (over: Record<string, unknown> = {}) => ({
  token: 'token-1',
  execution: `exec-${execution}`,
  state: 'RenderScene',
  campaign_id: CAMPAIGN,
  variant_id: VARIANT,
  script_id: SCRIPT,
  scene_id: sceneId(1),
  model: 'veo3' as const,
  ...over,
});

beforeAll(async () => {
  const { startEmulators } = await import('../../local/engine/emulators.js');
  emulators = await startEmulators(mkdtempSync(path.join(tmpdir(), 'bie-lifecycle-')), [BUCKET]);
  Object.assign(process.env, emulators.env, {
    TABLE_NAME: 'lifecycle-test',
    WEBHOOK_BASE_URL: 'http://127.0.0.1:9/',
    BUCKET_NAME: BUCKET,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  });
  await (await import('../../lambdas/shared/data/table.js')).ensureTable();
  repos = await import('../../lambdas/shared/data/repositories.js');
  submit = (await import('../../lambdas/production/submit-render.js')).submitRender;
  poll = (await import('../../lambdas/production/poll-renders.js')).pollRenders;
  ledger = await import('../../lambdas/shared/data/ledger.js');
  const { S3BlobStore } = await import('../../lambdas/shared/data/blob-store.js');
  blobs = new S3BlobStore(BUCKET);
  await blobs.put('provider-renders/scripted/clip.mp4', 'clip-bytes', 'video/mp4');
  const now = new Date().toISOString();
  await repos.campaigns.create({
    campaign_id: CAMPAIGN,
    campaign_name: 'lifecycle',
    brand_id: '00000000-0000-4000-8000-000000000001',
    status: 'in_production',
    request: {
      product_category: 'coffee',
      target_demographic: 'everyone',
      campaign_objective: 'awareness',
      budget_tier: 'standard',
      brand_id: '00000000-0000-4000-8000-000000000001',
    },
    budget_limit_usd: 100,
    current_cost_usd: 0,
    auto_approve: true,
    created_at: now,
    updated_at: now,
  });
  const scenes = [1, 2, 3, 4].map((sequence) => ({
    scene_id: sceneId(sequence),
    sequence,
    duration_seconds: 4,
    visual_prompt:
      'A slow dolly-in on a ceramic cup of coffee on an oak counter at golden hour, steam rising',
    voiceover_text: 'Mornings, rewritten.',
    visual_cues: {
      style: 'cinematic' as const,
      color_palette: ['#2B1B17', '#C8A27A'],
      camera_movement: 'dolly in',
      lighting: 'golden hour',
    },
    audio_cues: { music_style: 'warm acoustic', sfx: [], voice_tone: 'warm' },
  }));
  await repos.scripts.putVersion({
    script_id: SCRIPT,
    brief_id: '7a1c9a1e-2b7d-4c1e-9f00-000000000004',
    campaign_id: CAMPAIGN,
    variant_id: VARIANT,
    version: 1,
    hook: {
      text: 'What if your coffee woke up before you?',
      hook_type: 'question',
      quality_score: 0.8,
      variations_generated: 10,
      selected_rationale: 'curiosity',
    },
    top_hooks: [],
    scenes,
    voiceover_full_text: 'Mornings, rewritten.',
    total_duration_seconds: 16,
    variant_tag: 'emotional',
    brand_compliance_score: 0.9,
    generated_at: now,
    approval_status: 'pending',
  });
});
afterAll(async () => emulators?.stop());
beforeEach(() => {
  execution++;
});

describe('submitting a render', () => {
  it('records the intent with its idempotency token before the provider is called, and the provider id right after', async () => {
    // Prepare
    const provider = scriptedProvider();
    const { callbacks } = recorder();

    // Act
    const out = await submit(depsOf(provider, callbacks), input());

    // Assess
    expect(provider.seen[0]).toMatchObject({ status: 'submitting', job_id: out.job_id });
    expect(provider.seen[0]?.parameters.idempotency_token).toBe(out.job_id);
    expect(provider.submitted[0]?.job_id).toBe(out.job_id);
    expect(await repos.renderJobs.get(CAMPAIGN, out.job_id)).toMatchObject({
      status: 'processing',
      provider_job_id: `sj-${out.job_id}-1`,
      model_name: 'veo3',
      provider: 'scripted',
    });
  });

  it('after a restart finds a submitted job again by its provider id and never submits it twice', async () => {
    // Prepare
    const provider = scriptedProvider({ statuses: [{ state: 'processing' }] });
    const { callbacks } = recorder();
    const first = await submit(depsOf(provider, callbacks), input());

    // Act: the task is replayed (a restarted runtime) with a new token.
    const again = await submit(depsOf(provider, callbacks), input({ token: 'token-2' }));

    // Assess
    expect(again).toMatchObject({ job_id: first.job_id, status: 'processing' });
    expect(provider.submitted).toHaveLength(1);
    expect(provider.statusCalls).toEqual([first.provider_job_id]);
    expect(await repos.renderJobs.get(CAMPAIGN, first.job_id)).toMatchObject({
      status: 'processing',
      task_token: 'token-2',
      provider_job_id: first.provider_job_id,
    });
  });

  it('resubmits a job a crash left in submitting with the same idempotency token', async () => {
    // Prepare: the crash happened after the intent was stored and before the provider id was.
    const provider = scriptedProvider({
      submits: [
        new ProviderRetryableError('503', 0),
        new ProviderRetryableError('503', 0),
        new ProviderRetryableError('503', 0),
      ],
    });
    const { callbacks } = recorder();
    await expect(submit(depsOf(provider, callbacks), input())).rejects.toMatchObject({
      name: 'ProviderRetryableError',
    });
    const [stuck] = provider.seen;
    expect((await repos.renderJobs.get(CAMPAIGN, stuck?.job_id ?? ''))?.status).toBe('submitting');

    // Act: the state machine retries the task.
    const out = await submit(depsOf(provider, callbacks), input({ token: 'token-2' }));

    // Assess
    expect(out.job_id).toBe(stuck?.job_id);
    expect(provider.submitted.map((r) => r.job_id)).toEqual([out.job_id]);
    expect(await repos.renderJobs.get(CAMPAIGN, out.job_id)).toMatchObject({
      status: 'processing',
      task_token: 'token-2',
    });
  });

  it('retries a 429 inside the call, waiting what the provider asked for', async () => {
    const provider = scriptedProvider({ submits: [new ProviderRetryableError('429 Too Many Requests', 0)] });
    const { callbacks } = recorder();
    const out = await submit(depsOf(provider, callbacks), input());
    expect(provider.seen).toHaveLength(2);
    expect(provider.submitted).toHaveLength(1);
    expect((await repos.renderJobs.get(CAMPAIGN, out.job_id))?.status).toBe('processing');
  });
});

describe('the fallback chain', () => {
  it('records a refused attempt with its kind, and the next attempt renders on the next model of the chain', async () => {
    // Prepare
    const refusal = Object.assign(new Error('the prompt was refused by the safety filter'), {
      kind: 'refused',
    });
    const provider = scriptedProvider({ submits: [refusal] });
    const { callbacks } = recorder();

    // Act
    const failed = submit(depsOf(provider, callbacks), input());
    await expect(failed).rejects.toMatchObject({
      name: 'RenderFailedError',
      message: expect.stringMatching(/^\[refused\]/),
    });
    const next = await submit(depsOf(provider, callbacks), input({ token: 'token-2', attempt_index: 1 }));

    // Assess
    const [refused] = provider.seen;
    const chain = refused?.parameters.chain as string[];
    const attempts = [
      await repos.renderJobs.get(CAMPAIGN, refused?.job_id ?? ''),
      await repos.renderJobs.get(CAMPAIGN, next.job_id),
    ];
    expect(chain[0]).toBe('veo3');
    expect(
      attempts.map((j) => [j?.model_name, j?.status, j?.error_kind, j?.parameters.attempt_index]),
    ).toEqual([
      ['veo3', 'failed', 'refused', 0],
      [chain[1], 'processing', undefined, 1],
    ]);
    expect(attempts[0]?.error_message).toMatch(/refused by the safety filter/);
    expect(provider.submitted.map((r) => r.job_id)).toEqual([next.job_id]);
    expect(provider.submitted.map((r) => r.model)).toHaveLength(1);
  });

  it('records a refused keyframe as the attempt’s failure, so the chain goes on, and submits no video', async () => {
    // Prepare: an image-to-video model, whose brand-palette keyframe the image model refuses.
    const provider = scriptedProvider();
    const { callbacks } = recorder();
    const keyframes: KeyframeModel = {
      provider: 'scripted-images',
      generate: async () => {
        throw Object.assign(new Error('the image prompt was flagged'), { kind: 'refused' });
      },
    };

    // Act
    const failed = submit(
      { ...depsOf(provider, callbacks), keyframes: () => keyframes },
      input({ model: 'kling_i2v' }),
    );

    // Assess
    await expect(failed).rejects.toMatchObject({
      name: 'RenderFailedError',
      message: expect.stringMatching(
        /^\[refused\] the keyframe for kling_i2v failed: the image prompt was flagged/,
      ),
    });
    const jobs = (await repos.renderJobs.list(CAMPAIGN)).filter((j) => j.model_name === 'kling_i2v');
    expect(jobs.map((j) => [j.status, j.error_kind])).toEqual([['failed', 'refused']]);
    expect(provider.submitted).toEqual([]);
  });

  it('ends with RenderChainExhaustedError when every model of the chain was tried', async () => {
    const provider = scriptedProvider();
    const { callbacks } = recorder();
    await expect(submit(depsOf(provider, callbacks), input({ attempt_index: 5 }))).rejects.toMatchObject({
      name: 'RenderChainExhaustedError',
    });
    expect(provider.seen).toEqual([]);
  });

  it('renders a reworked scene as a new job with the reviewer feedback in its prompt, outside the cache', async () => {
    const provider = scriptedProvider();
    const { callbacks } = recorder();
    const first = await submit(depsOf(provider, callbacks), input());
    const reworked = await submit(
      depsOf(provider, callbacks),
      input({ token: 'token-2', rework_round: 1, feedback: 'make the cup red' }),
    );
    expect(reworked.job_id).not.toBe(first.job_id);
    expect(provider.submitted[1]?.prompt).toMatch(/Revision requested by the reviewer: make the cup red$/);
    expect(provider.submitted[1]?.seed).not.toBe(provider.submitted[0]?.seed);
    expect((await repos.renderJobs.get(CAMPAIGN, reworked.job_id))?.parameters.cache_key).toBe('');
  });
});

describe('the poller', () => {
  const MINUTE = 60_000;
  /** Each test's own task token: jobs of earlier tests are still in flight and are polled too. */
  const tokenNow = () => `poll-token-${execution}`;

  async function inFlight(provider: ReturnType<typeof scriptedProvider>, callbacks: TaskCallbacks) {
    const out = await submit(
      depsOf(provider, callbacks),
      input({ token: tokenNow(), scene_id: sceneId(2 + (execution % 3)) }),
    );
    const job = (await repos.renderJobs.get(CAMPAIGN, out.job_id)) as RenderJob;
    return { job, startedAt: Date.parse(job.started_at as string) };
  }
  const onlyThis = (provider: VideoModel, jobId: string): VideoModel => ({
    ...provider,
    provider: provider.provider,
    status: (id) => (id.includes(jobId) ? provider.status(id) : Promise.resolve({ state: 'processing' })),
  });

  it('keeps a 30-minute render alive with a heartbeat every minute, never times it out, and finishes it', async () => {
    // Prepare: processing for 30 polls (one a minute), then done.
    const statuses: ProviderJobStatus[] = [
      ...Array.from({ length: 30 }, () => ({ state: 'processing' as const })),
      { state: 'completed', output_url: OUTPUT },
    ];
    const provider = scriptedProvider({ statuses });
    const { calls, callbacks } = recorder();
    const { job, startedAt } = await inFlight(provider, callbacks);
    const before = (await ledger.ledgerEntries(CAMPAIGN)).length;

    // Act
    const results = [];
    for (let minute = 1; minute <= 31; minute++) {
      results.push(
        await poll({
          provider: onlyThis(provider, job.job_id),
          callbacks,
          blobs,
          workDir: path.join(tmpdir(), 'bie-lifecycle-work'),
          now: () => startedAt + minute * MINUTE,
        }),
      );
    }

    // Assess
    const mine = calls.filter((c) => c.token === tokenNow());
    expect(mine.filter((c) => c.kind === 'heartbeat')).toHaveLength(30);
    expect(mine.filter((c) => c.kind === 'failure')).toEqual([]);
    expect(mine.at(-1)).toMatchObject({ kind: 'success' });
    expect(results.reduce((n, r) => n + r.timed_out, 0)).toBe(0);
    expect((await repos.renderJobs.get(CAMPAIGN, job.job_id))?.status).toBe('completed');
    expect((await ledger.ledgerEntries(CAMPAIGN)).length).toBe(before + 1);
  });

  it('fails a job older than its model allows with kind timeout, so the next model takes over', async () => {
    const provider = scriptedProvider({ statuses: [{ state: 'processing' }] });
    const { calls, callbacks } = recorder();
    const { job, startedAt } = await inFlight(provider, callbacks);
    const result = await poll({
      provider: onlyThis(provider, job.job_id),
      callbacks,
      blobs,
      workDir: '/tmp',
      now: () => startedAt + 46 * MINUTE,
    });
    expect(result.timed_out).toBeGreaterThanOrEqual(1);
    expect(await repos.renderJobs.get(CAMPAIGN, job.job_id)).toMatchObject({
      status: 'failed',
      error_kind: 'timeout',
    });
    expect(calls.find((c) => c.kind === 'failure' && c.token === tokenNow())?.detail).toMatch(
      /^RenderFailedError: \[timeout\] no result from scripted after 27\d\d s \(the veo3 limit is 2700 s\)/,
    );
  });

  it('backs off a rate-limited status question by Retry-After and keeps the task alive meanwhile', async () => {
    const provider = scriptedProvider({
      statuses: [new ProviderRetryableError('429 Too Many Requests', 120), { state: 'processing' }],
    });
    const { calls, callbacks } = recorder();
    const { job, startedAt } = await inFlight(provider, callbacks);
    const at = (minutes: number) =>
      poll({
        provider: onlyThis(provider, job.job_id),
        callbacks,
        blobs,
        workDir: '/tmp',
        now: () => startedAt + minutes * MINUTE,
      });
    const asked = () => provider.statusCalls.filter((id) => id === job.provider_job_id).length;

    const first = await at(1);
    const second = await at(2);
    const askedBeforeRetryAfter = asked();
    await at(3.5);

    expect(first.deferred).toBeGreaterThanOrEqual(1);
    expect(second.deferred).toBeGreaterThanOrEqual(1);
    expect(askedBeforeRetryAfter).toBe(1);
    expect(asked()).toBe(2);
    expect(calls.filter((c) => c.kind === 'heartbeat' && c.token === tokenNow())).toHaveLength(3);
    expect((await repos.renderJobs.get(CAMPAIGN, job.job_id))?.status).toBe('processing');
  });
});
