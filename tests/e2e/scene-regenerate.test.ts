import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_PROFILES } from '../../lambdas/shared/config/index.js';
import type { RenderJob } from '../../lambdas/shared/contracts/index.js';
import type { Embedded } from '../../local/embedded.js';
import { type PendingApproval, nextApproval as waitForApproval } from '../support/approvals.js';

// The video approval sends one named scene back: only that scene renders again, the master is rebuilt.
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-e2e-scenes-'));
Object.assign(process.env, MEDIA_PROFILES.preview);
const ROOT = path.resolve(import.meta.dirname, '../..');
const brandText = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');

let app: Embedded;
let base: string;
let cli: typeof import('../../cli/run.js');
let repos: typeof import('../../lambdas/shared/data/repositories.js');
let ledger: typeof import('../../lambdas/shared/data/ledger.js');

beforeAll(async () => {
  const { startEmbedded } = await import('../../local/embedded.js');
  app = await startEmbedded({ dataDir, retryIntervalMs: 0 });
  base = app.runtime.info.apiUrl;
  cli = await import('../../cli/run.js');
  repos = await import('../../lambdas/shared/data/repositories.js');
  ledger = await import('../../lambdas/shared/data/ledger.js');
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

type Pending = PendingApproval;
const nextApproval = (campaignId: string, checkpoint: string, not: string[] = []) =>
  waitForApproval(base, campaignId, checkpoint, not);

const decide = (id: string, body: unknown) =>
  fetch(`${base}/operator/approvals/${id}/decision`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const renderCharges = async (campaignId: string) =>
  (await ledger.ledgerEntries(campaignId)).filter((e) => e.description.startsWith('scene render'));

describe('a video approval that rejects one scene', () => {
  let campaign: { campaign_id: string; execution_arn: string };
  let first: Pending;
  let rejectedScene: string;
  let jobsBefore: RenderJob[];
  let chargesBefore: number;
  let second: Pending;

  beforeAll(async () => {
    await cli.api(base, 'POST', '/brands', brandText, 'text/markdown');
    campaign = await cli.api(base, 'POST', '/campaigns', {
      campaign_request: {
        ...cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
        target_duration_seconds: 15,
      },
    });
    for (const checkpoint of ['brief', 'script']) {
      const a = await nextApproval(campaign.campaign_id, checkpoint);
      expect((await decide(a.approval_id, { decision: 'approve' })).status).toBe(200);
    }
    first = await nextApproval(campaign.campaign_id, 'video');
    const video = await repos.videos.get(campaign.campaign_id, first.subject_id);
    rejectedScene = video.scene_clips[1]?.scene_id as string;
    jobsBefore = await repos.renderJobs.list(campaign.campaign_id);
    chargesBefore = (await renderCharges(campaign.campaign_id)).length;
  }, 240_000);

  it('lists every scene of the video by id for the reviewer, with its clip', async () => {
    expect(first.summary).toContain(`- scene 2 (${rejectedScene}):`);
    const view = await cli.api<{ media_links: { label: string }[] }>(
      base,
      'GET',
      `/operator/approvals/${first.approval_id}`,
    );
    expect(view.media_links.map((m) => m.label)).toContain('Scene 2 clip');
  });

  it('refuses a scene that is not in the video with a field-level error and changes nothing', async () => {
    const res = await decide(first.approval_id, {
      decision: 'reject',
      scenes: [{ scene_id: '00000000-0000-4000-8000-00000000dead', feedback: 'which scene?' }],
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors?: { pointer: string }[] };
    expect(problem.errors?.map((e) => e.pointer)).toEqual(['scenes.0.scene_id']);
    expect((await repos.approvals.get(first.approval_id))?.status).toBe('pending');
  });

  it('renders exactly that scene again with the feedback, reuses the others and rebuilds the master', async () => {
    // Act
    const res = await decide(first.approval_id, {
      decision: 'reject',
      decided_by: 'brand-manager',
      scenes: [{ scene_id: rejectedScene, feedback: 'show the can in close-up' }],
    });
    expect(res.status).toBe(200);
    second = await nextApproval(campaign.campaign_id, 'video', [first.approval_id]);

    // Assess: one new job, for that scene, with the feedback in its prompt; every earlier job as it was.
    const jobsAfter = await repos.renderJobs.list(campaign.campaign_id);
    const before = new Map(jobsBefore.map((j) => [j.job_id, j]));
    const added = jobsAfter.filter((j) => !before.has(j.job_id));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ scene_id: rejectedScene, status: 'completed' });
    expect(added[0]?.prompt).toMatch(/Revision requested by the reviewer: show the can in close-up$/);
    for (const job of jobsAfter.filter((j) => before.has(j.job_id)))
      expect(job).toEqual(before.get(job.job_id));
    expect((await renderCharges(campaign.campaign_id)).length).toBe(chargesBefore + 1);

    const oldVideo = await repos.videos.get(campaign.campaign_id, first.subject_id);
    const newVideo = await repos.videos.get(campaign.campaign_id, second.subject_id);
    expect(newVideo.video_id).not.toBe(oldVideo.video_id);
    expect(newVideo.master_mp4_url).not.toBe(oldVideo.master_mp4_url);
    const jobOf = (v: typeof oldVideo) =>
      new Map(v.scene_clips.map((c) => [c.scene_id, c.generation_job_id]));
    const [was, now] = [jobOf(oldVideo), jobOf(newVideo)];
    for (const [sceneId, jobId] of now) {
      if (sceneId === rejectedScene) expect([added[0]?.job_id, added[0]?.provider_job_id]).toContain(jobId);
      else expect(jobId).toBe(was.get(sceneId));
    }
    const approval = await repos.approvals.get(first.approval_id);
    expect(approval).toMatchObject({
      status: 'rejected',
      scenes: [{ scene_id: rejectedScene, feedback: 'show the can in close-up' }],
    });
  }, 240_000);

  it('goes on to publish once the new video is approved', async () => {
    expect((await decide(second.approval_id, { decision: 'approve' })).status).toBe(200);
    const publication = await nextApproval(campaign.campaign_id, 'publication');
    expect((await decide(publication.approval_id, { decision: 'approve' })).status).toBe(200);
    const done = await app.runtime.runner.waitForExecution(campaign.execution_arn);
    expect(done.status).toBe('SUCCEEDED');
  }, 240_000);
});
