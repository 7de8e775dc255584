/**
 * Runs `bie` as a user does (node bin/bie.mjs, its own process group) and kills it at chosen points:
 * shared by tests/reliability/kill-rerun.test.ts and bench/reliability-kills.bench.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BRAND = path.join(ROOT, 'examples/brands/lumen-coffee.md');
export const BRAND_ID = 'ff4f8834-1ee1-4d12-937f-63b2ff4157f3';
export const PLATFORMS = ['instagram', 'linkedin', 'tiktok', 'youtube'];

/** Small media and a short clean-stop grace: the same pipeline, fast enough to kill many times. */
export const FAST_ENV = {
  BIE_MASTER_WIDTH: '180',
  BIE_MASTER_HEIGHT: '320',
  BIE_RENDITION_SCALE: '0.25',
  BIE_X264_PRESET: 'ultrafast',
  BIE_STOP_GRACE_MS: '5000',
};

/** The example launch request, 15 s long, as a file of its own. */
export function writeRequest(dir: string): string {
  const file = path.join(dir, 'request.json');
  const json = JSON.parse(
    readFileSync(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json'), 'utf8'),
  );
  json.campaign_request.target_duration_seconds = 15;
  writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

export interface Bie {
  child: ChildProcess;
  pid: number;
  startedAt: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  stdout(): string;
  stderr(): string;
}

/** `node bin/bie.mjs ...args` in its own process group (so a group kill is a crash of everything). */
export function startBie(args: string[], env: Record<string, string> = {}): Bie {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/bie.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...FAST_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  let all = '';
  child.stdout?.on('data', (d) => {
    out += String(d);
    all += String(d);
  });
  child.stderr?.on('data', (d) => {
    err += String(d);
    all += String(d);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    pid: child.pid as number,
    startedAt: Date.now(),
    exited,
    output: () => all,
    stdout: () => out,
    stderr: () => err,
  };
}

/** Waits until `fired()` holds, the process exits, or the time is up. */
export async function waitFor(
  bie: Bie,
  fired: () => boolean,
  timeoutMs: number,
): Promise<'fired' | 'exited' | 'timeout'> {
  let exited = false;
  void bie.exited.then(() => {
    exited = true;
  });
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (fired()) return 'fired';
    if (exited) return 'exited';
    if (Date.now() > until) return 'timeout';
    await new Promise((r) => setTimeout(r, 15));
  }
}

export type KillHow = 'SIGKILL (process group)' | 'SIGKILL (launcher only)' | 'SIGTERM' | 'SIGINT';

export function kill(bie: Bie, how: KillHow): void {
  try {
    if (how === 'SIGKILL (process group)') process.kill(-bie.pid, 'SIGKILL');
    else if (how === 'SIGKILL (launcher only)') process.kill(bie.pid, 'SIGKILL');
    else process.kill(bie.pid, how);
  } catch {
    // already gone
  }
}

const count = (dir: string, suffix = ''): number => {
  try {
    return readdirSync(dir).filter((f) => f.endsWith(suffix)).length;
  } catch {
    return 0;
  }
};

/** What can be watched in a data directory while `bie run` works on it. */
export const watch = {
  /** dynalite's LevelDB exists: the emulators of the very first start are opening. */
  leveldbCreated: (data: string) => existsSync(path.join(data, 'dynamodb', 'CURRENT')),
  /** `bie run` wrote its run record: the campaign is being created. */
  runRecorded: (data: string) => count(path.join(data, 'runs'), '.json') > 0,
  /** Scene clips the offline video model has written. */
  clips: (data: string) =>
    count(path.join(data, 's3', 'bie-media', 'provider-renders', 'offline'), '.mp4._S3rver_object'),
  /** Posts the offline publisher has published. */
  posts: (data: string) =>
    PLATFORMS.reduce((n, p) => n + count(path.join(data, 's3', 'bie-media', 'outbox', p)), 0),
};

/** One point at which a run is interrupted, and how. */
export interface KillPoint {
  point: string;
  how: KillHow;
  /** Whether the run has reached the point (`base` is what the data directory held when the run started). */
  reached(data: string, bie: Bie, base: { clips: number; posts: number }): boolean;
}

export const KILL_POINTS: KillPoint[] = [
  {
    point: 'very first start (LevelDB just created, no table yet)',
    how: 'SIGKILL (process group)',
    reached: (data) => watch.leveldbCreated(data),
  },
  {
    point: 'still loading (launcher killed -9 after 0.8 s)',
    how: 'SIGKILL (launcher only)',
    reached: (_data, bie) => Date.now() - bie.startedAt >= 800,
  },
  {
    point: 'run recorded, campaign being created',
    how: 'SIGKILL (process group)',
    reached: (data) => watch.runRecorded(data),
  },
  {
    point: 'copywriting (a scene was written)',
    how: 'SIGKILL (process group)',
    reached: (_data, bie) => /Copywriter\s+WriteScene\s+[\d.]+s/.test(bie.output()),
  },
  {
    point: 'production (a scene clip was rendered)',
    how: 'SIGTERM',
    reached: (data, _bie, base) => watch.clips(data) > base.clips,
  },
  {
    point: 'production (voice, music or assembly)',
    how: 'SIGKILL (launcher only)',
    reached: (_data, bie) =>
      /Production House\s+(SynthesizeVoiceover|ComposeMusic|AssembleMaster|CheckQuality)\s+[\d.]+s/.test(
        bie.output(),
      ),
  },
  {
    point: 'broadcasting (a post was published)',
    how: 'SIGKILL (process group)',
    reached: (data, _bie, base) => watch.posts(data) > base.posts,
  },
];

export interface KillOutcome {
  point: string;
  how: KillHow;
  /** fired: killed at the point; timeout: killed when the wait ran out; exited: the run ended first. */
  trigger: 'fired' | 'exited' | 'timeout';
  atMs: number;
  exit: { code: number | null; signal: NodeJS.Signals | null };
}

/**
 * Runs `bie run` once per kill point on one data directory, killing it at the point, then once more
 * to the end. Returns each kill, and the last run's exit and JSON result.
 */
export async function killAndRerun(
  data: string,
  runArgs: string[],
  points: KillPoint[],
  opts: { waitMs?: number; log?: (line: string) => void; logDir?: string } = {},
): Promise<{ kills: KillOutcome[]; final: { code: number | null; result: unknown; stderr: string } }> {
  const kills: KillOutcome[] = [];
  for (const p of points) {
    const base = { clips: watch.clips(data), posts: watch.posts(data) };
    const bie = startBie(runArgs);
    const trigger = await waitFor(bie, () => p.reached(data, bie, base), opts.waitMs ?? 120_000);
    const atMs = Date.now() - bie.startedAt;
    if (trigger !== 'exited') kill(bie, p.how);
    const exit = await bie.exited;
    kills.push({ point: p.point, how: p.how, trigger, atMs, exit });
    if (opts.logDir) writeFileSync(path.join(opts.logDir, `run-${kills.length}.log`), bie.output());
    opts.log?.(
      `  ${p.point.padEnd(55)} ${p.how.padEnd(24)} ${trigger.padEnd(8)} at ${(atMs / 1000).toFixed(1)}s → exit ${exit.code ?? exit.signal}`,
    );
    if (exit.code === 3)
      throw new Error(`bie said the data directory is busy after "${p.point}":\n${bie.stderr()}`);
    if (trigger === 'exited') break;
  }
  const last = startBie(runArgs);
  const exit = await last.exited;
  if (opts.logDir) writeFileSync(path.join(opts.logDir, 'run-final.log'), last.output());
  let result: unknown;
  try {
    result = JSON.parse(last.stdout());
  } catch {
    result = undefined;
  }
  return { kills, final: { code: exit.code, result, stderr: last.stderr() } };
}

export interface Inspection {
  campaigns: {
    campaign_id: string;
    status: string;
    scenes: number;
    publications: number;
    ledger: { pillar: string; unit: string; description: string }[];
  }[];
  posts: Record<string, string[]>;
}

/** What the data directory holds (tests/reliability/fixtures/inspect.ts in a process of its own). */
export async function inspect(data: string): Promise<Inspection> {
  const tsx = path.join(ROOT, 'node_modules/tsx/dist/loader.mjs');
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--import', tsx, path.join(import.meta.dirname, 'fixtures', 'inspect.ts')],
    { cwd: ROOT, env: { ...process.env, DATA_DIR: data, BRAND_ID }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += String(d);
  });
  child.stderr.on('data', (d) => {
    err += String(d);
  });
  const code = await new Promise((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`inspect failed (${code}): ${err}`);
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Inspection;
}

/** Rows charged more than once for the same step (the same description), by description. */
export function doubleCharges(ledger: Inspection['campaigns'][number]['ledger']): string[] {
  const seen = new Map<string, number>();
  for (const e of ledger)
    seen.set(`${e.pillar}: ${e.description}`, (seen.get(`${e.pillar}: ${e.description}`) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([d, n]) => `${d} ×${n}`);
}

/** One transient fault in each of these steps, across the pillars (BIE_INJECT_FAULTS syntax). */
export const TRANSIENT_FAULTS = [
  'GatherTrends:1',
  'SynthesizeBrief:1',
  'WriteScene:1',
  'RenderScene:1',
  'SynthesizeVoiceover:1',
  'AssembleMaster:1',
  'FormatRendition:1',
  'PublishPost:1',
];

/**
 * The `bie run` of the example, auto-approved with JSON output, in a work folder of its own: its data
 * directory, request file and output folder.
 */
export function exampleRun(work: string): { args: string[]; data: string; out: string } {
  const data = path.join(work, 'data');
  const out = path.join(work, 'out');
  return {
    data,
    out,
    args: [
      'run',
      '--request',
      writeRequest(work),
      '--brand',
      BRAND,
      '--auto-approve',
      '--json',
      '--data',
      data,
      '--out',
      out,
    ],
  };
}
