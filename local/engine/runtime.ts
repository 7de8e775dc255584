import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AslRunner, type LambdaHandler, type MachineSpec } from './asl-runner.js';
import { type ApiRoute, httpApiRequestHandler } from './http-api.js';
import { close, listen } from './http-util.js';
import { sfnRequestHandler } from './sfn-server.js';

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
}

export interface RuntimeInfo {
  pid: number;
  apiUrl: string;
  sfnUrl: string;
  startedAt: string;
}

export interface Runtime {
  runner: AslRunner;
  info: RuntimeInfo;
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

export function readRuntimeInfo(dataDir: string): RuntimeInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(runtimeInfoPath(dataDir), 'utf8')) as RuntimeInfo;
    process.kill(info.pid, 0); // throws when that process is gone
    return info;
  } catch {
    return undefined;
  }
}

/**
 * Opens the Step Functions endpoint and the HTTP API before any handler module is imported, so their
 * URLs can go into the environment (AWS_ENDPOINT_URL_SFN, APPROVAL_BASE_URL, WEBHOOK_BASE_URL) that
 * the handlers' clients and configuration read at load time.
 */
export async function openEndpoints(apiPort = 0) {
  let sfnHandler: ReturnType<typeof sfnRequestHandler> | undefined;
  let apiHandler: ReturnType<typeof httpApiRequestHandler> | undefined;
  const notReady = (res: import('node:http').ServerResponse) => {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'runtime starting' }));
  };
  const sfn = await listen(async (req, res) => (sfnHandler ? sfnHandler(req, res) : notReady(res)));
  const api = await listen(async (req, res) => (apiHandler ? apiHandler(req, res) : notReady(res)), apiPort);
  return {
    sfnUrl: sfn.url,
    apiUrl: api.url,
    bind(runner: AslRunner, routes: ApiRoute[]) {
      sfnHandler = sfnRequestHandler(runner);
      apiHandler = httpApiRequestHandler(routes);
    },
    async close() {
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
  });
  opts.endpoints.bind(runner, opts.routes);
  const info: RuntimeInfo = {
    pid: process.pid,
    apiUrl: opts.endpoints.apiUrl,
    sfnUrl: opts.endpoints.sfnUrl,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(runtimeInfoPath(opts.dataDir), `${JSON.stringify(info, null, 2)}\n`);
  return {
    runner,
    info,
    async stop() {
      rmSync(runtimeInfoPath(opts.dataDir), { force: true });
      await runner.close();
      await opts.endpoints.close();
    },
  };
}
