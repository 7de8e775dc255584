import { describe, expect, it } from 'vitest';
import {
  decideApproval,
  SCENES_REJECTED,
  type UnrenderedSceneRef,
  unrenderedApprovalIssues,
} from '../../../lambdas/approvals/domain/approvals.js';
import { qualityReview } from '../../../lambdas/approvals/domain/quality-review.js';
import type { Checkpoint } from '../../../lambdas/shared/contracts/index.js';
import { approvalDeps, memoryApprovalStore, requestSubjectApproval } from '../../support/approvals.js';

const CAMPAIGN = '00000000-0000-4000-8000-000000000001';
const VIDEO = '00000000-0000-4000-8000-000000000003';
const SCENE_A = '00000000-0000-4000-8000-00000000000a';
const SCENE_B = '00000000-0000-4000-8000-00000000000b';
const REASON = 'no model could render it: veo31_fast (fal): refused: flagged';

function setup(unrendered: UnrenderedSceneRef[], checkpoint: Checkpoint = 'video') {
  const { store, all, decided } = memoryApprovalStore();
  const resumed: string[] = [];
  const audited: string[] = [];
  const deps = approvalDeps(store, {
    callbacks: {
      success: async () => void resumed.push('success'),
      failure: async (_t, error) => void resumed.push(error),
      heartbeat: async () => {},
    },
    audit: async (_c, action) => void audited.push(action),
    videoScenes: async () => [SCENE_A, SCENE_B],
    unrenderedScenes: async (_c, videoId) => (videoId === VIDEO ? unrendered : []),
  });
  const request = () =>
    requestSubjectApproval(deps, { campaign_id: CAMPAIGN, subject_id: VIDEO, checkpoint });
  return { deps, all, decided, resumed, audited, request };
}

describe('approving a video with a scene no model rendered', () => {
  it('is refused with one field-level issue per scene, telling the reviewer to send it back, and changes nothing', async () => {
    // Prepare
    const t = setup([{ scene_id: SCENE_B, sequence: 2, reason: REASON }]);
    const { approval } = await t.request();
    t.audited.length = 0;

    // Act
    const refusal = await decideApproval(t.deps, {
      approval_id: approval.approval_id,
      decision: 'approve',
      decided_by: 'cmo',
      authority: { via: 'operator' },
    }).catch((e: unknown) => e);

    // Assess
    expect(refusal).toMatchObject({ name: 'UnprocessableError', title: 'Video has unrendered scenes' });
    const issues = (refusal as { issues: { path: string; message: string }[] }).issues;
    expect(issues.map((i) => i.path)).toEqual(['decision']);
    expect(issues[0]?.message).toContain(`scene 2 (${SCENE_B}) was not rendered (${REASON})`);
    expect(issues[0]?.message).toContain(
      `reject that scene with feedback (scenes: [{ scene_id: "${SCENE_B}"`,
    );
    expect(t.all.get(approval.approval_id)?.status).toBe('pending');
    expect([t.decided, t.resumed, t.audited]).toEqual([[], [], []]);
  });

  it('lets the reviewer reject that scene with feedback: only it goes back to render', async () => {
    const t = setup([{ scene_id: SCENE_B, sequence: 2, reason: REASON }]);
    const { approval } = await t.request();
    const { approval: after } = await decideApproval(t.deps, {
      approval_id: approval.approval_id,
      decision: 'reject',
      decided_by: 'cmo',
      scenes: [{ scene_id: SCENE_B, feedback: 'show the can on a table' }],
      authority: { via: 'operator' },
    });
    expect(after.status).toBe('rejected');
    expect(t.resumed).toEqual([SCENES_REJECTED]);
  });

  it('is approved as before when every scene was rendered, and at other checkpoints', async () => {
    const rendered = setup([]);
    const { approval } = await rendered.request();
    await decideApproval(rendered.deps, {
      approval_id: approval.approval_id,
      decision: 'approve',
      decided_by: 'cmo',
      authority: { via: 'operator' },
    });
    expect(rendered.resumed).toEqual(['success']);

    const publication = setup([{ scene_id: SCENE_B, sequence: 2, reason: REASON }], 'publication');
    const pub = await publication.request();
    await decideApproval(publication.deps, {
      approval_id: pub.approval.approval_id,
      decision: 'approve',
      decided_by: 'cmo',
      authority: { via: 'operator' },
    });
    expect(publication.resumed).toEqual(['success']);
  });

  it('names the scenes in their order', () => {
    const issues = unrenderedApprovalIssues([
      { scene_id: SCENE_B, sequence: 3, reason: 'b' },
      { scene_id: SCENE_A, sequence: 1, reason: 'a' },
    ]);
    expect(issues.map((i) => i.message.slice(0, 7))).toEqual(['scene 1', 'scene 3']);
  });
});

describe('the video checkpoint of a video with an unrendered scene', () => {
  it('says first that the scene could not be rendered and that the video cannot be approved as is, and is never auto-approved', () => {
    const review = qualityReview(
      [
        { scene_id: SCENE_A, sequence: 1, issues: ['black for 3.0 s of 4.0 s'] },
        { scene_id: SCENE_B, sequence: 2, issues: [REASON], unrendered: true },
      ],
      true,
    );
    expect(review.autoApprove).toBe(false);
    expect(review.summaryPrefix).toMatch(
      /^NEEDS HUMAN REVIEW: 1 scene\(s\) could not be rendered by any model after two re-renders/,
    );
    expect(review.summaryPrefix).toContain(`- scene 2 (${SCENE_B}): ${REASON}`);
    expect(review.summaryPrefix).toContain('This video cannot be approved as is');
    // The clip-check failure is still listed, without the "approve to ship as is" it would otherwise offer.
    expect(review.summaryPrefix).toContain(`- scene 1 (${SCENE_A}): black for 3.0 s of 4.0 s`);
    expect(review.summaryPrefix).not.toContain('Approve to ship as is');
  });
});
