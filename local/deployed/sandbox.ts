import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * The filesystem a Lambda instance sees, built with a private mount namespace per instance:
 * `/var/task` is the function's asset (read-only), `/opt` its layers (read-only, empty without one),
 * `/var/runtime` the bootstrap and the AWS SDK the Lambda runtime provides, `/var/lang/bin/node` the
 * Node.js binary, `/tmp` a fresh tmpfs of the function's ephemeral storage that dies with the
 * instance, and no system fonts. The rest of the host stays visible (this isolates what functions
 * share and what a bundle must carry; it is not a security boundary).
 */

export class SandboxUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxUnavailableError';
  }
}

export type SandboxKind = 'root' | 'userns';

export interface SandboxLayout {
  assetDir: string;
  layerDirs: string[];
  nodeBinary: string;
  bootstrap: string;
  /** node_modules that holds @aws-sdk (the SDK "the runtime provides"). */
  sdkNodeModules: string;
  ephemeralStorageMb: number;
  heapMb: number;
}

// Positional arguments, not environment variables: the instance's environment stays exactly the
// function's. Everything is bound before /tmp and /opt are covered, so sources may live there.
const SCRIPT = `set -eu
asset=$1 node=$2 boot=$3 sdk=$4 tmp_mb=$5 heap_mb=$6
shift 6
mount -t tmpfs -o mode=0755,size=8m bie-var /var
mkdir -p /var/task /var/runtime/node_modules /var/runtime/sdk/node_modules /var/lang/bin
mount --bind -o ro "$asset" /var/task
: > /var/runtime/bootstrap.mjs
mount --bind -o ro "$boot" /var/runtime/bootstrap.mjs
: > /var/lang/bin/node
mount --bind -o ro "$node" /var/lang/bin/node
mount --bind -o ro "$sdk" /var/runtime/sdk/node_modules
ln -s /var/runtime/sdk/node_modules/@aws-sdk /var/runtime/node_modules/@aws-sdk
mount -o remount,bind,ro /var
if [ $# -eq 0 ]; then
  mount -t tmpfs -o ro,size=4k bie-opt /opt
elif [ $# -eq 1 ]; then
  mount --bind -o ro "$1" /opt
else
  lower=""
  for layer in "$@"; do lower="$layer\${lower:+:$lower}"; done
  mount -t overlay -o "lowerdir=$lower" bie-opt /opt
fi
# The Lambda image has no system fonts: a bundle that forgot its font must not find the host's.
if [ -d /usr/share/fonts ]; then mount -t tmpfs -o ro,size=4k bie-nofonts /usr/share/fonts; fi
mount -t tmpfs -o "mode=1777,size=\${tmp_mb}m" bie-tmp /tmp
cd /var/task
unset OLDPWD PWD
exec /var/lang/bin/node --max-old-space-size="$heap_mb" /var/runtime/bootstrap.mjs
`;

const UNSHARE: Record<SandboxKind, string[]> = {
  root: ['--mount', '--propagation', 'private'],
  userns: ['--user', '--map-root-user', '--mount', '--propagation', 'private'],
};

function which(name: string): string | undefined {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin']) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

let detected: { kind: SandboxKind; unshare: string; setpriv?: string } | undefined;

/**
 * Finds how this machine can give each instance its own mount namespace: as root, or through an
 * unprivileged user namespace. Without either the mode cannot keep its promises, so it refuses.
 */
export function detectSandbox(): { kind: SandboxKind; unshare: string; setpriv?: string } {
  if (detected) return detected;
  const unshare = which('unshare');
  const failures: string[] = [];
  if (!unshare) failures.push('the unshare command (util-linux) is not installed');
  if (!existsSync('/opt')) failures.push('/opt does not exist (it is where layers are mounted)');
  if (unshare && !failures.length) {
    for (const kind of ['root', 'userns'] as const) {
      if (kind === 'root' && process.getuid?.() !== 0) continue;
      const probe = spawnSync(
        unshare,
        [...UNSHARE[kind], '--', '/bin/sh', '-c', 'mount -t tmpfs -o size=4k bie-probe /var'],
        { encoding: 'utf8', timeout: 10_000 },
      );
      if (probe.status === 0) {
        detected = { kind, unshare, setpriv: which('setpriv') };
        return detected;
      }
      failures.push(`unshare (${kind}): ${(probe.stderr || probe.error?.message || '').trim()}`);
    }
  }
  throw new SandboxUnavailableError(
    `as-deployed mode needs a private mount namespace per function instance (run as root, or enable unprivileged user namespaces: sysctl kernel.unprivileged_userns_clone=1); ${failures.join('; ')}`,
  );
}

const COVERED = ['/var'];

/** The command that starts one instance: setpriv (die with the pool) → unshare → sh (mounts) → node. */
export function sandboxCommand(layout: SandboxLayout): { file: string; args: string[] } {
  const sandbox = detectSandbox();
  const sources = [
    layout.assetDir,
    ...layout.layerDirs,
    layout.nodeBinary,
    layout.bootstrap,
    layout.sdkNodeModules,
  ].map((p) => realpathSync(p));
  for (const source of sources) {
    const covered = COVERED.find((dir) => source === dir || source.startsWith(`${dir}/`));
    if (covered)
      throw new SandboxUnavailableError(
        `${source} is under ${covered}, which every instance sees as Lambda's own ${covered}; move it elsewhere`,
      );
  }
  const [asset, ...rest] = sources;
  const layers = rest.slice(0, layout.layerDirs.length);
  const [node, boot, sdk] = rest.slice(layout.layerDirs.length);
  const inner = [
    sandbox.unshare,
    ...UNSHARE[sandbox.kind],
    '--',
    '/bin/sh',
    '-c',
    SCRIPT,
    'bie-instance',
    asset as string,
    node as string,
    boot as string,
    sdk as string,
    String(layout.ephemeralStorageMb),
    String(layout.heapMb),
    ...layers,
  ];
  // An instance paused between invocations must not outlive the pool if the pool dies abruptly.
  return sandbox.setpriv
    ? { file: sandbox.setpriv, args: ['--pdeathsig', 'KILL', ...inner] }
    : { file: inner[0] as string, args: inner.slice(1) };
}
