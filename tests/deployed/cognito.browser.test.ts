import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, readRequestFile } from '../../cli/run.js';
import { addDashboardUser } from '../../cli/users.js';
import { loadDeployedModel } from '../../local/deployed/model.js';
import { type AsDeployed, ensureAssembly, startAsDeployed } from '../../local/deployed/start.js';

/**
 * The built dashboard in a real headless Chromium against the synthesized stack as deployed: an
 * operator invites a reviewer (`bie users add`), the reviewer signs in with the temporary password on
 * the local Cognito user pool, chooses their own password, and the campaigns page lists the campaign
 * the operator started — through the JWT-authorized /dashboard routes.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const work = mkdtempSync(path.join(tmpdir(), 'bie-cognito-browser-'));
const dataDir = path.join(work, 'state');

let app: AsDeployed;
let cdkOut: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'web/dist/index.html'))) {
    const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
    const built = spawnSync(process.execPath, [vite, 'build', path.join(ROOT, 'web'), '--logLevel', 'warn']);
    if (built.status !== 0) throw new Error(`vite build failed: ${built.stderr}`);
  }
  cdkOut = ensureAssembly({ dataDir: work }, () => undefined);
  app = await startAsDeployed({ dataDir, cdkOut, schedules: false, stopGraceMs: 0, log: () => undefined });
  if (!existsSync(CHROMIUM))
    throw new Error(
      `the browser tests need Debian's Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`,
    );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the dashboard as deployed, signed in with the local user pool', () => {
  it('signs an invited reviewer in (new password at first sign-in) and lists the campaigns', async () => {
    // Prepare
    const base = app.runtime.info.apiUrl;
    const brand = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');
    await api(base, 'POST', '/brands', brand, 'text/markdown', app.operator);
    const request = readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json'));
    await api(base, 'POST', '/campaigns', { campaign_request: request }, undefined, app.operator);
    const invited = await addDashboardUser(dataDir, 'reviewer@example.com');
    const page = await browser.newPage();
    const unauthorized: string[] = [];
    page.on('response', (r) => {
      if (r.status() === 401) unauthorized.push(r.url());
    });

    // Act
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill('reviewer@example.com');
    await page.getByLabel('Password').fill(invited.temporaryPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Choose a new password').fill('Reviewer-own-pass-1');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    const listed = page.getByRole('link', { name: request.campaign_name });
    await listed.waitFor({ timeout: 60_000 });

    // Assess
    expect(await listed.isVisible()).toBe(true);
    expect(await page.getByText('reviewer@example.com').isVisible()).toBe(true);
    expect(unauthorized).toEqual([]);
    // The page and its config are what the stack's BucketDeployment writes: the asset of the cloud
    // assembly, and config.json with the template's API and user pool (the Cognito endpoint added locally).
    const config = (await (await fetch(`${base}/config.json`)).json()) as {
      apiUrl: string;
      auth: Record<string, string>;
    };
    expect(config.auth).toEqual(app.dashboardAuth);
    expect(config.apiUrl).toBe(`${base}/`);
    const [deployment] = loadDeployedModel(cdkOut, { apiUrl: base }).siteDeployments;
    const asset = deployment?.sources.find((s) => existsSync(path.join(s.dir, 'index.html')));
    expect(await (await fetch(`${base}/`)).text()).toBe(
      readFileSync(path.join(asset?.dir ?? '-', 'index.html'), 'utf8'),
    );
    await page.close();
  }, 180_000);
});
