import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MEDIA_PROFILES } from '../../lambdas/shared/config/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const worker = path.join(import.meta.dirname, 'fixtures', 'campaign-worker.ts');
const tsx = path.join(ROOT, 'node_modules/tsx/dist/loader.mjs');

function start(dataDir: string, mode: 'start' | 'resume') {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '--import', tsx, worker], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      MODE: mode,
      ...MEDIA_PROFILES.preview,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += String(d);
  });
  child.stderr.on('data', (d) => {
    err += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

describe('a campaign killed mid-production', () => {
  it('resumes after SIGKILL and finishes without asking decided approvals again or charging twice', async () => {
    // Prepare: run until the first scene clip exists at the "provider" (its prefix of the bucket, as
    // s3rver stores it on disk), then kill -9.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-crash-e2e-'));
    const renders = path.join(dataDir, 's3', 'bie-media', 'provider-renders', 'offline');
    const first = start(dataDir, 'start');
    const until = Date.now() + 90_000;
    while (!(existsSync(renders) && readdirSync(renders).some((f) => f.endsWith('.mp4._S3rver_object')))) {
      if (Date.now() > until) throw new Error(`never reached production: ${first.err()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    await first.exited;

    // Act: a new process on the same data resumes the campaign.
    const second = start(dataDir, 'resume');
    const code = await second.exited;

    // Assess
    expect(code, second.err()).toBe(0);
    const r = JSON.parse(second.out().trim().split('\n').pop() ?? '{}');
    expect(r.status).toBe('SUCCEEDED');
    expect(r.campaign_status).toBe('published');
    for (const checkpoint of ['brief', 'script', 'video', 'publication']) {
      expect(
        r.approvals.filter((a: string) => a.startsWith(`${checkpoint}:`)),
        checkpoint,
      ).toEqual([`${checkpoint}:approved`]);
    }
    expect(r.briefs).toBe(1);
    expect(r.render_charges).toBe(r.scenes);
    expect(r.completed_jobs).toBe(r.scenes);
    // Each scene was submitted once: its job found again after the restart, never a second one.
    expect(r.render_jobs).toBe(r.scenes);
    expect(r.provider_jobs).toBe(r.scenes);
    expect(r.submitting_jobs).toBe(0);
    expect(new Set(r.ledger_ids).size).toBe(r.ledger_ids.length);
    expect(r.publications).toBe(1);
  }, 240_000);
});
