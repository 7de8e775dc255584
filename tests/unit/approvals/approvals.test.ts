import { describe, expect, it } from 'vitest';
import {
  type ApprovalDeps,
  type ApprovalRequest,
  type ApprovalStore,
  decideApproval,
  PRESIGN_MAX_SECONDS,
  requestApproval,
} from '../../../lambdas/approvals/domain/approvals.js';
import { signDecision } from '../../../lambdas/approvals/domain/links.js';
import type { Approval } from '../../../lambdas/shared/contracts/index.js';
import type { Mail } from '../../../lambdas/shared/ports/index.js';

const SECRET = 'unit-test-link-key-0123456789abcdef';

/** The store's contract, in memory: create-if-absent and decide-once are conditional, as in DynamoDB. */
function memoryStore(): ApprovalStore & { all: Map<string, Approval> } {
  const all = new Map<string, Approval>();
  return {
    all,
    get: async (id) => structuredClone(all.get(id)),
    create: async (a) => {
      if (all.has(a.approval_id)) return false;
      all.set(a.approval_id, structuredClone(a));
      return true;
    },
    setToken: async (a, token) =>
      void all.set(a.approval_id, { ...(all.get(a.approval_id) as Approval), task_token: token }),
    decide: async (a, d) => {
      const current = all.get(a.approval_id);
      if (current?.status !== 'pending') throw Object.assign(new Error('decided'), { name: 'ConflictError' });
      const next = { ...current, ...d };
      all.set(a.approval_id, next);
      return structuredClone(next);
    },
  };
}

function setup(opts: { mail?: boolean } = {}) {
  const store = memoryStore();
  const mails: Mail[] = [];
  const presigned: { key: string; seconds: number }[] = [];
  const resumed: { token: string; ok: boolean }[] = [];
  const deps: ApprovalDeps = {
    store,
    mailer:
      opts.mail === false
        ? undefined
        : {
            send: async (m) => {
              mails.push(m);
              return { message_id: `m${mails.length}` };
            },
          },
    media: {
      presign: async (key, seconds) => {
        presigned.push({ key, seconds });
        return `https://bie-media.s3.us-east-1.amazonaws.com/${key}?X-Amz-Expires=${seconds}&X-Amz-Signature=abc`;
      },
    },
    callbacks: {
      success: async (token) => void resumed.push({ token, ok: true }),
      failure: async (token) => void resumed.push({ token, ok: false }),
      heartbeat: async () => {},
    },
    secret: SECRET,
    baseUrl: 'https://api.example.com',
    audit: async () => {},
  };
  return { deps, store, mails, presigned, resumed };
}

const request = (over: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  execution: 'exec-1',
  state: 'ApproveVideo',
  token: 'token-1',
  campaign_id: '00000000-0000-4000-8000-000000000001',
  variant_id: '00000000-0000-4000-8000-000000000002',
  checkpoint: 'video',
  subject_id: '00000000-0000-4000-8000-000000000003',
  attempt: 1,
  summary: 'Video 3: 15.0s, quality 0.9',
  media: [
    { label: 'Master video', key: 'renders/c/v/master.mp4', content_type: 'video/mp4' },
    { label: 'Captions', key: 'captions/c/v/master.vtt', content_type: 'text/vtt' },
  ],
  approver_email: 'cmo@agency.example',
  auto_approve: false,
  ...over,
});

const linkOf = (a: Approval, decision: 'approve' | 'reject') => {
  const exp = Math.floor(Date.parse(a.expires_at) / 1000);
  return { exp, sig: signDecision(SECRET, a.approval_id, decision, exp) };
};

describe('an approval request', () => {
  it('mails presigned HTTPS links to its media that live as long as the decision links, never s3:// addresses', async () => {
    const { deps, mails, presigned } = setup();
    const { approval } = await requestApproval(deps, request());
    expect(approval.notified).toBe('mail');
    expect(mails).toHaveLength(1);
    const mail = mails[0] as Mail;
    expect(`${mail.text}${mail.html}`).not.toContain('s3://');
    expect(mail.text).toContain(
      'Master video: https://bie-media.s3.us-east-1.amazonaws.com/renders/c/v/master.mp4?',
    );
    expect(mail.html).toContain(
      'href="https://bie-media.s3.us-east-1.amazonaws.com/captions/c/v/master.vtt?',
    );
    const linkLifetime = Math.floor(Date.parse(approval.expires_at) / 1000) - Math.floor(Date.now() / 1000);
    expect(presigned.map((p) => p.key)).toEqual(['renders/c/v/master.mp4', 'captions/c/v/master.vtt']);
    for (const p of presigned) {
      expect(p.seconds).toBeLessThanOrEqual(PRESIGN_MAX_SECONDS);
      expect(p.seconds).toBeGreaterThanOrEqual(linkLifetime - 1);
    }
  });

  it('keeps media as bucket keys in the stored approval (links are presigned when shown)', async () => {
    const { deps, store } = setup();
    const { approval } = await requestApproval(deps, request());
    expect(store.all.get(approval.approval_id)?.media?.map((m) => m.key)).toEqual([
      'renders/c/v/master.mp4',
      'captions/c/v/master.vtt',
    ]);
  });

  it('without a sender (approvals API-only) is stored and waits, notified none, and sends nothing', async () => {
    const { deps, store, mails, resumed } = setup({ mail: false });
    const { approval } = await requestApproval(deps, request());
    expect(approval).toMatchObject({ status: 'pending', notified: 'none' });
    expect(store.all.get(approval.approval_id)?.status).toBe('pending');
    expect(mails).toEqual([]);
    expect(resumed).toEqual([]);
  });

  it('with the auto-approve policy is decided by it without a mail', async () => {
    const { deps, mails, resumed } = setup();
    const { approval } = await requestApproval(deps, request({ auto_approve: true }));
    expect(approval).toMatchObject({
      status: 'approved',
      decided_by: 'auto-approve policy',
      notified: 'none',
    });
    expect(mails).toEqual([]);
    expect(resumed).toEqual([{ token: 'token-1', ok: true }]);
  });
});

describe('a decision through a mailed link', () => {
  async function pending() {
    const ctx = setup();
    const { approval } = await requestApproval(ctx.deps, request());
    return { ...ctx, approval };
  }
  const unchanged = async (ctx: Awaited<ReturnType<typeof pending>>) => {
    expect(ctx.store.all.get(ctx.approval.approval_id)).toMatchObject({ status: 'pending' });
    expect(ctx.store.all.get(ctx.approval.approval_id)?.decided_by).toBeUndefined();
    expect(ctx.resumed).toEqual([]);
  };

  it('decides once with the link signed for that decision', async () => {
    const ctx = await pending();
    const link = linkOf(ctx.approval, 'approve');
    const out = await decideApproval(ctx.deps, {
      approval_id: ctx.approval.approval_id,
      decision: 'approve',
      decided_by: 'cmo',
      authority: { via: 'link', ...link },
    });
    expect(out).toMatchObject({ resumed: true, approval: { status: 'approved', decided_by: 'cmo' } });
    await expect(
      decideApproval(ctx.deps, {
        approval_id: ctx.approval.approval_id,
        decision: 'approve',
        decided_by: 'cmo',
        authority: { via: 'link', ...link },
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    expect(ctx.resumed).toHaveLength(1);
  });

  it('refuses a forged signature, and changes nothing', async () => {
    const ctx = await pending();
    const { exp } = linkOf(ctx.approval, 'approve');
    await expect(
      decideApproval(ctx.deps, {
        approval_id: ctx.approval.approval_id,
        decision: 'approve',
        decided_by: 'x',
        authority: {
          via: 'link',
          exp,
          sig: signDecision('another-key-0123456789', ctx.approval.approval_id, 'approve', exp),
        },
      }),
    ).rejects.toMatchObject({ name: 'ApprovalLinkError', reason: 'invalid' });
    await unchanged(ctx);
  });

  it('refuses the approve link used to reject, and the link of another approval, and changes nothing', async () => {
    const ctx = await pending();
    const approveLink = linkOf(ctx.approval, 'approve');
    await expect(
      decideApproval(ctx.deps, {
        approval_id: ctx.approval.approval_id,
        decision: 'reject',
        feedback: 'no',
        decided_by: 'x',
        authority: { via: 'link', ...approveLink },
      }),
    ).rejects.toMatchObject({ reason: 'invalid' });
    const other = await requestApproval(
      ctx.deps,
      request({ state: 'ApproveBrief', checkpoint: 'brief', token: 't2' }),
    );
    await expect(
      decideApproval(ctx.deps, {
        approval_id: ctx.approval.approval_id,
        decision: 'approve',
        decided_by: 'x',
        authority: { via: 'link', ...linkOf(other.approval, 'approve') },
      }),
    ).rejects.toMatchObject({ reason: 'invalid' });
    await unchanged(ctx);
  });

  it('refuses an expired link, and changes nothing', async () => {
    const ctx = await pending();
    const exp = Math.floor(Date.now() / 1000) - 60;
    await expect(
      decideApproval(ctx.deps, {
        approval_id: ctx.approval.approval_id,
        decision: 'approve',
        decided_by: 'x',
        authority: { via: 'link', exp, sig: signDecision(SECRET, ctx.approval.approval_id, 'approve', exp) },
      }),
    ).rejects.toMatchObject({ name: 'ApprovalLinkError', reason: 'expired' });
    await unchanged(ctx);
  });

  it('refuses a link for an unknown approval before looking it up', async () => {
    const ctx = await pending();
    let reads = 0;
    const get = ctx.deps.store.get;
    ctx.deps.store.get = async (id) => {
      reads++;
      return get(id);
    };
    await expect(
      decideApproval(ctx.deps, {
        approval_id: 'no-such-approval',
        decision: 'approve',
        decided_by: 'x',
        authority: { via: 'link', exp: 4_000_000_000, sig: 'A'.repeat(43) },
      }),
    ).rejects.toMatchObject({ reason: 'invalid' });
    expect(reads).toBe(0);
  });
});
