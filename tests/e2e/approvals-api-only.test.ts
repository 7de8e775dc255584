import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedded } from '../../local/embedded.js';

// A stack deployed without senderEmail/senderDomain gives RequestApproval no MAIL_FROM: the same here.
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-e2e-api-only-'));
process.env.MAIL_FROM = '';
const ROOT = path.resolve(import.meta.dirname, '../..');

let app: Embedded;
let cli: typeof import('../../cli/run.js');

beforeAll(async () => {
  const { startEmbedded } = await import('../../local/embedded.js');
  app = await startEmbedded({ dataDir, retryIntervalMs: 0 });
  cli = await import('../../cli/run.js');
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

type Pending = { approval_id: string; checkpoint: string; campaign_id: string; notified?: string };

async function nextApproval(campaignId: string, checkpoint: string): Promise<Pending> {
  for (let i = 0; i < 600; i++) {
    const { approvals } = await cli.api<{ approvals: Pending[] }>(
      app.runtime.info.apiUrl,
      'GET',
      '/operator/approvals',
    );
    const found = approvals.find((a) => a.campaign_id === campaignId && a.checkpoint === checkpoint);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${checkpoint} approval appeared`);
}

describe('approvals without a sender (API-only)', () => {
  it('wait without a mail, marked notified none, and are decided on the operator route', async () => {
    const base = app.runtime.info.apiUrl;
    await cli.api(
      base,
      'POST',
      '/brands',
      readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8'),
      'text/markdown',
    );
    const campaign = await cli.api<{ campaign_id: string }>(base, 'POST', '/campaigns', {
      campaign_request: cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
    });
    const brief = await nextApproval(campaign.campaign_id, 'brief');
    expect(brief.notified).toBe('none');
    expect(readdirSync(app.emulators.mailboxDir).filter((f) => f.endsWith('.eml'))).toEqual([]);
    const { campaignView } = await import('../../lambdas/campaign-manager/domain/campaign-view.js');
    expect((await campaignView(campaign.campaign_id)).campaign.status).not.toBe('failed');

    const decided = await cli.api<{ status: string; resumed: boolean }>(
      base,
      'POST',
      `/operator/approvals/${brief.approval_id}/decision`,
      { decision: 'approve', decided_by: 'ops' },
    );
    expect(decided).toMatchObject({ status: 'approved', resumed: true });
    // The campaign moved on to the next checkpoint, still without a mail.
    expect((await nextApproval(campaign.campaign_id, 'script')).notified).toBe('none');
    expect(readdirSync(app.emulators.mailboxDir).filter((f) => f.endsWith('.eml'))).toEqual([]);
  }, 120_000);
});
