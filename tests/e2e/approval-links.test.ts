import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '../../local/embedded.js';

// The mailed approval links and the operator route on the embedded runtime, with a campaign that waits.
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-e2e-links-'));
Object.assign(process.env, {
  BIE_MASTER_WIDTH: '180',
  BIE_MASTER_HEIGHT: '320',
  BIE_RENDITION_SCALE: '0.25',
  BIE_X264_PRESET: 'ultrafast',
});
const ROOT = path.resolve(import.meta.dirname, '../..');
const brandText = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');

let app: Embedded;
let base: string;
let cli: typeof import('../../cli/run.js');
let links: typeof import('../../lambdas/approvals/domain/links.js');
let repos: typeof import('../../lambdas/shared/data/repositories.js');

beforeAll(async () => {
  const { startEmbedded } = await import('../../local/embedded.js');
  app = await startEmbedded({ dataDir, retryIntervalMs: 0 });
  base = app.runtime.info.apiUrl;
  cli = await import('../../cli/run.js');
  links = await import('../../lambdas/approvals/domain/links.js');
  repos = await import('../../lambdas/shared/data/repositories.js');
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

type Pending = { approval_id: string; checkpoint: string; campaign_id: string; summary: string };

async function nextApproval(campaignId: string, checkpoint: string): Promise<Pending> {
  for (let i = 0; i < 1200; i++) {
    const { approvals } = await cli.api<{ approvals: Pending[] }>(base, 'GET', '/operator/approvals');
    const found = approvals.find((a) => a.campaign_id === campaignId && a.checkpoint === checkpoint);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${checkpoint} approval appeared`);
}

/** The approval's mail; it is sent just after the approval is listed, so wait a little for it. */
async function mailOf(approvalId: string): Promise<string> {
  for (const until = Date.now() + 15_000; Date.now() < until; ) {
    const mail = readdirSync(app.emulators.mailboxDir)
      .map((f) => readFileSync(path.join(app.emulators.mailboxDir, f), 'utf8'))
      .find((m) => m.includes(approvalId));
    if (mail) return mail;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail for approval ${approvalId}`);
}

const linkIn = (mail: string, label: 'Approve' | 'Reject (with feedback)') =>
  new URL(new RegExp(`${label.replace(/[()]/g, '\\$&')}: (\\S+)`).exec(mail)?.[1] ?? '');

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
const postJson = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The approval as stored, and whether its campaign is still waiting on it. */
async function stateOf(approvalId: string) {
  const a = await repos.approvals.get(approvalId);
  return { status: a?.status, decided_by: a?.decided_by, feedback: a?.feedback };
}

describe('mailed approval links', () => {
  let campaign: { campaign_id: string; execution_arn: string };
  let brief: Pending;
  let approve: URL;
  let reject: URL;

  beforeAll(async () => {
    await cli.api(base, 'POST', '/brands', brandText, 'text/markdown');
    campaign = await cli.api(base, 'POST', '/campaigns', {
      campaign_request: {
        ...cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
        target_duration_seconds: 15,
      },
    });
    brief = await nextApproval(campaign.campaign_id, 'brief');
    const mail = await mailOf(brief.approval_id);
    approve = linkIn(mail, 'Approve');
    reject = linkIn(mail, 'Reject (with feedback)');
  }, 120_000);

  it('are mailed with a signature and an expiry for each decision', () => {
    expect(approve.pathname).toBe(`/approvals/${brief.approval_id}`);
    expect(approve.searchParams.get('d')).toBe('approve');
    expect(reject.searchParams.get('d')).toBe('reject');
    expect(Number(approve.searchParams.get('exp'))).toBeGreaterThan(Date.now() / 1000 + 6 * 86400);
    expect(approve.searchParams.get('sig')).not.toBe(reject.searchParams.get('sig'));
  });

  it('GET without a signature reveals nothing: 401, the same answer for an unknown id', async () => {
    const known = await fetch(`${base}/approvals/${brief.approval_id}`);
    const unknown = await fetch(`${base}/approvals/00000000-0000-4000-8000-00000000dead`);
    expect(known.status).toBe(401);
    expect(known.headers.get('content-type')).toBe('application/problem+json');
    const knownText = await known.text();
    expect(knownText).toBe(await unknown.text());
    expect(knownText).not.toContain(brief.approval_id);
    expect(knownText).not.toContain(brief.checkpoint);
    // A signature for another approval opens nothing either.
    const elsewhere = new URL(approve);
    elsewhere.pathname = '/approvals/00000000-0000-4000-8000-00000000dead';
    expect((await fetch(elsewhere)).status).toBe(403);
  });

  it('GET with a forged or expired link is refused; with the mailed link it shows the confirmation page', async () => {
    const forged = new URL(approve);
    forged.searchParams.set('sig', `${approve.searchParams.get('sig')?.slice(0, -2)}AA`);
    expect((await fetch(forged)).status).toBe(403);
    const expired = await fetch(expiredLink('approve'));
    expect(expired.status).toBe(410);
    const page = await fetch(approve);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post">');
    expect(html).toContain('Creative brief');
  });

  /** A genuine link (signed with this runtime's key) whose expiry has passed. */
  function expiredLink(decision: 'approve' | 'reject'): URL {
    const exp = Math.floor(Date.now() / 1000) - 60;
    const sig = links.signDecision(
      process.env.APPROVAL_SIGNING_SECRET ?? '',
      brief.approval_id,
      decision,
      exp,
    );
    return new URL(`${base}/approvals/${brief.approval_id}?d=${decision}&exp=${exp}&sig=${sig}`);
  }

  it('POST refuses unsigned (401), forged (403), the other decision (403) and expired (410), changing nothing', async () => {
    const url = `${base}/approvals/${brief.approval_id}`;
    const exp = approve.searchParams.get('exp') ?? '';
    const sig = approve.searchParams.get('sig') ?? '';
    const before = await stateOf(brief.approval_id);
    expect(before.status).toBe('pending');

    const unsigned = await postJson(url, { decision: 'approve', decided_by: 'intruder' });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('content-type')).toBe('application/problem+json');
    expect((await fetch(url, form({ decision: 'approve' }))).status).toBe(401);

    const forged = await fetch(url, form({ decision: 'approve', exp, sig: `${sig.slice(0, -2)}AA` }));
    expect(forged.status).toBe(403);
    const stretched = await fetch(url, form({ decision: 'approve', exp: String(Number(exp) + 86400), sig }));
    expect(stretched.status).toBe(403);
    const otherDecision = await fetch(url, form({ decision: 'reject', feedback: 'no', exp, sig }));
    expect(otherDecision.status).toBe(403);

    const old = expiredLink('approve');
    const expired = await fetch(
      url,
      form({
        decision: 'approve',
        exp: old.searchParams.get('exp') ?? '',
        sig: old.searchParams.get('sig') ?? '',
      }),
    );
    expect(expired.status).toBe(410);

    expect(await stateOf(brief.approval_id)).toEqual(before);
    // The campaign still waits on this approval.
    const { approvals } = await cli.api<{ approvals: Pending[] }>(base, 'GET', '/operator/approvals');
    expect(approvals.map((a) => a.approval_id)).toContain(brief.approval_id);
  });

  it('POST decides once with the signed form; a replay is refused with 409', async () => {
    const url = `${base}/approvals/${brief.approval_id}`;
    const fields = {
      decision: 'approve',
      exp: approve.searchParams.get('exp') ?? '',
      sig: approve.searchParams.get('sig') ?? '',
      decided_by: 'mail reviewer',
    };
    const decided = await fetch(url, form(fields));
    expect(decided.status).toBe(200);
    expect(await decided.text()).toContain('was approved');
    expect(await stateOf(brief.approval_id)).toMatchObject({
      status: 'approved',
      decided_by: 'mail reviewer',
    });
    const replay = await fetch(url, form(fields));
    expect(replay.status).toBe(409);
    const rejectAfter = await fetch(
      url,
      form({
        decision: 'reject',
        feedback: 'too late',
        exp: reject.searchParams.get('exp') ?? '',
        sig: reject.searchParams.get('sig') ?? '',
      }),
    );
    expect(rejectAfter.status).toBe(409);
    expect(await stateOf(brief.approval_id)).toMatchObject({
      status: 'approved',
      decided_by: 'mail reviewer',
    });
  });

  it('the operator route decides without a link; a body on the public route never does', async () => {
    const script = await nextApproval(campaign.campaign_id, 'script');
    const publicTry = await postJson(`${base}/approvals/${script.approval_id}`, {
      decision: 'approve',
      decided_by: 'script',
      operator: true,
    });
    expect(publicTry.status).toBe(401);
    expect((await stateOf(script.approval_id)).status).toBe('pending');
    const one = await cli.api<{ status: string; checkpoint: string }>(
      base,
      'GET',
      `/operator/approvals/${script.approval_id}`,
    );
    expect(one).toMatchObject({ status: 'pending', checkpoint: 'script' });
    expect(one).not.toHaveProperty('task_token');
    const decided = await cli.api<{ status: string; resumed: boolean }>(
      base,
      'POST',
      `/operator/approvals/${script.approval_id}/decision`,
      { decision: 'approve', decided_by: 'ops' },
    );
    expect(decided).toMatchObject({ status: 'approved', resumed: true });
    const again = await postJson(`${base}/operator/approvals/${script.approval_id}/decision`, {
      decision: 'approve',
    });
    expect(again.status).toBe(409);
  });

  it('the video approval mail and page show presigned links to the media, never s3:// addresses', async () => {
    const video = await nextApproval(campaign.campaign_id, 'video');
    const mail = await mailOf(video.approval_id);
    expect(mail).not.toContain('s3://');
    const master = /Master video: (\S+)/.exec(mail)?.[1];
    expect(master).toMatch(/^https?:\/\//);
    const url = new URL(master as string);
    expect(url.searchParams.get('X-Amz-Signature')).toBeTruthy();
    const lifetime = Number(url.searchParams.get('X-Amz-Expires'));
    expect(lifetime).toBeLessThanOrEqual(7 * 86400);
    expect(lifetime).toBeGreaterThan(7 * 86400 - 600);
    const clip = await fetch(url);
    expect(clip.status).toBe(200);
    expect((await clip.arrayBuffer()).byteLength).toBeGreaterThan(1000);

    const page = await fetch(linkIn(mail, 'Approve'));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain('s3://');
    expect(html).toMatch(/<a href="https?:\/\/[^"]+X-Amz-Signature=[^"]+">Master video<\/a>/);
    expect(video.summary).not.toContain('s3://');
  }, 180_000);
});
