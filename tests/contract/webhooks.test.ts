import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RenderJob } from '../../lambdas/shared/contracts/index.js';
import type { Emulators } from '../../local/engine/emulators.js';
import { serveWebhooksApi } from '../support/records.js';
import { FakeSecretsManager } from './fakes/secrets-manager-server.js';
import { keyInterpretations, secretLikeValues } from './repo-secrets.js';

/**
 * POST /webhooks/{provider} as deployed: the secret comes from Secrets Manager by the ARN the stack
 * sets (a 64-character generated password), behind the same HTTP API shape the embedded runtime serves.
 */
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:WebhooksSecret-AbCdEf';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const stackLikeSecret = () => [...randomBytes(64)].map((b) => ALNUM[b % ALNUM.length]).join('');

let emulators: Emulators;
let sm: FakeSecretsManager;
let api: { url: string; stop(): Promise<void> };
let repos: typeof import('../../lambdas/shared/data/repositories.js');
let secrets: typeof import('../../lambdas/shared/secrets.js');
const secret = stackLikeSecret();

beforeAll(async () => {
  const { startEmulators } = await import('../../local/engine/emulators.js');
  emulators = await startEmulators(mkdtempSync(path.join(tmpdir(), 'bie-webhooks-')), ['bie-media']);
  sm = await new FakeSecretsManager().start();
  sm.put(SECRET_ARN, secret);
  Object.assign(process.env, emulators.env, {
    TABLE_NAME: 'webhooks-test',
    BUCKET_NAME: 'bie-media',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
    WEBHOOK_SECRET_ARN: SECRET_ARN,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  delete process.env.WEBHOOK_SECRET;
  await (await import('../../lambdas/shared/data/table.js')).ensureTable();
  repos = await import('../../lambdas/shared/data/repositories.js');
  secrets = await import('../../lambdas/shared/secrets.js');
  api = await serveWebhooksApi();
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await sm?.stop();
  await emulators?.stop();
});

beforeEach(() => secrets.clearSecretCache());

const CAMPAIGN = '00000000-0000-4000-8000-0000000000c1';
let jobs = 0;
/** A render job waiting for its provider's callback. */
async function processingJob() {
  jobs++;
  const job: RenderJob & { provider_job_id: string } = {
    job_id: `job-${jobs}`,
    campaign_id: CAMPAIGN,
    variant_id: '00000000-0000-4000-8000-0000000000a1',
    scene_id: '00000000-0000-4000-8000-0000000000b1',
    model_name: 'sora',
    provider: 'offline',
    provider_job_id: `offrender_${jobs}_${randomBytes(4).toString('hex')}`,
    status: 'processing',
    prompt: 'a cup of coffee',
    parameters: {},
    cost_usd: 0,
    list_price_usd: 0.4,
    attempt: 1,
    created_at: new Date().toISOString(),
  };
  await repos.renderJobs.put(job);
  return job;
}
const reread = async (job: { job_id: string }) => repos.renderJobs.get(CAMPAIGN, job.job_id);

const failedEvent = (providerJobId: string, id = `evt_${randomBytes(6).toString('hex')}`) =>
  JSON.stringify({
    object: 'event',
    id,
    type: 'video.failed',
    data: { id: providerJobId, error: 'the scene could not be rendered' },
  });

/** Standard Webhooks headers computed here, independently of the module under test. */
function signed(key: Buffer, body: string, opts: { id?: string; at?: number } = {}) {
  const id = opts.id ?? `msg_${randomBytes(8).toString('hex')}`;
  const ts = Math.floor((opts.at ?? Date.now()) / 1000);
  const mac = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': `v1,${mac}`,
  };
}
const post = (headers: Record<string, string>, body: string, provider = 'offline') =>
  fetch(`${api.url}/webhooks/${provider}`, { method: 'POST', headers, body });
const deployedKey = () => Buffer.from(secret, 'utf8');

describe('render callbacks signed with the secret in Secrets Manager', () => {
  it('complete the job, reading the secret by the ARN the stack sets', async () => {
    const job = await processingJob();
    const body = failedEvent(job.provider_job_id);
    const res = await post(signed(deployedKey(), body), body);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ job_id: job.job_id, status: 'video.failed' });
    expect((await reread(job))?.status).toBe('failed');
    expect(sm.reads).toContain(SECRET_ARN);
  });

  it('answer a redelivery of the same message 200 duplicate, without effect', async () => {
    const job = await processingJob();
    const body = failedEvent(job.provider_job_id);
    const headers = signed(deployedKey(), body);
    expect((await post(headers, body)).status).toBe(200);
    const after = await reread(job);
    const again = await post(headers, body);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ job_id: job.job_id, duplicate: true });
    expect(await reread(job)).toEqual(after);
  });

  it('refuse a message id reused with another body, and change nothing', async () => {
    const job = await processingJob();
    const other = await processingJob();
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const first = failedEvent(job.provider_job_id);
    expect((await post(signed(deployedKey(), first, { id }), first)).status).toBe(200);
    // Correctly signed, inside the window, but a new payload under a seen id.
    const second = failedEvent(other.provider_job_id);
    const res = await post(signed(deployedKey(), second, { id }), second);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await reread(other))?.status).toBe('processing');
  });

  it('refuse a timestamp more than five minutes old or ahead, and change nothing', async () => {
    const job = await processingJob();
    const body = failedEvent(job.provider_job_id);
    for (const at of [Date.now() - 6 * 60_000, Date.now() + 6 * 60_000]) {
      const res = await post(signed(deployedKey(), body, { at }), body);
      expect(res.status).toBe(401);
    }
    expect((await reread(job))?.status).toBe('processing');
  });

  it('answer a correctly signed body that is not JSON, or not an event, with 400', async () => {
    for (const body of ['{"type": "video.completed", ', 'not json at all', '{"hello": "world"}']) {
      const res = await post(signed(deployedKey(), body), body);
      expect(res.status, body).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});

describe('forged render callbacks', () => {
  it('are refused with 401 when unsigned, or signed for another body or id', async () => {
    const job = await processingJob();
    const body = failedEvent(job.provider_job_id);
    expect((await post({ 'content-type': 'application/json' }, body)).status).toBe(401);
    const headers = signed(deployedKey(), body);
    const tampered = body.replace('could not', 'did not');
    expect((await post(headers, tampered)).status).toBe(401);
    expect((await post({ ...headers, 'webhook-id': 'msg_other' }, body)).status).toBe(401);
    expect((await reread(job))?.status).toBe('processing');
  });

  it('are refused with 401 when signed with any secret-like value found in the repository', async () => {
    const job = await processingJob();
    const values = secretLikeValues();
    // The scan finds the whsec_ default that used to be committed (it stays in the history).
    expect(values.some((v) => v.startsWith('whsec_'))).toBe(true);
    expect(values).not.toContain(secret);
    const accepted: string[] = [];
    for (const value of values) {
      for (const key of keyInterpretations(value)) {
        const body = failedEvent(job.provider_job_id);
        const res = await post(signed(key, body), body);
        if (res.status !== 401) accepted.push(`${value} → ${res.status}`);
      }
    }
    expect(accepted).toEqual([]);
    expect((await reread(job))?.status).toBe('processing');
  }, 120_000);

  it('are refused, never accepted, when no secret is configured at all', async () => {
    const job = await processingJob();
    const arn = process.env.WEBHOOK_SECRET_ARN;
    delete process.env.WEBHOOK_SECRET_ARN;
    try {
      for (const value of secretLikeValues().filter((v) => v.startsWith('whsec_'))) {
        for (const key of keyInterpretations(value)) {
          const body = failedEvent(job.provider_job_id);
          const res = await post(signed(key, body), body);
          expect(res.status, value).toBe(503);
          expect(((await res.json()) as { title: string }).title).toBe('Not configured');
        }
      }
    } finally {
      process.env.WEBHOOK_SECRET_ARN = arn;
    }
    expect((await reread(job))?.status).toBe('processing');
  });
});
