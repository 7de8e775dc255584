import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock, processStartTime, RuntimeBusyError } from '../../local/engine/lock.js';
import { readRuntimeInfo, runtimeInfoPath } from '../../local/engine/runtime.js';

const tsx = path.resolve(import.meta.dirname, '../../node_modules/tsx/dist/loader.mjs');
const lockModule = path.resolve(import.meta.dirname, '../../local/engine/lock.ts');
const dir = () => mkdtempSync(path.join(tmpdir(), 'bie-lock-'));

describe('the data directory lock', () => {
  it('lets exactly one of two runtimes started at once in, and tells the other who holds it', async () => {
    // Prepare
    const dataDir = dir();

    // Act
    const results = await Promise.allSettled([acquireDataDirLock(dataDir), acquireDataDirLock(dataDir)]);

    // Assess
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(RuntimeBusyError);
    expect(String(lost[0]?.reason.message)).toContain(`pid ${process.pid}`);
    expect(String(lost[0]?.reason.message)).toContain('already uses');
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireDataDirLock>>>).value.release();
  });

  it('dies with its holder: a SIGKILLed runtime does not keep the directory busy', async () => {
    // Prepare: another process takes the lock, then is killed -9.
    const dataDir = dir();
    const holder = spawn(
      process.execPath,
      [
        '--import',
        tsx,
        '-e',
        `const { acquireDataDirLock } = await import(${JSON.stringify(lockModule)});
         await acquireDataDirLock(${JSON.stringify(dataDir)});
         console.log('locked');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) =>
      holder.stdout.on('data', (d) => String(d).includes('locked') && resolve()),
    );
    await expect(acquireDataDirLock(dataDir, { waitForStoppingMs: 0 })).rejects.toBeInstanceOf(
      RuntimeBusyError,
    );
    holder.kill('SIGKILL');
    await new Promise((r) => holder.on('exit', r));

    // Act
    const lock = await acquireDataDirLock(dataDir);

    // Assess
    expect(lock.dataDir).toBeTruthy();
    await lock.release();
  });

  it('waits for a holder that is stopping instead of failing an immediate restart', async () => {
    // Prepare
    const dataDir = dir();
    const first = await acquireDataDirLock(dataDir);
    first.update({ state: 'stopping' });
    setTimeout(() => void first.release(), 400);

    // Act
    const started = Date.now();
    const second = await acquireDataDirLock(dataDir, { waitForStoppingMs: 10_000 });

    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await second.release();
  });

  it('ignores a runtime.json whose pid now belongs to another process', () => {
    // Prepare: the pid is alive (this test process) but started at another time than recorded.
    const dataDir = dir();
    const info = {
      pid: process.pid,
      apiUrl: 'http://127.0.0.1:1',
      sfnUrl: 'http://127.0.0.1:2',
      startedAt: '',
    };
    writeFileSync(runtimeInfoPath(dataDir), JSON.stringify({ ...info, pidStartTime: '1' }));

    // Act
    const stale = readRuntimeInfo(dataDir);
    writeFileSync(
      runtimeInfoPath(dataDir),
      JSON.stringify({ ...info, pidStartTime: processStartTime(process.pid) }),
    );
    const live = readRuntimeInfo(dataDir);

    // Assess
    expect(stale).toBeUndefined();
    expect(live?.pid).toBe(process.pid);
  });
});
