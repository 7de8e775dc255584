import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, realpathSync, rmSync, writeSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import path from 'node:path';

/**
 * One runtime per data directory: dynalite's LevelDB, s3rver's files and the execution journals have
 * a single owner. The lock must not outlive its owner (a SIGKILL, an OOM kill, a power cut) and of two
 * processes started at once exactly one may win.
 *
 * On Linux the lock is an abstract Unix socket named after the data directory's real path: binding a
 * name is atomic (the second bind fails with EADDRINUSE) and the kernel frees the name the instant the
 * process dies, however it dies; there is no file to go stale. The holder answers a connection with
 * who it is (pid, API URL, whether it is stopping), which is what the "busy" message says. Elsewhere
 * a lock file created exclusively holds the pid and the process start time, and is taken over when
 * that process is gone.
 */
export class RuntimeBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeBusyError';
  }
}

export interface HolderInfo {
  pid: number;
  /** The holder's start time (clock ticks since boot on Linux), so a reused pid is not mistaken for it. */
  pidStartTime?: string;
  apiUrl?: string;
  state: 'starting' | 'running' | 'stopping';
  dataDir: string;
}

export interface DataDirLock {
  readonly dataDir: string;
  /** What a process that finds the directory busy is told. */
  update(info: Partial<Pick<HolderInfo, 'apiUrl' | 'state'>>): void;
  release(): Promise<void>;
}

/** The start time of a process (field 22 of /proc/<pid>/stat), or undefined when unknown. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields after it follow the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

/** Whether `pid` is the very process that recorded `startTime` (not a later one that reused the pid). */
export function isSameProcess(pid: number, startTime: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user; its start time still tells whether it is the one.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === startTime;
}

/** The holder records of the locks this process holds (see markStopping). */
const held = new Set<HolderInfo>();

/**
 * Tells whoever asks that this process is stopping (a signal arrived, maybe before the runtime even
 * finished starting), so an immediate restart waits for it instead of being told "busy".
 */
export function markStopping(): void {
  for (const info of held) info.state = 'stopping';
}

const socketName = (dir: string) =>
  `\0brand-infinity-engine/${createHash('sha256').update(dir).digest('hex').slice(0, 40)}`;

function busyMessage(dir: string, holder: HolderInfo | undefined): string {
  const who = holder
    ? `a runtime (pid ${holder.pid}${holder.apiUrl ? `, API ${holder.apiUrl}` : ''}${holder.state === 'stopping' ? ', stopping' : ''})`
    : 'another runtime';
  return `${who} already uses ${dir}; use it, stop it, or pass another --data`;
}

/** Asks the holder of an abstract-socket lock who it is (undefined when it does not answer in time). */
function askHolder(name: string): Promise<HolderInfo | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect({ path: name });
    const done = (info: HolderInfo | undefined) => {
      socket.destroy();
      resolve(info);
    };
    socket.setTimeout(2000, () => done(undefined));
    socket.on('data', (d) => {
      text += String(d);
    });
    socket.on('end', () => {
      try {
        done(JSON.parse(text) as HolderInfo);
      } catch {
        done(undefined);
      }
    });
    socket.on('error', () => done(undefined));
  });
}

async function acquireSocketLock(dir: string, info: HolderInfo): Promise<DataDirLock | HolderInfo | 'busy'> {
  const name = socketName(dir);
  const server: Server = createServer((socket) => {
    socket.end(JSON.stringify(info));
  });
  const bound = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(false) : reject(error),
    );
    server.listen({ path: name, exclusive: true }, () => resolve(true));
  });
  if (!bound) return (await askHolder(name)) ?? 'busy';
  // The lock must not keep a finished process alive.
  server.unref();
  held.add(info);
  return {
    dataDir: dir,
    update(patch) {
      // Once stopping, always stopping: a late "running" must not make a restart give up.
      Object.assign(info, patch, info.state === 'stopping' ? { state: 'stopping' } : {});
    },
    release: () =>
      new Promise<void>((resolve) => {
        held.delete(info);
        server.close(() => resolve());
      }),
  };
}

function acquireFileLock(dir: string, info: HolderInfo): DataDirLock | HolderInfo | 'busy' {
  const file = path.join(dir, '.runtime.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      held.add(info);
      return {
        dataDir: dir,
        update(patch) {
          Object.assign(info, patch, info.state === 'stopping' ? { state: 'stopping' } : {});
        },
        async release() {
          held.delete(info);
          rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: HolderInfo | undefined;
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as HolderInfo;
    } catch {
      holder = undefined; // torn by a kill while being written: its writer is gone
    }
    if (holder && isSameProcess(holder.pid, holder.pidStartTime)) return holder;
    rmSync(file, { force: true });
  }
  return 'busy';
}

/**
 * Takes the data directory's lock or throws RuntimeBusyError naming its holder. A holder that is
 * stopping (it got SIGTERM, or its launcher died) is waited for up to `waitForStoppingMs`, so an
 * immediate restart does not fail against a runtime that is about to let go.
 */
export async function acquireDataDirLock(
  dataDir: string,
  opts: { waitForStoppingMs?: number } = {},
): Promise<DataDirLock> {
  const dir = realpathSync(dataDir);
  const info: HolderInfo = {
    pid: process.pid,
    pidStartTime: processStartTime(process.pid),
    state: 'starting',
    dataDir: dir,
  };
  const until = Date.now() + (opts.waitForStoppingMs ?? 30_000);
  for (;;) {
    const got =
      process.platform === 'linux' ? await acquireSocketLock(dir, info) : acquireFileLock(dir, info);
    if (typeof got === 'object' && 'release' in got) return got;
    const holder = got === 'busy' ? undefined : got;
    if (holder?.state !== 'stopping' || Date.now() > until)
      throw new RuntimeBusyError(busyMessage(dir, holder));
    await new Promise((r) => setTimeout(r, 200));
  }
}
