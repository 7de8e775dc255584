#!/usr/bin/env node
// Launcher: runs cli/bie.ts on Node 22 with tsx. s3rver's paginated listings need the legacy OpenSSL
// provider (DES continuation tokens), so the CLI is re-executed with that flag once.
//
// The runtime lives in that child, so the launcher is only a conduit: SIGINT, SIGTERM and SIGHUP are
// forwarded to it (a process manager or `kill` usually signals the pid it started, which is this one),
// the launcher waits for it to stop cleanly and exits with its code (or dies of the same signal). The
// IPC channel tells the child when the launcher itself is gone (even by SIGKILL): it then stops cleanly
// instead of holding the data directory as an orphan.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const localNode = join(root, 'node_modules', '.bin', 'node');
const major = Number(process.versions.node.split('.')[0]);
const node = major >= 22 || !existsSync(localNode) ? process.execPath : localNode;
const child = spawn(
  node,
  [
    '--openssl-legacy-provider',
    '--import',
    import.meta.resolve('tsx'),
    join(root, 'cli', 'bie.ts'),
    ...process.argv.slice(2),
  ],
  {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    cwd: process.cwd(),
    env: { ...process.env, BIE_ROOT: root },
  },
);

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const forward = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of FORWARDED) process.on(signal, forward);

child.on('error', (error) => {
  process.stderr.write(`bie: cannot start ${node}: ${error.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  for (const s of FORWARDED) process.off(s, forward);
  if (code !== null) process.exit(code);
  // Killed by a signal: die of the same one, as a shell expects (128 + its number otherwise).
  process.kill(process.pid, signal ?? 'SIGTERM');
  process.exit(128 + (constants.signals[signal] ?? 15));
});
