import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const worker = path.join(import.meta.dirname, 'fixtures', 'resume-worker.ts');
const tsx = path.resolve(import.meta.dirname, '../../node_modules/tsx/dist/loader.mjs');

function runWorker(dataDir: string, resume: boolean) {
  const child = spawn(process.execPath, ['--import', tsx, worker], {
    env: { ...process.env, DATA_DIR: dataDir, RESUME: resume ? '1' : '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += String(d);
  });
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => stdout, errors: () => stderr };
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []);

describe('crash safety', () => {
  it('resumes an execution killed mid-step without re-running its finished steps', async () => {
    // Prepare: run until the slow middle step has started, then SIGKILL the process.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-crash-'));
    const log = path.join(dataDir, 'side-effects.log');
    const first = runWorker(dataDir, false);
    const until = Date.now() + 30_000;
    while (!lines(log).includes('start slow')) {
      if (Date.now() > until) throw new Error(`worker never reached the slow step: ${first.errors()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    expect(lines(log)).toEqual(['start first', 'done first', 'start slow']);

    // Act: a new process on the same data directory resumes what was left.
    const second = runWorker(dataDir, true);
    const code = await second.exited;

    // Assess
    expect(code, second.errors()).toBe(0);
    const result = JSON.parse(second.output().trim().split('\n').pop() ?? '{}');
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      firstItem: true,
      output: { last: { done: 'last' } },
    });
    expect(lines(log)).toEqual([
      'start first',
      'done first',
      'start slow',
      'start slow',
      'done slow',
      'start last',
      'done last',
    ]);
  });
});
