import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../cli/run.js';
import { MEDIA_PROFILES } from '../../lambdas/shared/config/index.js';
import {
  EVENT_SOURCE,
  LIFECYCLE_EVENTS,
  type LifecycleEventType,
} from '../../lambdas/shared/contracts/events.js';
import type { Embedded } from '../../local/embedded.js';

// A short, low-resolution run of the real pipeline: every state of the six ASL files on the embedded runtime.
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-e2e-'));
Object.assign(process.env, MEDIA_PROFILES.preview);
const ROOT = path.resolve(import.meta.dirname, '../..');
const brandText = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');

let app: Embedded;
let cli: typeof import('../../cli/run.js');
let probe: typeof import('../../lambdas/shared/media/probe.js').probeMedia;
let findTerms: typeof import('../../lambdas/copywriter/domain/compliance.js').findRestrictedTerms;

beforeAll(async () => {
  const { startEmbedded } = await import('../../local/embedded.js');
  app = await startEmbedded({ dataDir, retryIntervalMs: 0 });
  cli = await import('../../cli/run.js');
  probe = (await import('../../lambdas/shared/media/probe.js')).probeMedia;
  findTerms = (await import('../../lambdas/copywriter/domain/compliance.js')).findRestrictedTerms;
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

const request = () => ({
  ...cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
  target_duration_seconds: 15,
});

async function pending(campaignId: string) {
  const { approvals } = await cli.api<{
    approvals: { approval_id: string; checkpoint: string; campaign_id: string }[];
  }>(app.runtime.info.apiUrl, 'GET', '/operator/approvals');
  return approvals.filter((a) => a.campaign_id === campaignId);
}

async function nextApproval(campaignId: string, checkpoint: string) {
  for (let i = 0; i < 600; i++) {
    const found = (await pending(campaignId)).find((a) => a.checkpoint === checkpoint);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${checkpoint} approval appeared`);
}

/** Ingests the brand and starts a campaign that waits for human decisions. */
async function startManualCampaign() {
  const base = app.runtime.info.apiUrl;
  await cli.api(base, 'POST', '/brands', brandText, 'text/markdown');
  return cli.api<{ campaign_id: string; execution_arn: string }>(base, 'POST', '/campaigns', {
    campaign_request: request(),
  });
}

/** Approves whatever is asked next (a gate may add a review) until the campaign execution ends. */
async function approveUntilDone(campaign: { campaign_id: string; execution_arn: string }) {
  let finished = false;
  const waiting = app.runtime.runner.waitForExecution(campaign.execution_arn).finally(() => {
    finished = true;
  });
  const decided: string[] = [];
  while (!finished) {
    for (const a of await pending(campaign.campaign_id)) {
      await cli.api(app.runtime.info.apiUrl, 'POST', `/operator/approvals/${a.approval_id}/decision`, {
        decision: 'approve',
        decided_by: 'brand-manager',
      });
      decided.push(a.checkpoint);
    }
    await Promise.race([waiting, new Promise((r) => setTimeout(r, 100))]);
  }
  return { decided, done: await waiting };
}

describe('a campaign on the embedded default', () => {
  let result: RunResult;

  beforeAll(async () => {
    result = await cli.runCampaign(app, {
      brandText,
      request: request(),
      autoApprove: true,
      out: path.join(dataDir, 'out-auto'),
    });
  }, 180_000);

  it('is published', () => {
    expect(result.failure).toBeUndefined();
    expect(result.status).toBe('published');
  });

  it('writes a master video as long as the script, with picture and sound', async () => {
    const script = JSON.parse(readFileSync(result.script as string, 'utf8')) as {
      total_duration_seconds: number;
      scenes: { duration_seconds: number }[];
    };
    expect(script.scenes.every((s) => s.duration_seconds >= 3 && s.duration_seconds <= 5)).toBe(true);
    const info = await probe(result.master_video as string);
    expect(Math.abs(info.durationSeconds - script.total_duration_seconds)).toBeLessThanOrEqual(0.5);
    expect(info.video).toMatchObject({ width: 180, height: 320, codec: 'h264' });
    expect(info.audio?.codec).toBe('aac');
  });

  it('renders each platform at its aspect ratio with audio, and a thumbnail each', async () => {
    const sizes: Record<string, [number, number]> = {
      tiktok: [270, 480],
      instagram: [270, 480],
      youtube: [480, 270],
      linkedin: [270, 270],
    };
    expect(Object.keys(result.renditions).sort()).toEqual(Object.keys(sizes).sort());
    for (const [platform, [w, h]] of Object.entries(sizes)) {
      const info = await probe(result.renditions[platform] as string);
      expect(info.video, platform).toMatchObject({ width: w, height: h });
      expect(info.audio, platform).toBeDefined();
      expect(info.durationSeconds).toBeGreaterThanOrEqual(14.5);
      const thumb = await probe(result.thumbnails[platform] as string);
      expect(thumb.video, `${platform} thumbnail`).toMatchObject({ width: w, height: h });
    }
  });

  it('delivers the master and every rendition at −14 LUFS integrated (±1) with true peak ≤ −1 dBTP', async () => {
    const { DELIVERY_LOUDNESS, measureDeliverable } = await import('../../lambdas/shared/media/loudness.js');
    const deliverables = { master: result.master_video as string, ...result.renditions };
    expect(Object.keys(deliverables)).toHaveLength(5);
    for (const [name, file] of Object.entries(deliverables)) {
      const m = await measureDeliverable(file);
      expect(Math.abs(m.integratedLufs - DELIVERY_LOUDNESS.integratedLufs), name).toBeLessThanOrEqual(
        DELIVERY_LOUDNESS.toleranceLu,
      );
      expect(m.truePeakDbtp, name).toBeLessThanOrEqual(DELIVERY_LOUDNESS.truePeakDbtp);
    }
  });

  it('records which model made which seconds, on the video asset, in the MP4s and on each post record', async () => {
    const { videos, workDocs } = await import('../../lambdas/shared/data/repositories.js');
    const { readProvenance } = await import('../../lambdas/shared/media/provenance.js');
    const { Formatted } = await import('../../lambdas/broadcaster/context.js');
    const [video] = await videos.list(result.campaign_id);
    const script = JSON.parse(readFileSync(result.script as string, 'utf8')) as {
      total_duration_seconds: number;
      scenes: { scene_id: string }[];
    };
    expect(video?.provenance.map((p) => p.scene_id)).toEqual(script.scenes.map((s) => s.scene_id));
    expect(video?.provenance[0]?.start_seconds).toBe(0);
    expect(video?.provenance.at(-1)?.end_seconds).toBe(script.total_duration_seconds);
    // The offline stand-in draws its scenes with ffmpeg: provenance says so, and nothing claims AI.
    expect(video?.provenance.every((p) => p.provider === 'offline' && !p.ai_generated)).toBe(true);
    for (const file of [result.master_video as string, ...Object.values(result.renditions)])
      expect(await readProvenance(file), file).toEqual({
        ai_generated: false,
        provenance: video?.provenance,
      });
    const publication = (
      await (
        await import('../../lambdas/campaign-manager/domain/campaign-view.js')
      ).campaignView(result.campaign_id)
    ).publications[0];
    for (const platform of ['tiktok', 'instagram', 'youtube', 'linkedin']) {
      const f = await workDocs.get(
        result.campaign_id,
        'formatted',
        `${publication?.publication_id}:${platform}`,
        Formatted,
      );
      expect(f.ai_generated, platform).toBe(false);
      expect(f.provenance_summary, platform).toContain('(offline)');
    }
  });

  it("burns each platform's captions inside its safe zone", async () => {
    const { videos, workDocs } = await import('../../lambdas/shared/data/repositories.js');
    const { S3BlobStore, keyOf } = await import('../../lambdas/shared/data/blob-store.js');
    const { Formatted } = await import('../../lambdas/broadcaster/context.js');
    const { PLATFORM_SPECS } = await import('../../lambdas/broadcaster/domain/platforms.js');
    const { renderRenditions } = await import('../../lambdas/shared/media/renditions.js');
    const { runFfmpeg } = await import('../../lambdas/shared/media/tools.js');
    const bucket = new S3BlobStore(process.env.BUCKET_NAME as string);
    const [video] = await videos.list(result.campaign_id);
    const work = mkdtempSync(path.join(tmpdir(), 'bie-e2e-captions-'));
    const clean = await bucket.download(
      keyOf(video?.clean_master_mp4_url as string),
      path.join(work, 'clean.mp4'),
    );
    const { campaignView } = await import('../../lambdas/campaign-manager/domain/campaign-view.js');
    const publicationId = (await campaignView(result.campaign_id)).publications[0]?.publication_id;
    const scale = Number(process.env.BIE_RENDITION_SCALE);
    for (const platform of ['tiktok', 'instagram', 'youtube', 'linkedin'] as const) {
      const file = result.renditions[platform] as string;
      const { width: W, height: H } = (await probe(file)).video as { width: number; height: number };
      // The same rendition without captions: where the two differ is where the captions are.
      const [bare] = await renderRenditions({
        masterPath: clean,
        targets: [{ outPath: path.join(work, `${platform}.mp4`), width: W, height: H }],
      });
      const f = await workDocs.get(
        result.campaign_id,
        'formatted',
        `${publicationId}:${platform}`,
        Formatted,
      );
      const vtt = new TextDecoder().decode(await bucket.get(f.captions_key));
      const [, a, b] = vtt.match(/(\d\d:\d\d:[\d.]+) --> (\d\d:\d\d:[\d.]+)/) ?? [];
      const sec = (t = '') => t.split(':').reduce((acc, v) => acc * 60 + Number(v), 0);
      const at = ((sec(a) + sec(b)) / 2).toFixed(3);
      const { stderr } = await runFfmpeg(
        [
          ...['-ss', at, '-i', file, '-ss', at, '-i', bare?.outPath as string],
          '-filter_complex',
          "[0:v][1:v]blend=all_mode=difference,format=gray,lutyuv=y='if(gt(val,48),255,0)',bbox=min_val=128",
          ...['-frames:v', '1', '-f', 'null', '-'],
        ],
        { logLevel: 'info' },
      );
      const box = stderr.match(/x1:(\d+) x2:(\d+) y1:(\d+) y2:(\d+)/);
      expect(box, `${platform}: captions drawn at ${at} s`).not.toBeNull();
      const [x1, x2, , y2] = (box ?? []).slice(1).map(Number) as [number, number, number, number];
      const zone = PLATFORM_SPECS[platform].safe_zone;
      const slack = 2; // outline pixels around the glyphs
      expect(x1, `${platform} left`).toBeGreaterThanOrEqual(Math.round(zone.left * scale) - slack);
      expect(x2, `${platform} right`).toBeLessThanOrEqual(W - Math.round(zone.right * scale) + slack);
      expect(y2, `${platform} bottom`).toBeLessThanOrEqual(H - Math.round(zone.bottom * scale) + slack);
    }
  });

  it('keeps the brief, the script, four decided approvals, the ledger, the assets and the publication', async () => {
    const { campaignView } = await import('../../lambdas/campaign-manager/domain/campaign-view.js');
    const view = await campaignView(result.campaign_id);
    expect(view.briefs).toHaveLength(1);
    expect(view.briefs[0]?.brand_guidelines_ref.color_palette).toEqual([
      '#2B1B17',
      '#C8A27A',
      '#F4EDE4',
      '#6B8F71',
      '#9CC5D9',
    ]);
    expect(view.scripts).toHaveLength(1);
    expect(view.scripts[0]?.hook.variations_generated).toBeGreaterThanOrEqual(50);
    const decided = view.approvals.filter((a) =>
      ['brief', 'script', 'video', 'publication'].includes(a.checkpoint),
    );
    expect(decided.map((a) => a.checkpoint).sort()).toEqual(['brief', 'publication', 'script', 'video']);
    expect(decided.every((a) => a.status === 'approved')).toBe(true);
    const pillars = new Set(view.ledger.entries.map((e) => e.pillar));
    expect([...pillars].sort()).toEqual(['broadcaster', 'copywriter', 'production', 'strategist']);
    expect(view.ledger.entries.filter((e) => e.pillar === 'production' && e.unit === 'seconds')).toHaveLength(
      view.scripts[0]?.scenes.length ?? -1,
    );
    expect(view.ledger.total_usd).toBe(0);
    expect(view.ledger.total_list_price_usd).toBeGreaterThan(0);
    expect(new Set(view.assets.map((a) => a.asset_type))).toEqual(
      new Set(['brief', 'script', 'video', 'audio', 'publication']),
    );
    expect(view.publications[0]?.platform_posts.map((p) => p.platform).sort()).toEqual([
      'instagram',
      'linkedin',
      'tiktok',
      'youtube',
    ]);
  });

  it('never lets a restricted term of the brand bible into any text it writes', () => {
    const terms = [
      'cheap',
      'energy drink',
      'caffeine crash',
      'guaranteed',
      'jitters',
      'best coffee in the world',
    ];
    const texts: [string, string][] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, f.name);
        if (f.isDirectory()) walk(p);
        else if (/\.(json|vtt|srt|txt)$/.test(f.name)) texts.push([p, readFileSync(p, 'utf8')]);
      }
    };
    walk(path.join(dataDir, 'out-auto'));
    walk(result.outbox);
    expect(texts.length).toBeGreaterThan(10);
    const offending = texts
      .map(([file, text]) => {
        // The brief keeps the restricted list itself (brand_guidelines_ref); that is the rule, not copy.
        const copy = file.endsWith('brief.json')
          ? text.replace(/"restricted_keywords": \[[^\]]*\]/g, '')
          : text;
        return [file, findTerms(copy, terms)] as const;
      })
      .filter(([, found]) => found.length);
    expect(offending).toEqual([]);
  });

  it('published each post once to the outbox in the media bucket, and copied it for the user', async () => {
    const { campaignView } = await import('../../lambdas/campaign-manager/domain/campaign-view.js');
    const { S3BlobStore } = await import('../../lambdas/shared/data/blob-store.js');
    const bucket = new S3BlobStore(process.env.BUCKET_NAME as string);
    const posts = (await campaignView(result.campaign_id)).publications[0]?.platform_posts ?? [];
    expect(posts.map((p) => p.platform).sort()).toEqual(['instagram', 'linkedin', 'tiktok', 'youtube']);
    for (const { platform, post_id } of posts) {
      const stored = JSON.parse(
        new TextDecoder().decode(await bucket.get(`outbox/${platform}/${post_id}/post.json`)),
      ) as { post_id: string; video: string; thumbnail: string };
      expect(stored.post_id, platform).toBe(post_id);
      expect(await bucket.exists(`outbox/${platform}/${post_id}/${stored.video}`), platform).toBe(true);
      expect(await bucket.exists(`outbox/${platform}/${post_id}/${stored.thumbnail}`), platform).toBe(true);
      expect(readdirSync(path.join(result.outbox, platform)), platform).toEqual([post_id]);
      expect(readdirSync(path.join(result.outbox, platform, post_id)).sort()).toEqual(
        ['post.json', stored.thumbnail, stored.video].sort(),
      );
    }
  });

  it('rendered every scene in the renderer function, into the provider prefix of the bucket', async () => {
    const { renderJobs } = await import('../../lambdas/shared/data/repositories.js');
    const { S3BlobStore } = await import('../../lambdas/shared/data/blob-store.js');
    const bucket = new S3BlobStore(process.env.BUCKET_NAME as string);
    const jobs = (await renderJobs.list(result.campaign_id)).filter((j) => j.status === 'completed');
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      expect(job.provider_job_id).toMatch(/^offrender_/);
      expect(await bucket.exists(`provider-renders/offline/${job.provider_job_id}.mp4`)).toBe(true);
    }
  });

  it('finishes every render through the signed webhook, not the poller', () => {
    const dir = path.join(dataDir, 's3', 'bie-media', 'provider-renders', 'offline');
    const statuses = readdirSync(dir)
      .filter((f) => f.endsWith('.json._S3rver_object'))
      .map(
        (f) =>
          JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as {
            webhook?: { delivered?: boolean; last_status?: number };
          },
      );
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((st) => !st.webhook?.delivered)).toEqual([]);
  });

  it('puts its lifecycle events on the bus, each valid against its documented schema', () => {
    const mine = app.emulators.events
      .events()
      .filter((e) => (e.detail as { campaign_id?: string }).campaign_id === result.campaign_id);
    for (const e of mine) {
      expect(e.source).toBe(EVENT_SOURCE);
      const schema = LIFECYCLE_EVENTS[e['detail-type'] as LifecycleEventType];
      expect(schema, e['detail-type']).toBeDefined();
      expect(schema.safeParse(e.detail).success, e['detail-type']).toBe(true);
    }
    const types = mine.map((e) => e['detail-type']);
    expect(types[0]).toBe('Campaign Started');
    expect(types).toContain('Variant Ready');
    expect(types.at(-1)).toBe('Campaign Published');
    expect(types.filter((t) => t === 'Campaign Published')).toHaveLength(1);
  });
});

describe('human checkpoints', () => {
  it('stop until decided, and a rejection regenerates the brief with the feedback', async () => {
    const base = app.runtime.info.apiUrl;
    const campaign = await startManualCampaign();
    const first = await nextApproval(campaign.campaign_id, 'brief');
    const rejected = await cli.api<{ status: string; resumed: boolean }>(
      base,
      'POST',
      `/operator/approvals/${first.approval_id}/decision`,
      { decision: 'reject', feedback: 'mention the oat milk option', decided_by: 'brand-manager' },
    );
    expect(rejected).toMatchObject({ status: 'rejected', resumed: true });
    const second = await nextApproval(campaign.campaign_id, 'brief');
    expect(second.approval_id).not.toBe(first.approval_id);
    const again = await fetch(`${base}/operator/approvals/${first.approval_id}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(again.status).toBe(409);
    // Approve whatever is asked next (a gate may add a review) until the campaign finishes.
    const { decided, done } = await approveUntilDone(campaign);
    expect(decided).toEqual(expect.arrayContaining(['brief', 'script', 'video', 'publication']));
    expect((await done).status).toBe('SUCCEEDED');
    const { campaignView } = await import('../../lambdas/campaign-manager/domain/campaign-view.js');
    const view = await campaignView(campaign.campaign_id);
    expect(view.briefs).toHaveLength(2);
    const revised = view.briefs.find((b) => b.feedback_applied);
    expect(revised?.feedback_applied).toBe('mention the oat milk option');
    expect(revised?.core_message.value_proposition).toContain('oat milk option');
    const mails = readdirSync(app.emulators.mailboxDir).filter((f) => f.endsWith('.eml'));
    expect(mails.length).toBeGreaterThanOrEqual(5);
  }, 180_000);
});

describe('POST /campaigns', () => {
  it('answers invalid input with problem+json naming every bad field, and creates nothing', async () => {
    const base = app.runtime.info.apiUrl;
    const { campaigns } = await import('../../lambdas/shared/data/repositories.js');
    const before =
      (await campaigns.listByStatus('in_production')).length +
      (await campaigns.listByStatus('published')).length;
    const bad = JSON.parse(readFileSync(path.join(ROOT, 'examples/requests/invalid-request.json'), 'utf8'));
    const res = await fetch(`${base}/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(bad),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((e) => e.pointer).sort()).toEqual([
      'campaign_request.brand_id',
      'campaign_request.budget_tier',
      'campaign_request.campaign_objective',
      'campaign_request.product_category',
      'campaign_request.target_duration_seconds',
    ]);
    const after =
      (await campaigns.listByStatus('in_production')).length +
      (await campaigns.listByStatus('published')).length;
    expect(after).toBe(before);
  });

  it('answers an unknown brand with 422 on campaign_request.brand_id', async () => {
    const res = await fetch(`${app.runtime.info.apiUrl}/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        campaign_request: { ...request(), brand_id: '00000000-0000-4000-8000-000000000000' },
      }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe(
      'campaign_request.brand_id',
    );
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await fetch(`${app.runtime.info.apiUrl}/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"campaign_request": ',
    });
    expect(res.status).toBe(400);
  });
});

describe('a campaign with two variants', () => {
  it('produces, approves and publishes each variant in the Map', async () => {
    const result = await cli.runCampaign(app, {
      brandText,
      request: { ...request(), variants: ['humorous', 'educational'] },
      autoApprove: true,
      out: path.join(dataDir, 'out-variants'),
    });
    expect(result.status).toBe('published');
    expect(result.variants.map((v) => v.variant_type).sort()).toEqual(['educational', 'humorous']);
    for (const v of result.variants) {
      expect(Object.keys(v.renditions as object).sort()).toEqual([
        'instagram',
        'linkedin',
        'tiktok',
        'youtube',
      ]);
      const info = await probe(v.master_video as string);
      expect(info.audio).toBeDefined();
    }
    const scripts = result.variants.map(
      (v) =>
        JSON.parse(readFileSync(v.script as string, 'utf8')) as {
          variant_tag: string;
          voiceover_full_text: string;
        },
    );
    expect(scripts.map((s) => s.variant_tag).sort()).toEqual(['educational', 'humorous']);
    expect(scripts[0]?.voiceover_full_text).not.toBe(scripts[1]?.voiceover_full_text);
    const counts: Record<string, number> = {};
    for (const a of result.approvals) counts[a.checkpoint] = (counts[a.checkpoint] ?? 0) + 1;
    expect(counts).toMatchObject({ brief: 1, script: 2, video: 2, publication: 2 });
  }, 240_000);
});
