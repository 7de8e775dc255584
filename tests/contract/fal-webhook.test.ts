import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFalJobId } from '../../lambdas/shared/adapters/fal/fal-video-model.js';
import type { RenderJob } from '../../lambdas/shared/contracts/index.js';
import { FalJwks, verifyFalWebhook } from '../../lambdas/shared/webhooks/fal-signature.js';
import type { Emulators } from '../../local/engine/emulators.js';
import { campaignRecord, serveWebhooksApi } from '../support/records.js';
import { FAKE_FAL_KEY, FakeFal, type FalOutcome } from './fakes/fal-server.js';

/**
 * POST /webhooks/fal behind the HTTP API shape the embedded runtime serves: fal's ED25519 signatures
 * checked against the JWKS the fake publishes (FAL_JWKS_URL); a good callback finishes the render
 * through completeRender (the clip is copied into the media bucket), anything forged changes nothing.
 */
const fal = new FakeFal();
let emulators: Emulators;
let api: { url: string; stop(): Promise<void> };
let repos: typeof import('../../lambdas/shared/data/repositories.js');
let blobs: () => import('../../lambdas/shared/ports/index.js').BlobStore;

const CAMPAIGN = '00000000-0000-4000-8000-0000000000f1';
const MODEL = 'fal-ai/veo3.1/fast';

beforeAll(async () => {
  await fal.start();
  const { startEmulators } = await import('../../local/engine/emulators.js');
  emulators = await startEmulators(mkdtempSync(path.join(tmpdir(), 'bie-fal-webhook-')), ['bie-media']);
  Object.assign(process.env, emulators.env, {
    TABLE_NAME: 'fal-webhook-test',
    BUCKET_NAME: 'bie-media',
    FAL_JWKS_URL: `${fal.url}/.well-known/jwks.json`,
    BIE_LOCAL_PROVIDER_ORIGINS: fal.url,
    BIE_WORK_DIR: mkdtempSync(path.join(tmpdir(), 'bie-fal-work-')),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  await (await import('../../lambdas/shared/data/table.js')).ensureTable();
  repos = await import('../../lambdas/shared/data/repositories.js');
  blobs = (await import('../../lambdas/shared/services.js')).blobs;
  await repos.campaigns.create(campaignRecord(CAMPAIGN, { name: 'fal webhooks' }));
  api = await serveWebhooksApi();
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await emulators?.stop();
  await fal.stop();
});

/** A render job at fal (submitted to the fake, webhooks held back) and the webhook fal would send. */
async function falJob(outcome: FalOutcome = 'success') {
  fal.sendWebhooks = false;
  fal.outcomes.push(outcome);
  const res = await fetch(`${fal.url}/${MODEL}`, {
    method: 'POST',
    headers: { authorization: `Key ${FAKE_FAL_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'latte art', generate_audio: true }),
  });
  const { request_id } = (await res.json()) as { request_id: string };
  const record = fal.requests.find((r) => r.request_id === request_id);
  if (!record) throw new Error('the fake did not record the request');
  const job: RenderJob = {
    job_id: `job-${randomUUID()}`,
    campaign_id: CAMPAIGN,
    variant_id: '00000000-0000-4000-8000-0000000000a1',
    scene_id: '00000000-0000-4000-8000-0000000000b1',
    model_name: 'veo31_fast',
    provider: 'fal',
    provider_job_id: encodeFalJobId({ requestId: request_id, model: MODEL, audio: true }),
    status: 'processing',
    prompt: 'latte art',
    parameters: { duration_seconds: 4 },
    cost_usd: 0.6,
    list_price_usd: 0.6,
    attempt: 1,
    created_at: new Date().toISOString(),
  };
  await repos.renderJobs.put(job);
  return { job, body: fal.webhookBody(record), requestId: request_id };
}

const post = (headers: Record<string, string>, body: string) =>
  fetch(`${api.url}/webhooks/fal`, { method: 'POST', headers, body });
const reread = (job: RenderJob) => repos.renderJobs.get(CAMPAIGN, job.job_id);

describe('fal render callbacks', () => {
  it('finish the render when signed by a key of fal’s JWKS: the clip is copied into the media bucket', async () => {
    // Prepare
    const { job, body, requestId } = await falJob();
    // Act
    const res = await post(fal.sign(requestId, body), body);
    // Assess
    expect(res.status).toBe(200);
    const done = await reread(job);
    expect(done?.status).toBe('completed');
    const key = `renders/${CAMPAIGN}/${job.variant_id}/scenes/${job.scene_id}-${job.job_id}.mp4`;
    expect(done?.result_url).toBe(blobs().url(key));
    const clip = await blobs().get(key);
    expect(Buffer.from(clip).subarray(4, 8).toString()).toBe('ftyp');
  });

  it('answer a replay of a delivered callback as a duplicate, changing nothing', async () => {
    const { job, body, requestId } = await falJob();
    const headers = fal.sign(requestId, body);
    expect((await post(headers, body)).status).toBe(200);
    const after = await reread(job);
    const again = await post(headers, body);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });
    expect(await reread(job)).toEqual(after);
  });

  it('fail the render with fal’s reason when fal reports a refusal', async () => {
    const { job, body, requestId } = await falJob('refusal');
    const res = await post(fal.sign(requestId, body), body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'failed', kind: 'refused' });
    const failed = await reread(job);
    expect(failed?.status).toBe('failed');
    expect(failed?.error_message).toContain('flagged by a content checker');
  });
});

describe('a fal render whose webhook never arrives', () => {
  it('is finished by the poller from the queue status and result, the clip copied into the bucket', async () => {
    // Prepare: fal ran the job, the webhook was lost.
    const { job } = await falJob();
    const { pollRenders } = await import('../../lambdas/production/poll-renders.js');
    const { FalVideoModel } = await import('../../lambdas/shared/adapters/fal/fal-video-model.js');
    const provider = new FalVideoModel({ queueUrl: fal.url, key: async () => FAKE_FAL_KEY, blobs: blobs() });
    const callbacks = { success: async () => {}, failure: async () => {}, heartbeat: async () => {} };
    const deps = { provider, callbacks, blobs: blobs(), workDir: process.env.BIE_WORK_DIR as string };
    // Act: the first poll finds it queued, the next completed.
    await pollRenders(deps);
    const second = await pollRenders(deps);
    // Assess
    expect(second.finished).toBeGreaterThanOrEqual(1);
    expect((await reread(job))?.status).toBe('completed');
    const clip = await blobs().get(
      `renders/${CAMPAIGN}/${job.variant_id}/scenes/${job.scene_id}-${job.job_id}.mp4`,
    );
    expect(Buffer.from(clip).subarray(4, 8).toString()).toBe('ftyp');
  });
});

describe('forged fal callbacks are refused with 401 and change nothing', () => {
  it('a tampered body, or a signature that is not fal’s', async () => {
    const { job, body, requestId } = await falJob();
    const headers = fal.sign(requestId, body);
    const tampered = body.replace('"OK"', '"ERROR"');
    expect((await post(headers, tampered)).status).toBe(401);
    const flipped = headers['x-fal-webhook-signature'] as string;
    const forged = {
      ...headers,
      'x-fal-webhook-signature': `${flipped[0] === 'a' ? 'b' : 'a'}${flipped.slice(1)}`,
    };
    expect((await post(forged, body)).status).toBe(401);
    expect((await post({ 'content-type': 'application/json' }, body)).status).toBe(401);
    expect((await reread(job))?.status).toBe('processing');
  });

  it('a message signed with another ED25519 key', async () => {
    const { job, body, requestId } = await falJob();
    const other = generateKeyPairSync('ed25519').privateKey;
    const res = await post(fal.sign(requestId, body, { key: other }), body);
    expect(res.status).toBe(401);
    expect((await reread(job))?.status).toBe('processing');
  });

  it('a timestamp more than 300 s old or ahead (a captured callback replayed late)', async () => {
    const { job, body, requestId } = await falJob();
    // Well past the 300 s window: a loaded machine may take a second or two to verify.
    for (const at of [Date.now() - 330_000, Date.now() + 330_000]) {
      const res = await post(fal.sign(requestId, body, { at }), body);
      expect(res.status).toBe(401);
    }
    expect((await reread(job))?.status).toBe('processing');
  });

  it('a signed header naming another request than the body', async () => {
    const { job, body } = await falJob();
    const res = await post(fal.sign(randomUUID(), body), body);
    expect(res.status).toBe(401);
    expect((await reread(job))?.status).toBe('processing');
  });
});

describe('fal’s JWKS', () => {
  const clock = { now: Date.parse('2026-11-29T12:00:00Z') };
  const body = '{"request_id":"r1","status":"OK","payload":{}}';

  it('is fetched once and cached for at most 24 h', async () => {
    const jwks = new FalJwks({ url: `${fal.url}/.well-known/jwks.json`, now: () => clock.now });
    const headers = fal.sign('r1', body, { at: clock.now });
    await verifyFalWebhook(jwks, headers, body, clock.now);
    clock.now += 23 * 3600_000;
    await verifyFalWebhook(jwks, fal.sign('r1', body, { at: clock.now }), body, clock.now);
    expect(jwks.fetches).toBe(1);
    clock.now += 3600_000;
    await verifyFalWebhook(jwks, fal.sign('r1', body, { at: clock.now }), body, clock.now);
    expect(jwks.fetches).toBe(2);
  });

  it('is fetched again once when no cached key matches (fal rotated its keys), at most once a minute', async () => {
    // Prepare: the cache holds an old key only.
    const old = generateKeyPairSync('ed25519').publicKey;
    let served = fal.jwks([old]);
    const fetchImpl = (async () => new Response(JSON.stringify(served))) as unknown as typeof fetch;
    const jwks = new FalJwks({ url: 'https://jwks.example/', fetchImpl, now: () => clock.now });
    await jwks.keys();
    served = fal.jwks();
    clock.now += 120_000;
    // Act / Assess: the rotated key is found by one refetch...
    await verifyFalWebhook(jwks, fal.sign('r1', body, { at: clock.now }), body, clock.now);
    expect(jwks.fetches).toBe(2);
    // ...and forged messages cannot make it fetch on every request.
    const other = generateKeyPairSync('ed25519').privateKey;
    for (let i = 0; i < 3; i++)
      await expect(
        verifyFalWebhook(jwks, fal.sign('r1', body, { at: clock.now, key: other }), body, clock.now),
      ).rejects.toThrow(/no key/);
    expect(jwks.fetches).toBe(2);
  });
});
