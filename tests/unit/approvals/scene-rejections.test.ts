import { describe, expect, it } from 'vitest';
import {
  decideApproval,
  SCENES_REJECTED,
  type ScenesRejectedCause,
} from '../../../lambdas/approvals/domain/approvals.js';
import {
  type Approval,
  ApprovalDecisionBody,
  LinkDecisionBody,
} from '../../../lambdas/shared/contracts/index.js';
import { approvalDeps, memoryApprovalStore, requestSubjectApproval } from '../../support/approvals.js';

const CAMPAIGN = '00000000-0000-4000-8000-000000000001';
const VIDEO = '00000000-0000-4000-8000-000000000003';
const SCENE_A = '00000000-0000-4000-8000-00000000000a';
const SCENE_B = '00000000-0000-4000-8000-00000000000b';
const STRANGER = '00000000-0000-4000-8000-0000000000ff';

function setup(checkpoint: Approval['checkpoint'] = 'video') {
  const { store, all } = memoryApprovalStore();
  const failures: { token: string; error: string; cause: string }[] = [];
  const deps = approvalDeps(store, {
    callbacks: {
      success: async () => {},
      failure: async (token, error, cause) => void failures.push({ token, error, cause }),
      heartbeat: async () => {},
    },
    videoScenes: async (_c, videoId) => (videoId === VIDEO ? [SCENE_A, SCENE_B] : []),
  });
  const request = () =>
    requestSubjectApproval(deps, { campaign_id: CAMPAIGN, subject_id: VIDEO, checkpoint });
  /** The operator rejects the approval of this checkpoint with the given feedback and scenes. */
  const reject = (
    approvalId: string,
    over: { feedback?: string; scenes?: { scene_id: string; feedback: string }[] },
  ) =>
    decideApproval(deps, {
      approval_id: approvalId,
      decision: 'reject',
      decided_by: 'cmo',
      ...over,
      authority: { via: 'operator' },
    });
  return { deps, all, failures, request, reject };
}

describe('the decision body', () => {
  it('accepts a rejection that names scenes with their feedback and no overall feedback', () => {
    const body = ApprovalDecisionBody.parse({
      decision: 'reject',
      scenes: [{ scene_id: SCENE_A, feedback: '  make the cup red  ' }],
    });
    expect(body.scenes).toEqual([{ scene_id: SCENE_A, feedback: 'make the cup red' }]);
  });

  it('keeps a whole-video rejection as it was: feedback, no scenes', () => {
    const body = ApprovalDecisionBody.parse({ decision: 'reject', feedback: 'too dark' });
    expect(body).toEqual({ decision: 'reject', feedback: 'too dark', decided_by: 'reviewer' });
  });

  it.each([
    [{ decision: 'reject', scenes: [{ scene_id: SCENE_A, feedback: ' ' }] }, 'scenes.0.feedback'],
    [{ decision: 'reject', scenes: [{ scene_id: 'scene-1', feedback: 'x' }] }, 'scenes.0.scene_id'],
    [{ decision: 'reject', scenes: [] }, 'scenes'],
    [{ decision: 'approve', scenes: [{ scene_id: SCENE_A, feedback: 'x' }] }, 'scenes'],
    [
      {
        decision: 'reject',
        scenes: [
          { scene_id: SCENE_A, feedback: 'x' },
          { scene_id: SCENE_A, feedback: 'y' },
        ],
      },
      'scenes.1.scene_id',
    ],
    [{ decision: 'reject', scenes: [{ scene_id: SCENE_A, feedback: 'x', extra: 1 }] }, 'scenes.0'],
    [{ decision: 'reject' }, 'feedback'],
  ])('refuses %j with an error on %s', (raw, field) => {
    const result = ApprovalDecisionBody.safeParse(raw);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(field);
  });

  it('applies the same rules to the decision a mailed link posts', () => {
    const result = LinkDecisionBody.safeParse({
      decision: 'approve',
      exp: 1,
      sig: 's',
      scenes: [{ scene_id: SCENE_A, feedback: 'x' }],
    });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['scenes']);
  });
});

describe('a video rejection of named scenes', () => {
  it('stores the scenes and resumes the state machine with ScenesRejected naming the video and the scenes', async () => {
    const ctx = setup();
    const { approval } = await ctx.request();
    const out = await ctx.reject(approval.approval_id, {
      feedback: 'almost there',
      scenes: [{ scene_id: SCENE_B, feedback: 'the logo is cut off' }],
    });
    expect(out.approval.scenes).toEqual([{ scene_id: SCENE_B, feedback: 'the logo is cut off' }]);
    expect(ctx.failures).toHaveLength(1);
    expect(ctx.failures[0]?.error).toBe(SCENES_REJECTED);
    const cause = JSON.parse(ctx.failures[0]?.cause ?? '') as ScenesRejectedCause;
    expect(cause).toEqual({
      feedback: 'almost there',
      video_id: VIDEO,
      scenes: [{ scene_id: SCENE_B, feedback: 'the logo is cut off' }],
    });
  });

  it('is handed back the same way when the checkpoint is visited again after a restart', async () => {
    const ctx = setup();
    const { approval } = await ctx.request();
    await ctx.reject(approval.approval_id, {
      scenes: [{ scene_id: SCENE_A, feedback: 'warmer light' }],
    });
    await ctx.request();
    expect(ctx.failures.map((f) => f.error)).toEqual([SCENES_REJECTED, SCENES_REJECTED]);
    expect(ctx.failures[1]?.cause).toBe(ctx.failures[0]?.cause);
  });

  it('refuses a scene that is not in the video, names the field and decides nothing', async () => {
    const ctx = setup();
    const { approval } = await ctx.request();
    await expect(
      ctx.reject(approval.approval_id, {
        scenes: [
          { scene_id: SCENE_A, feedback: 'ok' },
          { scene_id: STRANGER, feedback: 'which?' },
        ],
      }),
    ).rejects.toThrow(/scenes\.1\.scene_id: scene .* is not a scene of video/);
    expect(ctx.all.get(approval.approval_id)?.status).toBe('pending');
    expect(ctx.failures).toEqual([]);
  });

  it('is refused at any other checkpoint than the video', async () => {
    const ctx = setup('script');
    const { approval } = await ctx.request();
    await expect(
      ctx.reject(approval.approval_id, {
        feedback: 'no',
        scenes: [{ scene_id: SCENE_A, feedback: 'x' }],
      }),
    ).rejects.toThrow(/scenes: scenes can be rejected at the video checkpoint, not at script/);
    expect(ctx.all.get(approval.approval_id)?.status).toBe('pending');
  });

  it('without scenes fails with ApprovalRejected and the feedback, as before', async () => {
    const ctx = setup();
    const { approval } = await ctx.request();
    await ctx.reject(approval.approval_id, {
      feedback: 'start over',
    });
    expect(ctx.failures).toEqual([{ token: 'token-1', error: 'ApprovalRejected', cause: 'start over' }]);
  });
});
