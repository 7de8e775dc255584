import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readRuntimeInfo } from '../local/engine/runtime.js';
import { type Command, parseCommand, USAGE, UsageError } from './args.js';
import { api, InputError, progressPrinter, readRequestFile, runCampaign } from './run.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const err = (line: string) => process.stderr.write(`${line}\n`);

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

async function run(cmd: Extract<Command, { kind: 'run' }>): Promise<number> {
  // Everything is validated before the runtime starts: bad input creates nothing.
  const brand = readBrand(cmd.brand);
  const brandId = await validateBrand(brand.text);
  const request = readRequestFile(cmd.request, brandId);
  const { startEmbedded } = await import('../local/embedded.js');
  const log = cmd.json ? err : (l: string) => process.stdout.write(`${l}\n`);
  log(`Brand Infinity Engine — embedded runtime (data: ${cmd.data})`);
  const app = await startEmbedded({ dataDir: cmd.data });
  const progress = progressPrinter(log);
  app.runtime.runner.on('event', progress.onEvent);
  log(`  API ${app.runtime.info.apiUrl}   approvals mailbox ${app.emulators.mailboxDir}`);
  try {
    const result = await runCampaign(app, {
      brandText: brand.text,
      request,
      autoApprove: cmd.autoApprove,
      out: path.resolve(cmd.out),
      onWaiting: (pending) => {
        for (const a of pending) {
          log(
            `\n  ⏸  ${a.checkpoint} approval ${a.approval_id}\n${a.summary
              .split('\n')
              .map((l) => `       ${l}`)
              .join('\n')}`,
          );
          log(
            `     decide: bie approvals approve ${a.approval_id}   |   bie approvals reject ${a.approval_id} --feedback "..."\n`,
          );
        }
      },
    });
    if (cmd.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      log(`\nCampaign ${result.campaign_id}: ${result.status}`);
      if (result.failure) log(`  failed: ${result.failure.error}: ${result.failure.cause}`);
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
    return result.status === 'published' ? 0 : 1;
  } finally {
    await app.stop();
  }
}

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
      });
    case 'run':
      return run(cmd);
    case 'approvals-list': {
      const { approvals } = await api<{
        approvals: {
          approval_id: string;
          checkpoint: string;
          campaign_id: string;
          summary: string;
          created_at: string;
        }[];
      }>(runtimeApi(cmd.data), 'GET', '/operator/approvals');
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
        { decision: cmd.decision, feedback: cmd.feedback, decided_by: process.env.USER ?? 'cli' },
      );
      process.stdout.write(
        `approval ${cmd.id}: ${result.status}${result.resumed ? '' : ' (applied when the runtime resumes)'}\n`,
      );
      return 0;
    }
    case 'status': {
      const info = readRuntimeInfo(cmd.data);
      let view: unknown;
      if (info) view = await api(info.apiUrl, 'GET', `/campaigns/${encodeURIComponent(cmd.campaignId)}`);
      else {
        const { startEmbedded } = await import('../local/embedded.js');
        const app = await startEmbedded({ dataDir: cmd.data, resume: false, schedules: false });
        try {
          view = await api(
            app.runtime.info.apiUrl,
            'GET',
            `/campaigns/${encodeURIComponent(cmd.campaignId)}`,
          );
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
    case 'serve': {
      const { startEmbedded } = await import('../local/embedded.js');
      const app = await startEmbedded({ dataDir: cmd.data, apiPort: cmd.port ?? 8787 });
      process.stdout.write(
        `Brand Infinity Engine API on ${app.runtime.info.apiUrl} (Step Functions endpoint ${app.runtime.info.sfnUrl}); Ctrl-C to stop\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await app.stop();
      return 0;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if ((error as Error).name === 'RuntimeBusyError') {
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
