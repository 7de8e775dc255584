import {
  type ApprovalDeps,
  type ApprovalStore,
  requestApproval,
} from '../../lambdas/approvals/domain/approvals.js';
import type { Approval, Checkpoint } from '../../lambdas/shared/contracts/index.js';

/** A pending approval as `GET /operator/approvals` lists it. */
export interface PendingApproval {
  approval_id: string;
  checkpoint: string;
  campaign_id: string;
  subject_id: string;
  summary: string;
}

/**
 * Waits (about 3 minutes at most, polling every 100 ms) for a pending approval of a campaign at a checkpoint
 * through the operator API, skipping the approvals named in `not` (earlier visits of the checkpoint).
 */
export async function nextApproval(
  base: string,
  campaignId: string,
  checkpoint: string,
  not: string[] = [],
): Promise<PendingApproval> {
  // Imported when first used: the CLI reads the configuration, which a test sets up before it starts.
  const { api } = await import('../../cli/run.js');
  for (let i = 0; i < 1800; i++) {
    const { approvals } = await api<{ approvals: PendingApproval[] }>(base, 'GET', '/operator/approvals');
    const found = approvals.find(
      (a) => a.campaign_id === campaignId && a.checkpoint === checkpoint && !not.includes(a.approval_id),
    );
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${checkpoint} approval appeared`);
}

/**
 * The approvals table in memory, as the approval domain uses it (unit tests): copies in and out, a
 * create that keeps an existing approval, the decisions in the order they were taken.
 */
export function memoryApprovalStore() {
  const all = new Map<string, Approval>();
  const decided: string[] = [];
  const store: ApprovalStore = {
    get: async (id) => structuredClone(all.get(id)),
    create: async (a) => !all.has(a.approval_id) && Boolean(all.set(a.approval_id, structuredClone(a))),
    setToken: async (a, token) =>
      void all.set(a.approval_id, { ...(all.get(a.approval_id) as Approval), task_token: token }),
    decide: async (a, d) => {
      decided.push(a.approval_id);
      const next = { ...(all.get(a.approval_id) as Approval), ...d };
      all.set(a.approval_id, next);
      return structuredClone(next);
    },
  };
  return { store, all, decided };
}

/** The approval domain's dependencies in a unit test: a fixed link key and URLs, the rest given. */
export function approvalDeps(
  store: ApprovalStore,
  over: Partial<ApprovalDeps> & Pick<ApprovalDeps, 'callbacks'>,
): ApprovalDeps {
  return {
    store,
    media: { presign: async (key) => `https://media.example/${key}` },
    secret: 'unit-test-link-key-0123456789abcdef',
    baseUrl: 'https://api.example.com',
    audit: async () => {},
    ...over,
  };
}

/** A video approval (or another checkpoint of the same subject) requested as the ASL's task would. */
export const requestSubjectApproval = (
  deps: ApprovalDeps,
  o: { campaign_id: string; subject_id: string; checkpoint: Checkpoint },
) =>
  requestApproval(deps, {
    execution: 'exec-1',
    state: 'ApproveVideo',
    token: 'token-1',
    variant_id: '00000000-0000-4000-8000-000000000002',
    attempt: 1,
    summary: 'Video',
    approver_email: 'cmo@agency.example',
    auto_approve: false,
    ...o,
  });
