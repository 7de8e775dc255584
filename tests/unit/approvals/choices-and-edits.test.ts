import { describe, expect, it } from 'vitest';
import {
  type ApprovalDeps,
  type ApprovalRequest,
  decideApproval,
  requestApproval,
} from '../../../lambdas/approvals/domain/approvals.js';
import { checkCopyEdits } from '../../../lambdas/shared/brand-safety/human-edits.js';
import type { Approval, ApprovalOutcome, CopyEdits } from '../../../lambdas/shared/contracts/index.js';
import { ValidationError } from '../../../lambdas/shared/errors.js';

const TERMS = ['slow', 'cheap'];
const HOOKS = [
  { hook_id: '00000000-0000-4000-8000-0000000000a1', text: 'Best of the set', quality_score: 0.7 },
  { hook_id: '00000000-0000-4000-8000-0000000000a2', text: 'Second of the set', quality_score: 0.68 },
  { hook_id: '00000000-0000-4000-8000-0000000000a3', text: 'Third of the set', quality_score: 0.66 },
];

/** Decide-once in memory, the outcomes handed to the state machine, and the edits applied. */
function setup() {
  const all = new Map<string, Approval>();
  const outcomes: (ApprovalOutcome | string)[] = [];
  const applied: CopyEdits[] = [];
  const deps: ApprovalDeps = {
    store: {
      get: async (id) => structuredClone(all.get(id)),
      create: async (a) => !all.has(a.approval_id) && Boolean(all.set(a.approval_id, structuredClone(a))),
      setToken: async () => {},
      decide: async (a, d) => {
        const next = { ...(all.get(a.approval_id) as Approval), ...d };
        all.set(a.approval_id, next);
        return structuredClone(next);
      },
    },
    media: { presign: async (key) => `https://example.com/${key}` },
    callbacks: {
      success: async (_t, output) => void outcomes.push(output as ApprovalOutcome),
      failure: async (_t, error) => void outcomes.push(error),
      heartbeat: async () => {},
    },
    secret: 'unit-test-link-key-0123456789abcdef',
    baseUrl: 'https://api.example.com',
    audit: async () => {},
    edits: {
      check: async (_a, edits) => checkCopyEdits(edits, TERMS),
      apply: async (_a, edits) => void applied.push(edits),
    },
  };
  return { deps, all, outcomes, applied };
}

const request = (over: Partial<ApprovalRequest>): ApprovalRequest => ({
  execution: 'exec-1',
  state: 'HookReview',
  token: 'token-1',
  campaign_id: '00000000-0000-4000-8000-000000000001',
  variant_id: '00000000-0000-4000-8000-000000000002',
  checkpoint: 'hook_review',
  subject_id: 'hookset-1',
  attempt: 1,
  summary: 'Hook review: below the 0.75 quality gate',
  approver_email: 'cmo@agency.example',
  auto_approve: false,
  ...over,
});

const decide = (deps: ApprovalDeps, a: Approval, over: Partial<Parameters<typeof decideApproval>[1]>) =>
  decideApproval(deps, {
    approval_id: a.approval_id,
    decision: 'approve',
    decided_by: 'cmo',
    authority: { via: 'operator' },
    ...over,
  });

describe('a hook review', () => {
  it('offers the top 3 hooks and hands the chosen one to the script', async () => {
    const { deps, outcomes } = setup();
    const { approval } = await requestApproval(deps, request({ choices: HOOKS }));
    expect(approval.choices?.map((c) => c.text)).toEqual(HOOKS.map((h) => h.text));
    const { approval: decided } = await decide(deps, approval, { chosen_hook_id: HOOKS[1]?.hook_id });
    expect(decided.chosen_hook_id).toBe(HOOKS[1]?.hook_id);
    expect(outcomes).toEqual([
      expect.objectContaining({ decision: 'approve', chosen_hook_id: HOOKS[1]?.hook_id }),
    ]);
  });

  it('takes the best hook when approved without a choice (also by the auto-approve policy)', async () => {
    const { deps, outcomes } = setup();
    await requestApproval(deps, request({ choices: HOOKS, auto_approve: true }));
    expect(outcomes).toEqual([expect.objectContaining({ chosen_hook_id: HOOKS[0]?.hook_id })]);
  });

  it('refuses a hook that was not offered, with a field-level error, and decides nothing', async () => {
    const { deps, all } = setup();
    const { approval } = await requestApproval(deps, request({ choices: HOOKS }));
    const attempt = decide(deps, approval, { chosen_hook_id: '00000000-0000-4000-8000-0000000000ff' });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ issues: [{ path: 'chosen_hook_id' }] });
    expect(all.get(approval.approval_id)?.status).toBe('pending');
  });

  it('refuses a hook choice at a checkpoint that offers none', async () => {
    const { deps } = setup();
    const { approval } = await requestApproval(deps, request({ checkpoint: 'video', state: 'ApproveVideo' }));
    await expect(decide(deps, approval, { chosen_hook_id: HOOKS[0]?.hook_id })).rejects.toMatchObject({
      issues: [{ path: 'chosen_hook_id', message: expect.stringMatching(/offers no hooks/) }],
    });
  });
});

describe('human edits of captions and hashtags at the publication checkpoint', () => {
  const publication = () =>
    request({ checkpoint: 'publication', state: 'ApprovePublication', subject_id: 'pub-1' });

  it('are applied when clean', async () => {
    const { deps, applied } = setup();
    const { approval } = await requestApproval(deps, publication());
    const edits = { tiktok: { caption: 'Made by hand, one bowl at a time.', hashtags: ['#WheelNight'] } };
    await decide(deps, approval, { edits });
    expect(applied).toEqual([edits]);
  });

  it('go through the same restricted-term check, naming the field, the term, the form and the rule', async () => {
    const { deps, applied, all } = setup();
    const { approval } = await requestApproval(deps, publication());
    const attempt = decide(deps, approval, {
      edits: { tiktok: { caption: 'Our sl0west night yet.', hashtags: ['#CheapThrills', '#slowmade'] } },
    });
    await expect(attempt).rejects.toMatchObject({
      issues: [
        { path: 'edits.tiktok.caption', message: 'restricted term "slow" as "sl0west" (obfuscation) at 4' },
        { path: 'edits.tiktok.hashtags.0', message: expect.stringContaining('"cheap"') },
        { path: 'edits.tiktok.hashtags.1', message: expect.stringContaining('"slow"') },
      ],
    });
    expect(applied).toEqual([]);
    expect(all.get(approval.approval_id)?.status).toBe('pending');
  });

  it('are refused at another checkpoint', async () => {
    const { deps } = setup();
    const { approval } = await requestApproval(
      deps,
      request({ checkpoint: 'script', state: 'ApproveScript' }),
    );
    await expect(
      decide(deps, approval, { edits: { tiktok: { caption: 'Hello there.' } } }),
    ).rejects.toMatchObject({
      issues: [{ path: 'edits' }],
    });
  });
});
