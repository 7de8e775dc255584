import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AslRunner, type LambdaHandler, type MachineSpec } from './asl-runner.js';
import { writeFileAtomic } from './atomic-file.js';
import { type ApiRoute, httpApiRequestHandler } from './http-api.js';
import { close, listen } from './http-util.js';
import { type DataDirLock, isSameProcess, processStartTime } from './lock.js';
import { sfnRequestHandler } from './sfn-server.js';
import { type SiteConfig, siteRequestHandler } from './site.js';

export interface MachineFile {
  arn: string;
  name: string;
  file: string;
}

export interface RuntimeOptions {
  dataDir: string;
  machines: MachineFile[];
  /** `${Placeholder}` → value, the same map CDK passes as definitionSubstitutions. */
  substitutions: Record<string, string>;
  functions: Record<string, LambdaHandler>;
  routes: ApiRoute[];
  retryIntervalMs?: number;
  /** Injected Task faults (see AslRunner's RunnerOptions.faults). */
  faults?: Record<string, number>;
  /** The data directory's lock (see lock.ts): told the API URL once it is known, released by stop(). */
  lock?: DataDirLock;
}

export interface RuntimeInfo {
  pid: number;
  /** The process's start time, so a runtime.json whose pid was reused by another process is stale. */
  pidStartTime?: string;
  apiUrl: string;
  sfnUrl: string;
  startedAt: string;
}

export interface Runtime {
  runner: AslRunner;
  info: RuntimeInfo;
  /**
   * Stops starting work (no new handler call; API requests still answered, so callbacks and approvals
   * for Tasks in flight land) and waits up to `graceMs` for handler calls and API requests in flight.
   */
  drain(graceMs: number): Promise<{ unfinished: number }>;
  stop(): Promise<void>;
}

/** Applies `${Name}` substitutions as CDK does, refusing to leave any placeholder unresolved. */
export function substituteDefinition(text: string, subs: Record<string, string>, file: string): string {
  return text.replace(/\$\{(\w+)\}/g, (_, key: string) => {
    const value = subs[key];
    if (value === undefined) throw new Error(`${file}: no substitution for \${${key}}`);
    return value;
  });
}

export const runtimeInfoPath = (dataDir: string): string => path.join(dataDir, 'runtime.json');

/**
 * The runtime serving a data directory, from its runtime.json, when that process is still the one
 * that wrote it (same pid and start time): a file a killed process left behind names nobody.
 */
export function readRuntimeInfo(dataDir: string): RuntimeInfo | undefined {
  let info: RuntimeInfo;
  try {
    info = JSON.parse(readFileSync(runtimeInfoPath(dataDir), 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
  return typeof info.pid === 'number' && isSameProcess(info.pid, info.pidStartTime) ? info : undefined;
}

/**
 * Opens the Step Functions endpoint and the HTTP API before any handler module is imported, so their
 * URLs can go into the environment (AWS_ENDPOINT_URL_SFN, APPROVAL_BASE_URL, WEBHOOK_BASE_URL) that
 * the handlers' clients and configuration read at load time.
 */
export async function openEndpoints(
  apiPort = 0,
  site?: { dir: string | (() => string | undefined); config: SiteConfig },
) {
  const serveSite = site ? siteRequestHandler(site.dir, site.config) : undefined;
  let sfnHandler: ReturnType<typeof sfnRequestHandler> | undefined;
  let apiHandler: ReturnType<typeof httpApiRequestHandler> | undefined;
  const notReady = (res: import('node:http').ServerResponse) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ message: 'runtime starting' }));
  };
  // API requests being handled: a clean stop lets them finish before the emulators go away.
  let inflight = 0;
  let idleWaiters: (() => void)[] = [];
  const sfn = await listen(async (req, res) => (sfnHandler ? sfnHandler(req, res) : notReady(res)));
  const api = await listen(async (req, res) => {
    if (serveSite?.(req, res)) return;
    if (!apiHandler) return notReady(res);
    inflight++;
    try {
      await apiHandler(req, res);
    } finally {
      inflight--;
      if (inflight === 0) for (const w of idleWaiters.splice(0)) w();
    }
  }, apiPort);
  return {
    sfnUrl: sfn.url,
    apiUrl: api.url,
    bind(runner: AslRunner, routes: ApiRoute[]) {
      sfnHandler = sfnRequestHandler(runner);
      apiHandler = httpApiRequestHandler(routes);
    },
    /** Resolves when no API request is being handled. */
    idle(): Promise<void> {
      if (inflight === 0) return Promise.resolve();
      return new Promise<void>((r) => {
        idleWaiters.push(r);
      });
    },
    async close() {
      idleWaiters = [];
      await close(api.server);
      await close(sfn.server);
    },
  };
}

export type Endpoints = Awaited<ReturnType<typeof openEndpoints>>;

/** Builds the runner over the same ASL files and substitutions as CDK, and serves it on the endpoints. */
export function startRuntime(opts: RuntimeOptions & { endpoints: Endpoints }): Runtime {
  const machines: Record<string, MachineSpec> = {};
  for (const m of opts.machines) {
    machines[m.arn] = {
      name: m.name,
      definition: substituteDefinition(readFileSync(m.file, 'utf8'), opts.substitutions, m.file),
    };
  }
  const runner = new AslRunner({
    dataDir: opts.dataDir,
    machines,
    functions: opts.functions,
    retryIntervalMs: opts.retryIntervalMs,
    faults: opts.faults,
  });
  opts.endpoints.bind(runner, opts.routes);
  const info: RuntimeInfo = {
    pid: process.pid,
    pidStartTime: processStartTime(process.pid),
    apiUrl: opts.endpoints.apiUrl,
    sfnUrl: opts.endpoints.sfnUrl,
    startedAt: new Date().toISOString(),
  };
  writeFileAtomic(runtimeInfoPath(opts.dataDir), `${JSON.stringify(info, null, 2)}\n`);
  opts.lock?.update({ apiUrl: info.apiUrl, state: 'running' });
  return {
    runner,
    info,
    async drain(graceMs) {
      opts.lock?.update({ state: 'stopping' });
      const until = Date.now() + graceMs;
      const result = await runner.drain(graceMs);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        opts.endpoints.idle(),
        new Promise<void>((r) => {
          timer = setTimeout(r, Math.max(0, until - Date.now()));
        }),
      ]);
      clearTimeout(timer);
      return result;
    },
    async stop() {
      opts.lock?.update({ state: 'stopping' });
      await runner.close();
      await opts.endpoints.close();
      rmSync(runtimeInfoPath(opts.dataDir), { force: true });
    },
  };
}
