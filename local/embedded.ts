import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import {
  FUNCTIONS,
  functionPlaceholder,
  ROUTES,
  STATE_MACHINES,
  stateMachinePlaceholder,
} from '../lambdas/catalog.js';
import { type LambdaHandler, localFunctionArn, localMachineArn, parseFaults } from './engine/asl-runner.js';
import { readOrCreate, writeFileAtomic } from './engine/atomic-file.js';
import { type Emulators, LOCAL_EVENT_BUS, startEmulators } from './engine/emulators.js';
import { type LambdaEndpoint, openLambdaEndpoint } from './engine/lambda-server.js';
import { acquireDataDirLock, type DataDirLock } from './engine/lock.js';
import { openEndpoints, type Runtime, runtimeInfoPath, startRuntime } from './engine/runtime.js';
import { startLocalScheduler } from './engine/scheduler-service.js';
import { siteBuilt, WEB_DIST } from './engine/site.js';

export { RuntimeBusyError } from './engine/lock.js';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const BUCKET = 'bie-media';
export const TABLE = 'bie';
export const machineArn = (id: string) => localMachineArn(`bie-${id}`);

export interface EmbeddedOptions {
  dataDir: string;
  apiPort?: number;
  /** Milliseconds between ASL retries; tests use 0. */
  retryIntervalMs?: number;
  /** Resume executions a previous process left unfinished (default true). */
  resume?: boolean;
  /** Run the scheduled functions (trend scraping, render polling) on timers (default true). */
  schedules?: boolean;
  /**
   * How long a clean stop waits for handler calls, API requests and background invocations in flight
   * before it stops the executions where they are (default 20 s; BIE_STOP_GRACE_MS).
   */
  stopGraceMs?: number;
}

export interface Embedded {
  runtime: Runtime;
  emulators: Emulators;
  functions: Record<string, LambdaHandler>;
  /**
   * The Lambda Invoke endpoint (AWS_ENDPOINT_URL_LAMBDA) of the embedded default: asynchronous
   * invocations run here. As deployed, the AWS gateway answers Invoke and the pool runs them.
   */
  lambda?: LambdaEndpoint;
  dataDir: string;
  /**
   * A clean stop: no new work; handler calls, API requests and background invocations in flight get the
   * grace period to finish (their results journaled); executions stop where they are (RUNNING, resumed
   * by the next start); the emulators close their files; the data directory's lock is released last.
   */
  stop(): Promise<void>;
}

/** The grace period of a clean stop (EmbeddedOptions.stopGraceMs). */
export const stopGraceMs = (opts: { stopGraceMs?: number }): number =>
  opts.stopGraceMs ?? (Number(process.env.BIE_STOP_GRACE_MS) || 20_000);

/** Waits for `work` at most until `deadline` (epoch ms). */
export async function until(deadline: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise<void>((r) => {
      timer = setTimeout(r, Math.max(0, deadline - Date.now()));
    }),
  ]);
  clearTimeout(timer);
}

/** Runs `start` holding the data directory's lock; a start that fails releases it. */
export async function withDataDirLock<T>(
  dataDir: string,
  start: (lock: DataDirLock) => Promise<T>,
): Promise<T> {
  mkdirSync(dataDir, { recursive: true });
  const lock = await acquireDataDirLock(dataDir);
  try {
    return await start(lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** Sets a variable unless the caller already chose a value (tests and users can override any of them). */
const setDefault = (key: string, value: string) => {
  if (process.env[key] === undefined) process.env[key] = value;
};

function signingSecret(dataDir: string): string {
  return readOrCreate(
    path.join(dataDir, 'approval-signing-secret'),
    () => randomBytes(32).toString('base64url'),
    {
      mode: 0o600,
      valid: (v) => /^[\w-]{43}$/.test(v),
    },
  );
}

/** The Standard Webhooks secret of this data directory's render callbacks (`whsec_` + base64 of 32 bytes). */
function webhookSecret(dataDir: string): string {
  return readOrCreate(
    path.join(dataDir, 'webhook-secret'),
    () => `whsec_${randomBytes(32).toString('base64')}`,
    {
      mode: 0o600,
      valid: (v) => /^whsec_[A-Za-z0-9+/]{43}=$/.test(v),
    },
  );
}

/**
 * The API port a previous process of this data directory used (a killed one leaves runtime.json), when
 * it is free: asynchronous invocations it accepted run again here and call back the URL they were
 * given, as on AWS, where the API URL does not change.
 */
const apiUrlPath = (dataDir: string) => path.join(dataDir, 'api-url');

async function previousApiPort(dataDir: string): Promise<number> {
  let port: number;
  try {
    // api-url outlives a clean stop (runtime.json does not): renders queued by a stopped process call
    // back here too. runtime.json is what directories from before api-url have.
    const url = readFileSync(apiUrlPath(dataDir), 'utf8').trim();
    port = Number(new URL(url).port);
  } catch {
    try {
      const info = JSON.parse(readFileSync(runtimeInfoPath(dataDir), 'utf8')) as { apiUrl?: string };
      port = Number(new URL(info.apiUrl ?? '').port);
    } catch {
      return 0;
    }
  }
  if (!port) return 0;
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(port)));
  });
}

/**
 * Offline, no brand has reachable trend feeds: the example feed files seed the shared trends every
 * brand sees (as an operator would import them), so briefs have trend data to rank.
 */
async function seedExampleTrends(): Promise<void> {
  const { parseFeed } = await import('../lambdas/shared/feeds/rss-atom.js');
  const { trends } = await import('../lambdas/shared/data/repositories.js');
  const { toStoredTrends } = await import('../lambdas/strategist/domain/scrape.js');
  const dir = path.join(ROOT, 'examples', 'trends');
  const items = readdirSync(dir)
    .filter((f) => /\.(xml|rss|atom)$/i.test(f))
    .sort()
    .flatMap((f) => parseFeed(readFileSync(path.join(dir, f), 'utf8'), f));
  await trends.upsert('shared', toStoredTrends(items, undefined));
}

/**
 * The embedded default: emulators, the Step Functions endpoint and the HTTP API in this process,
 * the ASL files from state-machines/ with the same substitutions CDK uses, and every handler of the
 * catalog imported in-process. Configuration is the only difference from AWS: the environment is set
 * here, before any handler module is imported (clients and config are built at module load).
 */
export async function startEmbedded(opts: EmbeddedOptions): Promise<Embedded> {
  const dataDir = path.resolve(opts.dataDir);
  // dynalite allows one owner per data directory; a second one would crash on its first request.
  return withDataDirLock(dataDir, async (lock) => {
    // A start that fails half-way closes what it opened (the lock is released by withDataDirLock).
    const opened: (() => Promise<void>)[] = [];
    try {
      return await startLocked(dataDir, lock, opts, opened);
    } catch (error) {
      for (const close of opened.reverse()) await close().catch(() => undefined);
      throw error;
    }
  });
}

async function startLocked(
  dataDir: string,
  lock: DataDirLock,
  opts: EmbeddedOptions,
  opened: (() => Promise<void>)[],
): Promise<Embedded> {
  const emulators = await startEmulators(dataDir, [BUCKET]);
  opened.push(() => emulators.stop());
  // The review dashboard on the API's origin when it is built (bie serve builds it; no sign-in locally:
  // the dashboard routes are open here as the IAM routes are, and review links carry their signature).
  const endpoints = await openEndpoints(
    opts.apiPort ?? (await previousApiPort(dataDir)),
    siteBuilt() ? { dir: WEB_DIST, config: { apiUrl: '', auth: null } } : undefined,
  );
  opened.push(() => endpoints.close());
  writeFileAtomic(apiUrlPath(dataDir), `${endpoints.apiUrl}\n`);
  // Two cores: at most two background renders at once (the Map already limits submits to three).
  const lambda = await openLambdaEndpoint({
    asyncConcurrency: 2,
    queueDir: path.join(dataDir, 'lambda-events'),
  });
  opened.push(() => lambda.close());
  // EventBridge Scheduler (scheduled posts): durable one-time timers under <data>/scheduler.
  const scheduler = await startLocalScheduler(dataDir);
  opened.push(() => scheduler.stop());
  Object.assign(process.env, emulators.env, scheduler.env, {
    AWS_ENDPOINT_URL_SFN: endpoints.sfnUrl,
    AWS_ENDPOINT_URL_LAMBDA: lambda.url,
  });
  setDefault('OFFLINE_RENDERER_FUNCTION_NAME', 'bie-RenderOfflineScene');
  setDefault('TABLE_NAME', TABLE);
  setDefault('BUCKET_NAME', BUCKET);
  process.env.APPROVAL_BASE_URL = endpoints.apiUrl;
  process.env.WEBHOOK_BASE_URL = endpoints.apiUrl;
  process.env.DASHBOARD_URL = siteBuilt() ? endpoints.apiUrl : '';
  setDefault('APPROVAL_SIGNING_SECRET', signingSecret(dataDir));
  setDefault('WEBHOOK_SECRET', webhookSecret(dataDir));
  setDefault('MAIL_FROM', 'approvals@brand-infinity.local');
  process.env.CAMPAIGN_STATE_MACHINE_ARN = machineArn('Campaign');
  setDefault('BIE_WORK_DIR', path.join(dataDir, 'work'));
  setDefault('APPROVER_EMAIL', 'brand-manager@example.com');
  setDefault('EVENT_BUS_NAME', LOCAL_EVENT_BUS);
  setDefault('MAIL_FROM', 'approvals@brand-infinity.local');
  setDefault('BIE_MASTER_WIDTH', '720');
  setDefault('BIE_MASTER_HEIGHT', '1280');
  setDefault('BIE_X264_PRESET', 'superfast');
  setDefault('POWERTOOLS_METRICS_DISABLED', 'true');
  setDefault('POWERTOOLS_LOG_LEVEL', 'ERROR');
  setDefault('POWERTOOLS_DEV', 'false');

  const { ensureTable } = await import('../lambdas/shared/data/table.js');
  await ensureTable();
  await seedExampleTrends();

  const functions: Record<string, LambdaHandler> = {};
  const substitutions: Record<string, string> = {};
  const byId: Record<string, LambdaHandler> = {};
  for (const f of FUNCTIONS) {
    const mod = (await import(path.join(ROOT, f.entry))) as { handler?: LambdaHandler };
    if (typeof mod.handler !== 'function') throw new Error(`${f.entry} does not export a handler`);
    const arn = localFunctionArn(`bie-${f.id}`);
    functions[arn] = mod.handler;
    byId[f.id] = mod.handler;
    substitutions[functionPlaceholder(f.id)] = arn;
  }
  for (const m of STATE_MACHINES) substitutions[stateMachinePlaceholder(m.id)] = machineArn(m.id);
  lambda.bind(
    FUNCTIONS.map((f) => ({
      name: `bie-${f.id}`,
      arn: localFunctionArn(`bie-${f.id}`),
      handler: byId[f.id] as LambdaHandler,
      timeoutSeconds: f.timeoutSeconds,
      memoryMb: f.memoryMb,
    })),
  );

  const runtime = startRuntime({
    dataDir,
    endpoints,
    machines: STATE_MACHINES.map((m) => ({
      arn: machineArn(m.id),
      name: `bie-${m.id}`,
      file: path.join(ROOT, m.file),
    })),
    substitutions,
    functions,
    routes: ROUTES.map((r) => ({
      method: r.method,
      path: r.path,
      handler: byId[r.functionId] as LambdaHandler,
      functionName: `bie-${r.functionId}`,
    })),
    retryIntervalMs: opts.retryIntervalMs,
    faults: parseFaults(process.env.BIE_INJECT_FAULTS),
    lock,
  });

  // EventBridge schedules, locally: scrape the brands' trend feeds hourly, poll renders every 20 s.
  const timers: NodeJS.Timeout[] = [];
  const invoke = async (id: string) => {
    try {
      await byId[id]?.({}, { functionName: `bie-${id}` } as never);
    } catch (error) {
      process.stderr.write(`scheduled ${id} failed: ${(error as Error).message}\n`);
    }
  };
  if (opts.schedules !== false) {
    timers.push(
      setInterval(() => void invoke('ScrapeTrends'), 3_600_000),
      setInterval(() => void invoke('PollRenders'), 20_000),
      setInterval(() => void invoke('CollectEngagement'), 3_600_000),
    );
    for (const t of timers) t.unref();
  }
  if (opts.resume !== false) runtime.runner.resumeUnfinished();
  scheduler.start(functions);

  let stopping: Promise<void> | undefined;
  return {
    runtime,
    emulators,
    functions,
    lambda,
    dataDir,
    async stop() {
      if (stopping) return stopping;
      stopping = (async () => {
        for (const t of timers) clearInterval(t);
        await scheduler.stopFiring();
        const deadline = Date.now() + stopGraceMs(opts);
        await runtime.drain(Math.max(0, deadline - Date.now()));
        // Background invocations (a render) may still call back through the API: it stays up meanwhile.
        await until(deadline, lambda.close());
        await runtime.stop();
        await scheduler.stop();
        await emulators.stop();
        await lock.release();
      })();
      return stopping;
    },
  };
}
