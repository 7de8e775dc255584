import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_PROFILES } from '../../lambdas/shared/config/index.js';
import type { Embedded } from '../../local/embedded.js';

/**
 * The review dashboard in a real headless Chromium (Debian's, driven by Playwright) on the embedded
 * runtime: a reviewer opens each mailed review link, approves the brief, picks a hook, sends one scene
 * back, edits a caption and publishes; the campaign ends published with those choices in its records.
 * Each review page is photographed for the README (docs/screenshots/).
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'docs/screenshots');
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-e2e-dashboard-'));
Object.assign(process.env, MEDIA_PROFILES.preview);

let app: Embedded;
let base: string;
let browser: Browser;
let page: Page;
let cli: typeof import('../../cli/run.js');
let repos: typeof import('../../lambdas/shared/data/repositories.js');

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'web/dist/index.html'))) {
    const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
    const built = spawnSync(process.execPath, [vite, 'build', path.join(ROOT, 'web'), '--logLevel', 'warn']);
    if (built.status !== 0) throw new Error(`vite build failed: ${built.stderr}`);
  }
  const { startEmbedded } = await import('../../local/embedded.js');
  app = await startEmbedded({ dataDir, retryIntervalMs: 0 });
  base = app.runtime.info.apiUrl;
  cli = await import('../../cli/run.js');
  repos = await import('../../lambdas/shared/data/repositories.js');
  if (!existsSync(CHROMIUM))
    throw new Error(
      `the browser tests need Debian's Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`,
    );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // A step that cannot happen fails within a minute, naming what it waited for.
  page.setDefaultTimeout(60_000);
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

type Pending = { approval_id: string; checkpoint: string; campaign_id: string };

async function nextApproval(
  campaignId: string,
  checkpoint: string,
  after = new Set<string>(),
  stop = { stopped: false },
): Promise<Pending> {
  for (let i = 0; i < 2400 && !stop.stopped; i++) {
    const { approvals } = await cli.api<{ approvals: Pending[] }>(base, 'GET', '/dashboard/approvals');
    const found = approvals.find(
      (a) => a.campaign_id === campaignId && a.checkpoint === checkpoint && !after.has(a.approval_id),
    );
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${checkpoint} approval appeared`);
}

/** The review link in the approval's mail (sent just after the approval is listed). */
async function reviewLinkOf(approvalId: string): Promise<string> {
  for (const until = Date.now() + 15_000; Date.now() < until; ) {
    const mail = readdirSync(app.emulators.mailboxDir)
      .map((f) => readFileSync(path.join(app.emulators.mailboxDir, f), 'utf8'))
      .find((m) => m.includes(approvalId));
    const link = mail && /Review in the dashboard: (\S+)/.exec(mail)?.[1];
    if (link) return link;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no review link mailed for approval ${approvalId}`);
}

async function decided(approvalId: string) {
  for (let i = 0; i < 100; i++) {
    const a = await repos.approvals.get(approvalId);
    if (a && a.status !== 'pending') return a;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`approval ${approvalId} was not decided`);
}

describe('the review dashboard in a browser', () => {
  let campaignId: string;
  const seen = new Set<string>();

  beforeAll(async () => {
    await cli.api(
      base,
      'POST',
      '/brands',
      readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8'),
      'text/markdown',
    );
    const campaign = await cli.api<{ campaign_id: string }>(base, 'POST', '/campaigns', {
      campaign_request: {
        ...cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
        target_duration_seconds: 15,
        target_platforms: ['tiktok', 'youtube'],
      },
    });
    campaignId = campaign.campaign_id;
  }, 120_000);

  it('opens the mailed link and approves the brief', async () => {
    const brief = await nextApproval(campaignId, 'brief');
    seen.add(brief.approval_id);
    await page.goto(await reviewLinkOf(brief.approval_id));
    await page.getByRole('heading', { name: 'Creative brief' }).waitFor();
    await expect(page.getByText('Alignment')).toBeTruthy();
    await page.screenshot({ path: path.join(SHOTS, 'brief-review.png'), fullPage: true });

    await page.getByRole('button', { name: 'Approve the brief' }).click();
    await page.getByRole('status').filter({ hasText: 'approved' }).waitFor();

    expect((await decided(brief.approval_id)).status).toBe('approved');
  }, 180_000);

  let chosenHook = '';
  it('chooses another of the top-3 hooks, and the script is rewritten around it', async () => {
    // The hook gate sends the set to a hook review only when no hook scores 0.75 after three rounds.
    const stop = { stopped: false };
    const next = await Promise.race([
      nextApproval(campaignId, 'hook_review', seen, stop),
      nextApproval(campaignId, 'script', seen, stop),
    ]).finally(() => {
      stop.stopped = true;
    });
    if (next.checkpoint === 'hook_review') {
      seen.add(next.approval_id);
      await page.goto(await reviewLinkOf(next.approval_id));
      const choices = page.getByRole('radio');
      await choices.first().waitFor();
      const last = choices.nth((await choices.count()) - 1);
      chosenHook = ((await last.locator('xpath=..').textContent()) ?? '')
        .replace(/\s*\([\d.]+\)\s*$/, '')
        .trim();
      await last.check();
      await page.screenshot({ path: path.join(SHOTS, 'hook-review.png'), fullPage: true });
      await page.getByRole('button', { name: 'Write the script with this hook' }).click();
      await page.getByRole('status').filter({ hasText: 'approved' }).waitFor();
    }
    const script = next.checkpoint === 'script' ? next : await nextApproval(campaignId, 'script', seen);
    seen.add(script.approval_id);
    await page.goto(await reviewLinkOf(script.approval_id));
    await page.getByRole('heading', { name: 'Hooks' }).waitFor();
    expect(await page.getByText(/Compliance/).count()).toBeGreaterThan(0);
    if (!chosenHook) {
      // Another of the top-3 hooks: the script is written again around it.
      const choices = page.getByRole('radio');
      const unchecked = choices.and(page.locator(':not(:checked)')).last();
      chosenHook = ((await unchecked.locator('xpath=..').textContent()) ?? '')
        .replace(/\s*\([\d.]+\)\s*$/, '')
        .trim();
      await unchecked.check();
      await page.screenshot({ path: path.join(SHOTS, 'script-review.png'), fullPage: true });
      await page.getByRole('button', { name: 'Rewrite the script with this hook' }).click();
      await page.getByRole('status').filter({ hasText: 'rejected' }).waitFor();
      const rewritten = await nextApproval(campaignId, 'script', seen);
      seen.add(rewritten.approval_id);
      await page.goto(await reviewLinkOf(rewritten.approval_id));
      await page.getByRole('heading', { name: 'Hooks' }).waitFor();
      expect(await page.locator('q').first().textContent()).toBe(chosenHook);
      await page.getByRole('button', { name: 'Approve the script' }).click();
      await page.getByRole('status').filter({ hasText: 'approved' }).waitFor();
      expect((await decided(rewritten.approval_id)).status).toBe('approved');
      return;
    }
    await page.screenshot({ path: path.join(SHOTS, 'script-review.png'), fullPage: true });
    await page.getByRole('button', { name: 'Approve the script' }).click();
    await page.getByRole('status').filter({ hasText: 'approved' }).waitFor();
    expect((await decided(script.approval_id)).status).toBe('approved');
  }, 240_000);

  let regenerated = '';
  it('sends one scene back with feedback; only that scene is rendered again', async () => {
    const video = await nextApproval(campaignId, 'video', seen);
    seen.add(video.approval_id);
    await page.goto(await reviewLinkOf(video.approval_id));
    await page.getByLabel('master video', { exact: true }).waitFor({ state: 'attached' });
    const jobsBefore = await repos.renderJobs.list(campaignId);
    await page.getByLabel('Regenerate scene 2').check();
    await page.getByLabel('What should change in scene 2?').fill('Show the barista smiling at the counter');
    await page.screenshot({ path: path.join(SHOTS, 'video-review.png'), fullPage: true });
    await page.getByRole('button', { name: /Regenerate 1 selected scene/ }).click();
    await page.getByRole('status').filter({ hasText: 'rejected' }).waitFor();

    const again = await nextApproval(campaignId, 'video', seen);
    seen.add(again.approval_id);
    const jobsAfter = await repos.renderJobs.list(campaignId);
    const added = jobsAfter.filter((j) => !jobsBefore.some((b) => b.job_id === j.job_id));
    expect(new Set(added.map((j) => j.scene_id)).size).toBe(1);
    regenerated = added[0]?.scene_id ?? '';

    await page.goto(await reviewLinkOf(again.approval_id));
    await page.getByRole('button', { name: 'Approve the video' }).click();
    await page.getByRole('status').filter({ hasText: 'approved' }).waitFor();
  }, 300_000);

  const caption = 'Small batches, roasted this week. Try the new blend at the counter!';
  it('edits a caption within the platform limits and publishes', async () => {
    const publication = await nextApproval(campaignId, 'publication', seen);
    seen.add(publication.approval_id);
    await page.goto(await reviewLinkOf(publication.approval_id));
    const field = page.getByLabel('Caption').first();
    await field.waitFor();
    await field.fill(caption);
    await page.screenshot({ path: path.join(SHOTS, 'publication-review.png'), fullPage: true });
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('status').filter({ hasText: 'approved' }).waitFor();
  }, 180_000);

  it('ends published with the reviewer’s choices in its records', async () => {
    for (let i = 0; i < 1200; i++) {
      const c = await repos.campaigns.mustGet(campaignId);
      if (c.status === 'published' || c.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const view = await cli.api<{
      campaign: { status: string };
      scripts: { hook: { text: string }; variant_id: string }[];
      publications: { platform_posts: { caption: string }[] }[];
    }>(base, 'GET', `/campaigns/${campaignId}`);
    expect(view.campaign.status).toBe('published');
    expect(chosenHook).not.toBe('');
    expect(view.scripts.at(-1)?.hook.text).toBe(chosenHook);
    expect(regenerated).not.toBe('');
    const captions = view.publications.flatMap((p) => p.platform_posts.map((x) => x.caption));
    expect(captions.some((c) => c.startsWith(caption))).toBe(true);
  }, 180_000);

  it('shows the campaign at phone width without sideways scrolling or layout shift', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    // Cumulative layout shift, as Chromium reports it (a string: this file is typed for Node, not the DOM).
    await phone.addInitScript(`
      window.__cls = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
      }).observe({ type: 'layout-shift', buffered: true });
    `);
    await phone.goto(`${base}/#/campaigns/${campaignId}`);
    await phone.getByRole('heading', { name: 'Cost per pillar' }).waitFor();
    await phone.waitForTimeout(500);
    await phone.screenshot({ path: path.join(SHOTS, 'campaign-phone.png'), fullPage: true });
    const { scroll, width, cls } = await phone.evaluate<{ scroll: number; width: number; cls: number }>(
      '({ scroll: document.documentElement.scrollWidth, width: window.innerWidth, cls: window.__cls })',
    );
    const wide = await phone.evaluate<string[]>(
      `[...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`,
    );
    expect(scroll, `wider than the phone: ${wide.join(', ')}`).toBeLessThanOrEqual(width);
    expect(cls).toBeLessThan(0.1);
    await phone.close();
  }, 60_000);
});
