#!/usr/bin/env node
// Launcher: runs cli/bie.ts on Node 22 with tsx. s3rver's paginated listings need the legacy OpenSSL
// provider (DES continuation tokens), so the CLI is re-executed with that flag once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const localNode = join(root, 'node_modules', '.bin', 'node');
const major = Number(process.versions.node.split('.')[0]);
const node = major >= 22 || !existsSync(localNode) ? process.execPath : localNode;
const result = spawnSync(
  node,
  [
    '--openssl-legacy-provider',
    '--import',
    import.meta.resolve('tsx'),
    join(root, 'cli', 'bie.ts'),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', cwd: process.cwd(), env: { ...process.env, BIE_ROOT: root } },
);
process.exit(result.status ?? 1);
