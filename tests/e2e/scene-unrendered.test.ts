import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InputError } from '../../cli/run.js';
import { MAX_QUALITY_REWORKS } from '../../lambdas/production/domain/scene-rework.js';
import { MEDIA_PROFILES } from '../../lambdas/shared/config/index.js';
import type { RenderJob, ReviewView, Scene } from '../../lambdas/shared/contracts/index.js';
import type { Embedded } from '../../local/embedded.js';
import { FakeFal } from '../contract/fakes/fal-server.js';
import { type PendingApproval, nextApproval as waitForApproval } from '../support/approvals.js';

// A scene no fal model will render (a content checker flags its prompt on every model of its chain):
// the campaign does not fail; the video waits for a human with that scene named and why, and a slate
// holds its seconds; approving is refused; sending that scene back with feedback renders only it, and
// the campaign is then approved and published without a slate anywhere.
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-e2e-unrendered-'));
const ROOT = path.resolve(import.meta.dirname, '../..');
const brandText = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');
const fal = new FakeFal();

let app: Embedded;
let base: string;
let cli: typeof import('../../cli/run.js');
let repos: typeof import('../../lambdas/shared/data/repositories.js');
let blobs: typeof import('../../lambdas/shared/services.js').blobs;
let readProvenance: typeof import('../../lambdas/shared/media/provenance.js').readProvenance;
let ledger: typeof import('../../lambdas/shared/data/ledger.js');

beforeAll(async () => {
  await fal.start();
  Object.assign(process.env, MEDIA_PROFILES.preview, fal.environment());
  const { startEmbedded } = await import('../../local/embedded.js');
  app = await startEmbedded({ dataDir, retryIntervalMs: 0 });
  base = app.runtime.info.apiUrl;
  cli = await import('../../cli/run.js');
  repos = await import('../../lambdas/shared/data/repositories.js');
  blobs = (await import('../../lambdas/shared/services.js')).blobs;
  readProvenance = (await import('../../lambdas/shared/media/provenance.js')).readProvenance;
  ledger = await import('../../lambdas/shared/data/ledger.js');
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await fal.stop();
  for (const k of Object.keys(fal.environment())) delete process.env[k];
});

type Pending = PendingApproval;
const nextApproval = (campaignId: string, checkpoint: string, not: string[] = []) =>
  waitForApproval(base, campaignId, checkpoint, not);

const approve = (id: string) =>
  cli.api(base, 'POST', `/operator/approvals/${id}/decision`, { decision: 'approve' });
const isImageModel = (model: string) => /seedream\/v4\/text-to-image|nano-banana/.test(model);
const videoRequests = () => fal.requests.filter((r) => !isImageModel(r.model));
const renderCharges = async (campaignId: string) =>
  (await ledger.ledgerEntries(campaignId)).filter((e) => e.description.startsWith('scene render'));

describe('a scene no model could render', () => {
  let campaign: { campaign_id: string; execution_arn: string };
  let blocked: Scene;
  let video: Pending;
  let submittedBefore: number;
  let jobsBefore: RenderJob[];

  beforeAll(async () => {
    await cli.api(base, 'POST', '/brands', brandText, 'text/markdown');
    campaign = await cli.api(base, 'POST', '/campaigns', {
      campaign_request: {
        ...cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
        target_duration_seconds: 15,
        target_platforms: ['tiktok'],
      },
    });
    await approve((await nextApproval(campaign.campaign_id, 'brief')).approval_id);
    // Prepare: before the script is approved (and rendering starts), every video model refuses scene 2.
    const script = await nextApproval(campaign.campaign_id, 'script');
    const scenes = (await repos.scripts.list(campaign.campaign_id)).pop()?.scenes ?? [];
    blocked = scenes[1] as Scene;
    const prompt = blocked.visual_prompt.trim();
    expect(scenes.filter((s) => s.visual_prompt.trim().startsWith(prompt))).toHaveLength(1);
    fal.outcomeFor = (model, input) =>
      !isImageModel(model) && String(input.prompt).startsWith(prompt) ? 'refusal' : undefined;
    await approve(script.approval_id);
    video = await nextApproval(campaign.campaign_id, 'video');
    submittedBefore = videoRequests().length;
    jobsBefore = await repos.renderJobs.list(campaign.campaign_id);
  }, 240_000);

  it('does not fail the campaign: it waits at the video review naming the scene and why', async () => {
    expect((await repos.campaigns.get(campaign.campaign_id))?.status).not.toBe('failed');
    expect(video.summary).toContain(
      `- scene 2 (${blocked.scene_id}): no model could render it: veo31_fast (fal): refused:`,
    );
    expect(video.summary).toContain('This video cannot be approved as is');
    // Every model of its chain was tried in each of the rounds (the first render and its reworks).
    const refused = jobsBefore.filter((j) => j.scene_id === blocked.scene_id);
    expect(refused.length).toBe(3 * (1 + MAX_QUALITY_REWORKS));
    for (const j of refused) expect(j).toMatchObject({ status: 'failed', error_kind: 'refused' });

    const review = await cli.api<ReviewView>(base, 'GET', `/dashboard/approvals/${video.approval_id}`);
    const marked = review.video?.scenes.filter((s) => s.unrendered) ?? [];
    expect(marked.map((s) => s.scene_id)).toEqual([blocked.scene_id]);
    expect(marked[0]?.unrendered?.attempts.map((a) => [a.model, a.error_kind])).toEqual([
      ['veo31_fast', 'refused'],
      ['veo3', 'refused'],
      ['kling_i2v', 'refused'],
    ]);
  });

  it('shows a slate of the scene’s length in the master, the voice-over timing kept', async () => {
    const assets = await repos.videos.get(campaign.campaign_id, video.subject_id);
    const script = (await repos.scripts.list(campaign.campaign_id)).pop();
    expect(assets.master_duration_seconds).toBeCloseTo(script?.total_duration_seconds ?? 0, 1);
    const start = (script?.scenes[0]?.duration_seconds ?? 0) as number;
    const slate = assets.provenance.find((p) => p.scene_id === blocked.scene_id);
    expect(slate).toMatchObject({ provider: 'slate', ai_generated: false, start_seconds: start });
    expect(slate?.end_seconds).toBeCloseTo(start + blocked.duration_seconds, 3);
    expect(assets.scene_clips.find((c) => c.scene_id === blocked.scene_id)).toMatchObject({
      provider: 'slate',
      cost_usd: 0,
    });
    // The ledger charged the rendered scenes once each: neither the refused attempts nor the slate.
    const charged = (await renderCharges(campaign.campaign_id)).map((e) => e.description);
    const rendered = jobsBefore
      .filter((j) => j.status === 'completed')
      .map((j) => `scene render ${j.scene_id}`);
    expect(charged.sort()).toEqual(rendered.sort());
    expect(charged).not.toContain(`scene render ${blocked.scene_id}`);
  });

  it('refuses to approve the video with a field-level error and changes nothing', async () => {
    const error = await approve(video.approval_id).catch((e: InputError) => e);
    expect(error).toMatchObject({ status: 422 });
    const issues = (error as InputError).issues;
    expect(issues.map((i) => i.path)).toEqual(['decision']);
    expect(issues[0]?.message).toContain(`scene 2 (${blocked.scene_id}) was not rendered`);
    expect(issues[0]?.message).toContain('reject that scene with feedback');
    expect((await repos.approvals.get(video.approval_id))?.status).toBe('pending');
    expect(await repos.renderJobs.list(campaign.campaign_id)).toEqual(jobsBefore);
  });

  it('renders only that scene again when it is sent back with feedback, and is then published without a slate', async () => {
    // Act: the checker no longer flags it; the reviewer sends scene 2 back.
    fal.outcomeFor = undefined;
    await cli.api(base, 'POST', `/operator/approvals/${video.approval_id}/decision`, {
      decision: 'reject',
      scenes: [{ scene_id: blocked.scene_id, feedback: 'show the can on a cafe table' }],
    });
    const second = await nextApproval(campaign.campaign_id, 'video', [video.approval_id]);

    // Assess: one new provider submission, for scene 2 alone; the new master has no slate.
    const added = videoRequests().slice(submittedBefore);
    expect(added).toHaveLength(1);
    expect(String(added[0]?.input.prompt)).toContain(blocked.visual_prompt.trim());
    expect(String(added[0]?.input.prompt)).toContain('show the can on a cafe table');
    const newJobs = (await repos.renderJobs.list(campaign.campaign_id)).filter(
      (j) => !jobsBefore.some((b) => b.job_id === j.job_id),
    );
    expect(newJobs.map((j) => [j.scene_id, j.status])).toEqual([[blocked.scene_id, 'completed']]);
    const assets = await repos.videos.get(campaign.campaign_id, second.subject_id);
    expect(assets.scene_clips.filter((c) => c.unrendered)).toEqual([]);
    expect(assets.provenance.map((p) => p.provider)).not.toContain('slate');

    await approve(second.approval_id);
    await approve((await nextApproval(campaign.campaign_id, 'publication')).approval_id);
    const done = await app.runtime.runner.waitForExecution(campaign.execution_arn);
    expect(done.status).toBe('SUCCEEDED');
    expect((await repos.campaigns.get(campaign.campaign_id))?.status).toBe('published');
    const posts = (await repos.publications.list(campaign.campaign_id)).flatMap((p) => p.platform_posts);
    expect(posts.length).toBeGreaterThan(0);
    for (const post of posts) {
      const key = post.formatted_video_url.replace(/^s3:\/\/[^/]+\//, '');
      const file = await blobs().download(key, path.join(dataDir, `${post.platform}-rendition.mp4`));
      const provenance = await readProvenance(file);
      expect(provenance?.provenance.length, post.platform).toBeGreaterThan(0);
      expect(provenance?.provenance.map((p) => p.provider)).not.toContain('slate');
    }
  }, 240_000);
});
