import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../cli/run.js';
import { clipKey } from '../../lambdas/production/domain/renders.js';
import { MEDIA_PROFILES } from '../../lambdas/shared/config/index.js';
import type { RenderJob } from '../../lambdas/shared/contracts/index.js';
import { brandIdFor } from '../../lambdas/shared/ids.js';
import type { Embedded } from '../../local/embedded.js';
import { FAKE_FAL_KEY, FakeFal } from '../contract/fakes/fal-server.js';

// A campaign whose scenes are rendered by fal (BIE_VIDEO_PROVIDER=fal) against the local fal server:
// keyframes for image-to-video scenes, queue submits with fal_webhook, signed webhooks to the local
// API, clips copied into the bucket and assembled into the master.
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-e2e-fal-'));
const ROOT = path.resolve(import.meta.dirname, '../..');
const brandText = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');
const fal = new FakeFal();

let app: Embedded;
let cli: typeof import('../../cli/run.js');
let repos: typeof import('../../lambdas/shared/data/repositories.js');
let blobs: typeof import('../../lambdas/shared/services.js').blobs;
let probe: typeof import('../../lambdas/shared/media/probe.js').probeMedia;
let result: RunResult;

beforeAll(async () => {
  await fal.start();
  Object.assign(process.env, MEDIA_PROFILES.preview, {
    BIE_VIDEO_PROVIDER: 'fal',
    FAL_KEY: FAKE_FAL_KEY,
    FAL_QUEUE_URL: fal.url,
    FAL_JWKS_URL: `${fal.url}/.well-known/jwks.json`,
    BIE_LOCAL_PROVIDER_ORIGINS: fal.url,
  });
  const { startEmbedded } = await import('../../local/embedded.js');
  app = await startEmbedded({ dataDir, retryIntervalMs: 0 });
  cli = await import('../../cli/run.js');
  repos = await import('../../lambdas/shared/data/repositories.js');
  blobs = (await import('../../lambdas/shared/services.js')).blobs;
  probe = (await import('../../lambdas/shared/media/probe.js')).probeMedia;
  result = await cli.runCampaign(app, {
    brandText,
    request: {
      ...cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
      target_duration_seconds: 15,
    },
    autoApprove: true,
    out: path.join(dataDir, 'out'),
  });
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await fal.stop();
  for (const k of [
    'BIE_VIDEO_PROVIDER',
    'FAL_KEY',
    'FAL_QUEUE_URL',
    'FAL_JWKS_URL',
    'BIE_LOCAL_PROVIDER_ORIGINS',
  ])
    delete process.env[k];
});

const jobs = async (): Promise<RenderJob[]> =>
  (await repos.renderJobs.list(result.campaign_id as string)).filter((j) => j.status === 'completed');

describe('a campaign rendered by fal (against the local fal server)', () => {
  it('is published', () => {
    expect(result.failure).toBeUndefined();
    expect(result.status).toBe('published');
  });

  it('renders every scene at fal, finished by signed webhooks', async () => {
    const done = await jobs();
    expect(done.length).toBeGreaterThan(0);
    for (const job of done) expect(job.provider, job.job_id).toBe('fal');
    const videoRequests = fal.requests.filter((r) => !/seedream|nano-banana/.test(r.model));
    expect(videoRequests.length).toBeGreaterThanOrEqual(done.length);
    for (const r of videoRequests) {
      expect(r.webhook).toBe(`${app.runtime.info.apiUrl}/webhooks/fal`);
      // Standard tier, narrative scenes: Veo 3.1 fast, natively vertical, a length it renders.
      expect(r.model).toBe('fal-ai/veo3.1/fast');
      expect(r.input).toMatchObject({ aspect_ratio: '9:16', generate_audio: true });
      expect(['4s', '6s']).toContain(r.input.duration);
    }
    expect(fal.deliveries.filter((d) => d.status === 200).length).toBeGreaterThanOrEqual(done.length);
  });

  it('stores the fal clips in the bucket and assembles them into the master', async () => {
    // The clips in the bucket are the fake CDN's bytes (a testsrc pattern the offline renderer never draws).
    for (const job of await jobs()) {
      const stored = Buffer.from(await blobs().get(clipKey(job)));
      const served = Buffer.from(
        await (await fetch(`${fal.url}/cdn/${job.provider_job_id?.split('~')[0]}.mp4`)).arrayBuffer(),
      );
      expect(createHash('sha256').update(stored).digest('hex'), job.job_id).toBe(
        createHash('sha256').update(served).digest('hex'),
      );
    }
    const info = await probe(result.master_video as string);
    expect(info.video).toMatchObject({ width: 180, height: 320, codec: 'h264' });
  });

  it('refuses a forged webhook for one of its jobs with 401 and changes nothing', async () => {
    const [job] = await jobs();
    const requestId = job?.provider_job_id?.split('~')[0] as string;
    const before = await repos.renderJobs.get(result.campaign_id as string, job?.job_id as string);
    const body = JSON.stringify({ request_id: requestId, status: 'ERROR', payload: { detail: 'forged' } });
    const forger = generateKeyPairSync('ed25519').privateKey;
    const res = await fetch(`${app.runtime.info.apiUrl}/webhooks/fal`, {
      method: 'POST',
      headers: fal.sign(requestId, body, { key: forger }),
      body,
    });
    expect(res.status).toBe(401);
    expect(await repos.renderJobs.get(result.campaign_id as string, job?.job_id as string)).toEqual(before);
  });
});

describe('an abstract campaign rendered by fal: image-to-video scenes start from a brand keyframe', () => {
  let abstract: RunResult;
  let firstRequest = 0;

  beforeAll(async () => {
    // Prepare: the same brand, abstract: its scenes route to Seedream keyframes animated by Seedance.
    firstRequest = fal.requests.length;
    const name = 'Lumen Abstract';
    const text = brandText
      .replace('# Lumen Coffee', `# ${name}`)
      .replace('Cinematic, natural light,', 'Abstract and surreal, natural light,');
    abstract = await cli.runCampaign(app, {
      brandText: text,
      request: {
        ...cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
        brand_id: brandIdFor(name),
        target_duration_seconds: 15,
      },
      autoApprove: true,
      out: path.join(dataDir, 'out-abstract'),
    });
  }, 300_000);

  it('is published, every scene rendered by Seedance at fal', async () => {
    expect(abstract.failure).toBeUndefined();
    expect(abstract.status).toBe('published');
    const done = (await repos.renderJobs.list(abstract.campaign_id as string)).filter(
      (j) => j.status === 'completed',
    );
    expect(done.length).toBeGreaterThan(0);
    for (const job of done) expect([job.provider, job.model_name]).toEqual(['fal', 'seedream']);
  });

  it('draws a palette keyframe before each clip and hands it to the clip as a presigned bucket URL', () => {
    const requests = fal.requests.slice(firstRequest);
    const clips = requests.filter((r) => r.model.includes('seedance'));
    expect(clips.length).toBeGreaterThan(0);
    for (const clip of clips) {
      const at = requests.indexOf(clip);
      const keyframe = requests
        .slice(0, at)
        .find((r) => r.model === 'fal-ai/bytedance/seedream/v4/text-to-image');
      expect(keyframe, clip.request_id).toBeDefined();
      expect(String(keyframe?.input.prompt)).toMatch(/Brand colour palette: #/);
      expect(String(clip.input.image_url)).toMatch(/\/keyframes\/[^?]+\.png\?/);
      expect(clip.input).toMatchObject({ aspect_ratio: '9:16', duration: '5' });
    }
  });
});
