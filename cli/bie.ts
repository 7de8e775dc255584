import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AsDeployed } from '../local/deployed/start.js';
import type { Embedded, EmbeddedOptions } from '../local/embedded.js';
import { readRuntimeInfo } from '../local/engine/runtime.js';
import { siteBuilt } from '../local/engine/site.js';
import { type Command, parseCommand, type RuntimeMode, USAGE, UsageError } from './args.js';
import {
  type ApiSigner,
  api,
  InputError,
  progressPrinter,
  type RunResult,
  readRequestFile,
  requestRedrive,
  resumeCampaign,
  runCampaign,
} from './run.js';
import { exitCodeFor, Shutdown } from './shutdown.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const err = (line: string) => process.stderr.write(`${line}\n`);
/** Signals become one clean-stop request (see shutdown.ts); installed before anything starts. */
const shutdown = new Shutdown(err);
const STOPPED = Symbol('stopped');

function readBrand(file: string): { text: string; brandId: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${file}`, [{ path: '', message: (e as Error).message }]);
  }
  return { text, brandId: '' };
}

async function validateBrand(text: string): Promise<string> {
  const { loadBrandBible } = await import('../lambdas/strategist/domain/brand-bible.js');
  try {
    return loadBrandBible(text).brand_id;
  } catch (e) {
    const issues = (e as { issues?: { path: string; message: string }[] }).issues;
    if (issues) throw new InputError('invalid brand bible', issues);
    throw e;
  }
}

/** The embedded runtime, or the synthesized stack as deployed (`--as-deployed`). */
async function startApp(
  mode: RuntimeMode,
  opts: EmbeddedOptions,
  log: (line: string) => void,
): Promise<Embedded | AsDeployed> {
  // From here on a signal stops the runtime cleanly instead of killing the process.
  shutdown.holding = true;
  if (!mode.asDeployed) {
    const { startEmbedded } = await import('../local/embedded.js');
    return startEmbedded(opts);
  }
  const { startAsDeployed } = await import('../local/deployed/start.js');
  return startAsDeployed({ ...opts, cdkOut: mode.cdkOut, log });
}

/** What the as-deployed run found wrong with the stack (env reads, IAM denials, dead letters). */
function reportFindings(app: Embedded | AsDeployed, log: (line: string) => void): void {
  if (!('findings' in app)) return;
  const findings = [...new Set(app.findings())];
  if (!findings.length) {
    log('  as deployed: no undeclared environment reads, no IAM denials, no dead letters');
    return;
  }
  log(`  as deployed: ${findings.length} finding(s)`);
  for (const f of findings) log(`    - ${f}`);
}

/** The operator's credentials of a data directory an as-deployed runtime uses (its API is IAM-signed). */
function signerFor(data: string): ApiSigner | undefined {
  const file = path.join(data, 'operator-credentials.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ApiSigner) : undefined;
}

/** Prints each approval a campaign that is not auto-approved waits for, with the commands that decide it. */
const approvalPrinter =
  (log: (line: string) => void) =>
  (pending: { approval_id: string; checkpoint: string; summary: string; campaign_id?: string }[]) => {
    for (const a of pending) {
      log(
        `\n  ⏸  ${a.checkpoint} approval ${a.approval_id}\n${a.summary
          .split('\n')
          .map((l) => `       ${l}`)
          .join('\n')}`,
      );
      if (a.checkpoint === 'budget') {
        const c = a.campaign_id ?? 'CAMPAIGN_ID';
        log(
          `     decide (IAM): POST /operator/campaigns/${c}/budget {"budget_limit_usd": N}   |   POST /operator/campaigns/${c}/cancel\n`,
        );
      } else
        log(
          `     decide: bie approvals approve ${a.approval_id}   |   bie approvals reject ${a.approval_id} --feedback "..."\n`,
        );
    }
  };

function printResult(result: RunResult, log: (line: string) => void, json: boolean): void {
  const hint = `  resume it from the step that failed: bie resume ${result.campaign_id}`;
  if (json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (result.status === 'failed') log(hint);
    return;
  }
  log(`\nCampaign ${result.campaign_id}: ${result.status}`);
  if (result.failure) {
    log(`  failed: ${result.failure.error}: ${result.failure.cause}`);
    if (result.status === 'failed') log(hint);
  }
  log(`  brief          ${result.brief ?? '-'}`);
  log(`  script         ${result.script ?? '-'}`);
  log(`  master video   ${result.master_video ?? '-'}`);
  for (const [p, f] of Object.entries(result.renditions)) log(`  ${p.padEnd(14)} ${f}`);
  log(`  thumbnails     ${Object.values(result.thumbnails).join(', ')}`);
  log(`  captions       ${Object.values(result.captions).join(', ')}`);
  log(`  publication    ${result.publication_package ?? '-'}`);
  log(
    `  ledger         $${result.ledger.total_usd.toFixed(4)} charged (list price of the stand-ins: $${result.ledger.total_list_price_usd.toFixed(4)})`,
  );
  log(`  approvals      ${result.approvals.map((a) => `${a.checkpoint}:${a.status}`).join(', ')}`);
  log(`  outbox         ${result.outbox}`);
}

/**
 * Starts the runtime, runs `work` on it (a campaign to its end) and prints the result; a stop request
 * (SIGINT/SIGTERM/SIGHUP) stops the runtime cleanly instead, the work resuming on the next run.
 */
async function drive(
  mode: RuntimeMode & { data: string; json: boolean },
  work: (app: Embedded | AsDeployed, log: (line: string) => void) => Promise<RunResult>,
  stoppedHint: string,
): Promise<number> {
  const log = mode.json ? err : (l: string) => process.stdout.write(`${l}\n`);
  log(`Brand Infinity Engine — ${mode.asDeployed ? 'as deployed' : 'embedded runtime'} (data: ${mode.data})`);
  const app = await startApp(mode, { dataDir: mode.data }, log);
  if (shutdown.reason) {
    await app.stop();
    return exitCodeFor(shutdown.reason);
  }
  if ('cdkOut' in app)
    log(
      `  stack ${app.model.stackName} from ${app.cdkOut}; function logs in ${path.join(app.dataDir, 'logs')}`,
    );
  const progress = progressPrinter(log);
  app.runtime.runner.on('event', progress.onEvent);
  log(`  API ${app.runtime.info.apiUrl}   approvals mailbox ${app.emulators.mailboxDir}`);
  try {
    const running = work(app, log);
    const result: RunResult | typeof STOPPED = await Promise.race([
      running,
      shutdown.requested.then((): typeof STOPPED => STOPPED),
    ]);
    if (result === STOPPED) {
      running.catch(() => undefined);
      log(`  stopped; ${stoppedHint}`);
      return exitCodeFor(shutdown.reason ?? 'SIGTERM');
    }
    printResult(result, log, mode.json);
    if (result.status !== 'published' && 'invocationFailures' in app)
      for (const f of app.invocationFailures())
        log(`  ${f.function} failed: ${f.errorType}: ${f.errorMessage}`);
    reportFindings(app, log);
    return result.status === 'published' ? 0 : 1;
  } finally {
    await app.stop();
  }
}

async function run(cmd: Extract<Command, { kind: 'run' }>): Promise<number> {
  // Everything is validated before the runtime starts: bad input creates nothing.
  const brand = readBrand(cmd.brand);
  const brandId = await validateBrand(brand.text);
  const request = readRequestFile(cmd.request, brandId);
  return drive(
    cmd,
    (app, log) =>
      runCampaign(app, {
        brandText: brand.text,
        request,
        autoApprove: cmd.autoApprove,
        fresh: cmd.fresh,
        out: path.resolve(cmd.out),
        onFound: (c) =>
          log(
            FINISHED_STATUSES.has(c.status)
              ? `  this request already ran in ${cmd.data}: campaign ${c.campaign_id} is ${c.status} (--new starts another)`
              : `  resuming campaign ${c.campaign_id} (${c.status}) that an earlier run of this request started (--new starts another)`,
          ),
        onWaiting: approvalPrinter(log),
      }),
    'the campaign resumes when the same command runs again',
  );
}

/** `bie resume CAMPAIGN_ID`: through a running runtime's API, or on a runtime of its own. */
async function resume(cmd: Extract<Command, { kind: 'resume' }>): Promise<number> {
  const info = readRuntimeInfo(cmd.data);
  if (info) {
    const r = await requestRedrive(info.apiUrl, cmd.campaignId, signerFor(cmd.data));
    if (cmd.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else
      process.stdout.write(
        `campaign ${r.campaign_id} redriven from the step that failed; it continues in the runtime (pid ${info.pid}): bie status ${r.campaign_id}\n`,
      );
    return 0;
  }
  return drive(
    cmd,
    (app, log) => {
      log(`  redriving campaign ${cmd.campaignId} from the step that failed`);
      return resumeCampaign(app, {
        campaignId: cmd.campaignId,
        out: path.resolve(cmd.out),
        onWaiting: approvalPrinter(log),
      });
    },
    `campaign ${cmd.campaignId} resumes with the next start (bie serve, or bie run of its request)`,
  );
}

const FINISHED_STATUSES = new Set(['published', 'completed', 'failed', 'cancelled']);

function runtimeApi(data: string): string {
  const info = readRuntimeInfo(data);
  if (!info)
    throw new UsageError(
      `no runtime is running for ${data}: start "bie run" or "bie serve" first (or pass --data)`,
    );
  return info.apiUrl;
}

async function main(argv: string[]): Promise<number> {
  const cmd = parseCommand(argv);
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'demo':
      return run({
        kind: 'run',
        request: path.join(ROOT, 'examples/requests/lumen-coffee-launch.json'),
        brand: path.join(ROOT, 'examples/brands/lumen-coffee.md'),
        autoApprove: true,
        out: cmd.out,
        json: cmd.json,
        data: cmd.data,
        fresh: cmd.fresh,
        asDeployed: cmd.asDeployed,
        cdkOut: cmd.cdkOut,
      });
    case 'run':
      return run(cmd);
    case 'resume':
      return resume(cmd);
    case 'approvals-list': {
      const { approvals } = await api<{
        approvals: {
          approval_id: string;
          checkpoint: string;
          campaign_id: string;
          summary: string;
          created_at: string;
        }[];
      }>(runtimeApi(cmd.data), 'GET', '/operator/approvals', undefined, undefined, signerFor(cmd.data));
      if (cmd.json) process.stdout.write(`${JSON.stringify(approvals, null, 2)}\n`);
      else if (!approvals.length) process.stdout.write('no pending approvals\n');
      else
        for (const a of approvals)
          process.stdout.write(
            `${a.approval_id}  ${a.checkpoint.padEnd(18)} campaign ${a.campaign_id}\n${a.summary
              .split('\n')
              .map((l) => `    ${l}`)
              .join('\n')}\n`,
          );
      return 0;
    }
    case 'approvals-decide': {
      const result = await api<{ status: string; resumed: boolean }>(
        runtimeApi(cmd.data),
        'POST',
        `/operator/approvals/${encodeURIComponent(cmd.id)}/decision`,
        {
          decision: cmd.decision,
          feedback: cmd.feedback,
          scenes: cmd.scenes,
          decided_by: process.env.USER ?? 'cli',
        },
        undefined,
        signerFor(cmd.data),
      );
      process.stdout.write(
        `approval ${cmd.id}: ${result.status}${result.resumed ? '' : ' (applied when the runtime resumes)'}\n`,
      );
      return 0;
    }
    case 'status': {
      const info = readRuntimeInfo(cmd.data);
      let view: unknown;
      const route = `/campaigns/${encodeURIComponent(cmd.campaignId)}`;
      if (info) view = await api(info.apiUrl, 'GET', route, undefined, undefined, signerFor(cmd.data));
      else {
        const app = await startApp(
          cmd,
          { dataDir: cmd.data, resume: false, schedules: false, stopGraceMs: 0 },
          err,
        );
        try {
          view = await api(app.runtime.info.apiUrl, 'GET', route, undefined, undefined, signerFor(cmd.data));
        } finally {
          await app.stop();
        }
      }
      const v = view as {
        campaign: { status: string; campaign_name: string };
        approvals: { checkpoint: string; status: string }[];
        ledger: { total_usd: number };
      };
      if (cmd.json) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      else
        process.stdout.write(
          `${v.campaign.campaign_name}: ${v.campaign.status}; approvals ${v.approvals.map((a) => `${a.checkpoint}:${a.status}`).join(', ') || 'none'}; ledger $${v.ledger.total_usd.toFixed(4)}\n`,
        );
      return 0;
    }
    case 'users-add': {
      const { addDashboardUser } = await import('./users.js');
      const user = await addDashboardUser(cmd.data, cmd.email);
      if (cmd.json) process.stdout.write(`${JSON.stringify(user, null, 2)}\n`);
      else
        process.stdout.write(
          `${user.email} invited to user pool ${user.userPoolId} (${user.status})\ntemporary password: ${user.temporaryPassword}\n(a new password is asked for at first sign-in)\n`,
        );
      return 0;
    }
    case 'serve': {
      const out = (l: string) => process.stdout.write(`${l}\n`);
      buildDashboardIfMissing(err);
      const app = await startApp(cmd, { dataDir: cmd.data, apiPort: cmd.port ?? 8787 }, err);
      out(
        `Brand Infinity Engine API on ${app.runtime.info.apiUrl} (Step Functions endpoint ${app.runtime.info.sfnUrl}); Ctrl-C to stop`,
      );
      if (siteBuilt()) out(`  review dashboard: ${app.runtime.info.apiUrl}/`);
      if ('operator' in app)
        out(
          `  as deployed: stack ${app.model.stackName}; AWS endpoint ${app.awsEndpoint}; AWS_IAM routes need SigV4 (execute-api) with the keys in ${path.join(app.dataDir, 'operator-credentials.json')}; logs in ${path.join(app.dataDir, 'logs')}`,
        );
      if ('dashboardAuth' in app && app.dashboardAuth)
        out(
          `  dashboard users sign in with user pool ${app.dashboardAuth.userPoolId} (Cognito at ${app.dashboardAuth.endpoint}); invite one: bie users add EMAIL --data ${cmd.data}`,
        );
      await shutdown.requested;
      reportFindings(app, err);
      await app.stop();
      return 0;
    }
  }
}

/** The dashboard is built once (vite, a few seconds) the first time `bie serve` needs it. */
function buildDashboardIfMissing(err: (l: string) => void): void {
  if (siteBuilt()) return;
  const vite = path.resolve(import.meta.dirname, '../node_modules/vite/bin/vite.js');
  const r = spawnSync(
    process.execPath,
    [vite, 'build', path.resolve(import.meta.dirname, '../web'), '--logLevel', 'warn'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (r.status !== 0)
    err('the review dashboard could not be built (npm run build:web); serving the API only');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (['RuntimeBusyError', 'SandboxUnavailableError'].includes((error as Error).name)) {
      err(`bie: ${(error as Error).message}`);
      process.exit(3);
    }
    if (error instanceof InputError || error instanceof UsageError) {
      err(`bie: ${error.message}`);
      for (const i of (error as InputError).issues ?? []) err(`  ${i.path || '(file)'}: ${i.message}`);
      process.exit(2);
    }
    err(`bie: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
