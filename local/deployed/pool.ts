import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  type WriteStream,
} from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LambdaHandler } from '../engine/asl-runner.js';
import { sandboxCommand } from './sandbox.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BOOTSTRAP = path.join(import.meta.dirname, 'bootstrap.mjs');

/** What the pool needs of a function of the deployed model (the model's functions fit this shape). */
export interface PoolFunction {
  name: string;
  arn: string;
  assetDir: string;
  /** `file.export`, as in the template (`index.handler`). */
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Exactly the template's variables, resolved to local values. */
  environment: Record<string, string>;
  layerDirs: string[];
  ephemeralStorageMb?: number;
  roleArn?: string;
  logicalId?: string;
  catalogId?: string;
  /** ReservedConcurrentExecutions: beyond it Lambda throttles (TooManyRequestsException). */
  reservedConcurrency?: number;
}

export interface LambdaError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export type InvocationOutcome =
  | { ok: true; requestId: string; payload: unknown }
  | {
      ok: false;
      requestId: string;
      error: LambdaError;
      /** The Lambda service refused or lost the invocation (not the function's own error). */
      service?: boolean;
    };

export interface Principal {
  functionName: string;
  functionArn: string;
  roleArn?: string;
  logicalId?: string;
  catalogId?: string;
  instanceId: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface UndeclaredEnvRead {
  function: string;
  variable: string;
  /** Where the function's own code read it (original source through the bundle's source map). */
  source: string;
}

export interface ColdStart {
  function: string;
  /** Spawn (namespace, mounts, Node start) until the handler module is loaded. */
  totalMs: number;
  /** The handler module's import alone, measured inside the instance. */
  importMs: number;
}

/** Work still running when a handler answered: on Lambda it is frozen and may never finish. */
export interface BackgroundWork {
  function: string;
  requestId: string;
  /** Node's resource kinds (ProcessWrap: a child process; FSReqCallback: a file operation; Timeout: a timer). */
  resources: string[];
}

export interface InvocationFailure {
  function: string;
  requestId: string;
  errorType: string;
  errorMessage: string;
  at: string;
}

export interface AsyncFailure {
  function: string;
  requestId: string;
  attempts: number;
  error: LambdaError;
  at: string;
}

export interface PoolOptions {
  /** `<dir>/<function>.log` holds each function's output, like its CloudWatch log group. */
  logDir: string;
  /** Emulator plumbing added to every instance (AWS_ENDPOINT_URL, checksum settings), nothing else. */
  plumbing?: Record<string, string>;
  region?: string;
  /** Instances per function at most; beyond, invocations wait and the throttle is reported. */
  maxInstances?: number;
  /** An instance idle this long is reclaimed, as Lambda does (default 10 min). */
  idleMs?: number;
  /** Delays before the two retries of a failed asynchronous invocation (Lambda: about 1 and 2 minutes). */
  asyncRetryDelaysMs?: number[];
  /** Where warnings go (throttles, dead letters); default stderr. */
  warn?: (line: string) => void;
}

// Lambda's limits on synchronous payloads (request and response).
const MAX_SYNC_PAYLOAD = 6_291_556;
const INIT_SECONDS = 10;

function nodeBinary(): string {
  if (process.versions.node.startsWith('22.')) return process.execPath;
  const local = path.join(ROOT, 'node_modules', '.bin', 'node');
  if (!existsSync(local))
    throw new Error('as-deployed mode needs Node.js 22 (node_modules/.bin/node is missing)');
  return realpathSync(local);
}

function sdkNodeModules(): string {
  const dir = path.join(ROOT, 'node_modules');
  if (!existsSync(path.join(dir, '@aws-sdk')))
    throw new Error(`${dir} has no @aws-sdk to provide as the runtime's SDK`);
  return dir;
}

const accessKeyId = () =>
  `ASIA${Array.from(randomBytes(16), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('')}`;

const lambdaError = (errorType: string, errorMessage: string): LambdaError => ({
  errorType,
  errorMessage,
  trace: [],
});

function logStreamName(): string {
  const d = new Date();
  const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

interface Pending {
  requestId: string;
  arn: string;
  resolve: (outcome: InvocationOutcome) => void;
  startedAt: number;
  timer?: NodeJS.Timeout;
}

interface EnvReadRecord {
  fn: Deployed;
  variable: string;
  frames: { file: string; line: number; column: number }[];
}

type InstanceState = 'starting' | 'idle' | 'busy' | 'dead';

class Instance {
  readonly id = randomBytes(4).toString('hex');
  readonly credentials = {
    accessKeyId: accessKeyId(),
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(96).toString('base64'),
  };
  state: InstanceState = 'starting';
  child!: ChildProcess;
  ready!: Promise<void>;
  current?: Pending;
  initMs = 0;
  importMs = 0;
  reported = false;
  stderrTail: string[] = [];
  idleTimer?: NodeJS.Timeout;
  exit?: { code: number | null; signal: NodeJS.Signals | null };

  constructor(readonly fn: Deployed) {}
}

interface Deployed {
  spec: PoolFunction;
  label: string;
  instances: Instance[];
  waiting: (() => void)[];
  log: WriteStream;
}

/**
 * Runs functions as Lambda runs them: each instance is its own Node.js process in its own mount
 * namespace, started cold on first use and reused, one invocation at a time, paused (SIGSTOP) as
 * soon as its handler has answered, with the function's own environment, memory and timeout.
 * Nothing here imports a handler.
 */
export class FunctionPool {
  private readonly byArn = new Map<string, Deployed>();
  private readonly byName = new Map<string, Deployed>();
  private readonly byKey = new Map<string, Instance>();
  private readonly envReads: EnvReadRecord[] = [];
  private readonly maps = new Map<string, SourceMap | null>();
  private readonly colds: ColdStart[] = [];
  private readonly throttled: { function: string; at: string }[] = [];
  private readonly deadLetters: AsyncFailure[] = [];
  private readonly failures: InvocationFailure[] = [];
  private readonly leftovers: BackgroundWork[] = [];
  private readonly asyncRuns = new Set<Promise<void>>();
  private readonly node = nodeBinary();
  private readonly sdk = sdkNodeModules();
  private readonly region: string;
  private readonly maxInstances: number;
  private readonly warn: (line: string) => void;
  private closed = false;

  constructor(
    functions: readonly PoolFunction[],
    private readonly opts: PoolOptions,
  ) {
    this.region = opts.region ?? 'us-east-1';
    this.maxInstances = opts.maxInstances ?? 10;
    this.warn = opts.warn ?? ((line) => process.stderr.write(`${line}\n`));
    mkdirSync(opts.logDir, { recursive: true });
    for (const spec of functions) {
      const label = spec.catalogId ?? spec.name;
      const fn: Deployed = {
        spec,
        label,
        instances: [],
        waiting: [],
        log: createWriteStream(path.join(opts.logDir, `${label}.log`), { flags: 'a' }),
      };
      this.byArn.set(spec.arn, fn);
      this.byName.set(spec.name, fn);
      if (spec.catalogId) this.byName.set(spec.catalogId, fn);
    }
  }

  /** The function behind an ARN (qualified or not), a name or a catalog id. */
  private find(ref: string): Deployed | undefined {
    const unqualified = ref.replace(/:(\$LATEST|\d+)$/, '');
    return this.byArn.get(unqualified) ?? this.byName.get(unqualified);
  }

  has(ref: string): boolean {
    return this.find(ref) !== undefined;
  }

  /** Synchronous invocation (RequestResponse): resolves with the payload or the Lambda-shaped error. */
  async invoke(ref: string, payload: unknown, opts: { requestId?: string } = {}): Promise<InvocationOutcome> {
    const requestId = opts.requestId ?? randomUUID();
    const fn = this.find(ref);
    if (!fn)
      return {
        ok: false,
        requestId,
        service: true,
        error: lambdaError('ResourceNotFoundException', `Function not found: ${ref}`),
      };
    const text = JSON.stringify(payload === undefined ? null : payload);
    if (Buffer.byteLength(text) > MAX_SYNC_PAYLOAD)
      return {
        ok: false,
        requestId,
        service: true,
        error: lambdaError(
          'RequestEntityTooLargeException',
          `Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation`,
        ),
      };
    if (this.closed)
      return {
        ok: false,
        requestId,
        service: true,
        error: lambdaError('ServiceException', 'the pool is closed'),
      };
    const instance = await this.acquire(fn);
    try {
      await instance.ready;
    } catch {
      return this.initFailure(fn, instance, requestId);
    }
    return this.run(fn, instance, requestId, ref.startsWith('arn:') ? ref : fn.spec.arn, text);
  }

  /** The same as a handler the ASL runner and the HTTP API call: a failure throws, named by its errorType. */
  handler(ref: string): LambdaHandler {
    return async (event) => {
      const outcome = await this.invoke(ref, event);
      if (outcome.ok) return outcome.payload;
      const error = new Error(outcome.error.errorMessage);
      error.name = outcome.service ? `Lambda.${outcome.error.errorType}` : outcome.error.errorType;
      throw error;
    };
  }

  /**
   * Asynchronous invocation (Event): accepted at once; a failure is retried twice, then recorded as
   * a dead letter, as Lambda's asynchronous invocation does.
   */
  invokeAsync(ref: string, payload: unknown): { requestId: string; accepted: boolean } {
    const requestId = randomUUID();
    const fn = this.find(ref);
    if (!fn || this.closed) return { requestId, accepted: false };
    const delays = this.opts.asyncRetryDelaysMs ?? [60_000, 120_000];
    const run = (async () => {
      let last: LambdaError | undefined;
      for (let attempt = 0; attempt <= delays.length; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, delays[attempt - 1]).unref());
        if (this.closed) return;
        const outcome = await this.invoke(ref, payload, { requestId });
        if (outcome.ok) return;
        last = outcome.error;
      }
      const failure: AsyncFailure = {
        function: fn.label,
        requestId,
        attempts: delays.length + 1,
        error: last ?? lambdaError('Error', 'unknown'),
        at: new Date().toISOString(),
      };
      this.deadLetters.push(failure);
      this.warn(
        `as-deployed: ${fn.label} failed asynchronously ${failure.attempts} times (dead letter): ${failure.error.errorType}: ${failure.error.errorMessage}`,
      );
    })();
    this.asyncRuns.add(run);
    void run.finally(() => this.asyncRuns.delete(run));
    return { requestId, accepted: true };
  }

  /** Starts an instance to the point its handler module is loaded, then pauses it (used by the bench). */
  async warm(ref: string): Promise<ColdStart> {
    const fn = this.find(ref);
    if (!fn) throw new Error(`Function not found: ${ref}`);
    const instance = this.spawnInstance(fn);
    await instance.ready;
    this.release(fn, instance);
    return { function: fn.label, totalMs: instance.initMs, importMs: instance.importMs };
  }

  /**
   * The function instance these credentials were issued to (how the gateway knows who is calling).
   * They outlive the instance, as a role session does: a URL it presigned stays valid after it is gone.
   */
  principalFor(accessKeyId: string): Principal | undefined {
    const instance = this.byKey.get(accessKeyId);
    if (!instance) return undefined;
    const s = instance.fn.spec;
    return {
      functionName: s.name,
      functionArn: s.arn,
      roleArn: s.roleArn,
      logicalId: s.logicalId,
      catalogId: s.catalogId,
      instanceId: instance.id,
      ...instance.credentials,
    };
  }

  /** Reads, by a function's own code, of a variable that is neither in its template nor set by Lambda. */
  undeclaredEnvReads(): UndeclaredEnvRead[] {
    const out = new Map<string, UndeclaredEnvRead>();
    for (const record of this.envReads) {
      const source = this.attribute(record);
      if (!source) continue;
      const read = { function: record.fn.label, variable: record.variable, source };
      out.set(`${read.function}\u0000${read.variable}\u0000${read.source}`, read);
    }
    return [...out.values()];
  }

  coldStarts(): ColdStart[] {
    return [...this.colds];
  }

  throttles(): { function: string; at: string }[] {
    return [...this.throttled];
  }

  /** Invocations whose handler answered with work still running (frozen with the instance). */
  backgroundWork(): BackgroundWork[] {
    return [...this.leftovers];
  }

  /** Every invocation that failed (function errors, timeouts, crashes, init failures), oldest first. */
  invocationFailures(): InvocationFailure[] {
    return [...this.failures];
  }

  asyncFailures(): AsyncFailure[] {
    return [...this.deadLetters];
  }

  /** Live instances of a function (for tests and diagnostics). */
  instances(ref: string): { id: string; pid: number; state: InstanceState }[] {
    return (this.find(ref)?.instances ?? []).map((i) => ({
      id: i.id,
      pid: i.child.pid ?? 0,
      state: i.state,
    }));
  }

  async close(): Promise<void> {
    this.closed = true;
    const exits: Promise<void>[] = [];
    for (const fn of this.byArn.values()) {
      for (const instance of [...fn.instances]) exits.push(this.kill(instance));
      for (const wake of fn.waiting.splice(0)) wake();
    }
    await Promise.all(exits);
    await Promise.allSettled([...this.asyncRuns]);
    await Promise.all(
      [...this.byArn.values()].map((fn) => new Promise<void>((resolve) => fn.log.end(() => resolve()))),
    );
  }

  // ------------------------------------------------------------------ instances

  private async acquire(fn: Deployed): Promise<Instance> {
    for (;;) {
      const idle = fn.instances.find((i) => i.state === 'idle');
      if (idle) {
        idle.state = 'busy';
        if (idle.idleTimer) clearTimeout(idle.idleTimer);
        return idle;
      }
      if (fn.instances.length < this.maxInstances) {
        const instance = this.spawnInstance(fn);
        instance.state = 'busy';
        return instance;
      }
      this.throttled.push({ function: fn.label, at: new Date().toISOString() });
      this.warn(
        `as-deployed: ${fn.label} has ${this.maxInstances} busy instances (the local cap); the invocation waits for one`,
      );
      await new Promise<void>((resolve) => fn.waiting.push(resolve));
      if (this.closed) throw new Error('the pool is closed');
    }
  }

  private release(fn: Deployed, instance: Instance): void {
    if (instance.state === 'dead') {
      fn.waiting.shift()?.();
      return;
    }
    instance.state = 'idle';
    // Lambda freezes the sandbox once the handler has answered: no background work runs until the
    // next invocation thaws it.
    signal(instance, 'SIGSTOP');
    instance.idleTimer = setTimeout(() => void this.kill(instance), this.opts.idleMs ?? 600_000);
    instance.idleTimer.unref();
    fn.waiting.shift()?.();
  }

  private environment(fn: Deployed, instance: Instance): Record<string, string> {
    const s = fn.spec;
    return {
      ...s.environment,
      // What the Lambda runtime itself sets (reserved: a template cannot override them).
      _HANDLER: s.handler,
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: s.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(s.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${s.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(),
      AWS_ACCESS_KEY_ID: instance.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: instance.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: instance.credentials.sessionToken,
      LAMBDA_TASK_ROOT: '/var/task',
      LAMBDA_RUNTIME_DIR: '/var/runtime',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
      LD_LIBRARY_PATH:
        '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
      NODE_PATH:
        '/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task',
      // Emulator plumbing only: where AWS is, and the checksum mode s3rver understands.
      ...this.opts.plumbing,
    };
  }

  private spawnInstance(fn: Deployed): Instance {
    const instance = new Instance(fn);
    const s = fn.spec;
    const command = sandboxCommand({
      assetDir: s.assetDir,
      layerDirs: s.layerDirs,
      nodeBinary: this.node,
      bootstrap: BOOTSTRAP,
      sdkNodeModules: this.sdk,
      ephemeralStorageMb: s.ephemeralStorageMb ?? 512,
      // As Lambda's Node.js bootstrap does: most of the memory for the old generation.
      heapMb: Math.max(64, Math.floor(s.memoryMb * 0.9)),
    });
    const started = performance.now();
    const child = spawn(command.file, command.args, {
      env: this.environment(fn, instance),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    instance.child = child;
    fn.instances.push(instance);
    this.byKey.set(instance.credentials.accessKeyId, instance);
    for (const [stream, isErr] of [
      [child.stdout, false],
      [child.stderr, true],
    ] as const) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
        fn.log.write(`${line}\n`);
        if (isErr) {
          instance.stderrTail.push(line);
          if (instance.stderrTail.length > 20) instance.stderrTail.shift();
        }
      });
    }
    instance.ready = new Promise<void>((resolve, reject) => {
      const initTimer = setTimeout(
        () => {
          reject(
            lambdaError(
              'Sandbox.Timedout',
              `Init timed out after ${INIT_SECONDS + s.timeoutSeconds}.00 seconds`,
            ),
          );
          void this.kill(instance);
        },
        (INIT_SECONDS + s.timeoutSeconds) * 1000,
      );
      child.on('message', (raw) => {
        const message = raw as ChildMessage;
        switch (message.t) {
          case 'ready':
            clearTimeout(initTimer);
            instance.initMs = performance.now() - started;
            instance.importMs = message.importMs;
            this.colds.push({ function: fn.label, totalMs: instance.initMs, importMs: instance.importMs });
            fn.log.write(
              `INIT_REPORT Init Duration: ${instance.initMs.toFixed(2)} ms\tModule import: ${instance.importMs.toFixed(2)} ms\n`,
            );
            resolve();
            return;
          case 'initError':
            clearTimeout(initTimer);
            fn.log.write(
              `INIT_REPORT Status: error\tErrorType: ${message.error.errorType}\t${message.error.errorMessage}\n`,
            );
            reject(message.error);
            void this.kill(instance);
            return;
          case 'env':
            this.envReads.push({ fn, variable: message.variable, frames: message.frames });
            return;
          case 'result':
          case 'error':
            this.settle(fn, instance, message);
            return;
          case 'fatal':
            void this.kill(instance);
            if (message.id)
              this.complete(fn, instance, { ok: false, requestId: message.id, error: message.error });
            return;
        }
      });
      child.on('close', (code, signal) => {
        clearTimeout(initTimer);
        instance.exit = { code, signal };
        const wasBusy = instance.current;
        instance.state = 'dead';
        this.forget(fn, instance);
        reject(
          lambdaError(
            'Runtime.ExitError',
            `Error: Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${code}`}${this.tail(instance)}`,
          ),
        );
        if (wasBusy) {
          const oom = instance.stderrTail.some((l) => /heap out of memory|Allocation failed/.test(l));
          this.complete(fn, instance, {
            ok: false,
            requestId: wasBusy.requestId,
            error: lambdaError(
              oom ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
              `RequestId: ${wasBusy.requestId} Error: Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${code}`}`,
            ),
          });
        }
      });
      child.on('error', (error) => {
        clearTimeout(initTimer);
        reject(lambdaError('Runtime.ExitError', `the instance could not start: ${error.message}`));
      });
    });
    instance.ready.catch(() => undefined);
    return instance;
  }

  private tail(instance: Instance): string {
    const lines = instance.stderrTail.filter((l) => l.trim()).slice(-5);
    return lines.length ? ` (stderr: ${lines.join(' | ')})` : '';
  }

  private initFailure(fn: Deployed, instance: Instance, requestId: string): Promise<InvocationOutcome> {
    return instance.ready.then(
      () => ({ ok: false, requestId, error: lambdaError('Runtime.Unknown', 'unreachable') }) as const,
      (error: LambdaError) => {
        fn.log.write(`START RequestId: ${requestId} Version: $LATEST\nEND RequestId: ${requestId}\n`);
        this.recordFailure(fn, requestId, error);
        // A sandbox whose init failed is discarded; the next invocation starts a fresh one.
        void this.kill(instance);
        fn.waiting.shift()?.();
        return { ok: false as const, requestId, error };
      },
    );
  }

  private run(
    fn: Deployed,
    instance: Instance,
    requestId: string,
    arn: string,
    payload: string,
  ): Promise<InvocationOutcome> {
    const s = fn.spec;
    return new Promise<InvocationOutcome>((resolve) => {
      const startedAt = performance.now();
      const pending: Pending = { requestId, arn, resolve, startedAt };
      instance.current = pending;
      pending.timer = setTimeout(() => {
        // As Lambda does: the sandbox is torn down and the invocation fails.
        void this.kill(instance);
        this.complete(fn, instance, {
          ok: false,
          requestId,
          error: lambdaError(
            'Sandbox.Timedout',
            `RequestId: ${requestId} Error: Task timed out after ${s.timeoutSeconds.toFixed(2)} seconds`,
          ),
        });
      }, s.timeoutSeconds * 1000);
      fn.log.write(`START RequestId: ${requestId} Version: $LATEST\n`);
      signal(instance, 'SIGCONT');
      instance.child.send(
        { t: 'invoke', id: requestId, arn, payload, deadline: Date.now() + s.timeoutSeconds * 1000 },
        (error) => {
          // The instance died in between: its exit settles the invocation as Runtime.ExitError.
          if (error) void this.kill(instance);
        },
      );
    });
  }

  private settle(fn: Deployed, instance: Instance, message: ResultMessage): void {
    const pending = instance.current;
    if (!pending || pending.requestId !== message.id) return;
    if (message.pending?.length) {
      this.leftovers.push({ function: fn.label, requestId: message.id, resources: message.pending });
      fn.log.write(
        `BACKGROUND RequestId: ${message.id}\tStill running when the handler answered (frozen until the next invocation): ${message.pending.join(', ')}\n`,
      );
    }
    if (message.t === 'error') {
      this.complete(fn, instance, { ok: false, requestId: message.id, error: message.error });
      return;
    }
    if (Buffer.byteLength(message.payload) > MAX_SYNC_PAYLOAD) {
      this.complete(fn, instance, {
        ok: false,
        requestId: message.id,
        error: lambdaError(
          'Function.ResponseSizeTooLarge',
          `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_PAYLOAD} bytes).`,
        ),
      });
      return;
    }
    this.complete(fn, instance, { ok: true, requestId: message.id, payload: JSON.parse(message.payload) });
  }

  private complete(fn: Deployed, instance: Instance, outcome: InvocationOutcome): void {
    const pending = instance.current;
    if (!pending || pending.requestId !== outcome.requestId) return;
    instance.current = undefined;
    if (pending.timer) clearTimeout(pending.timer);
    const ms = performance.now() - pending.startedAt;
    fn.log.write(
      `END RequestId: ${pending.requestId}\nREPORT RequestId: ${pending.requestId}\tDuration: ${ms.toFixed(2)} ms\tBilled Duration: ${Math.ceil(ms)} ms\tMemory Size: ${fn.spec.memoryMb} MB\tMax Memory Used: ${maxMemoryMb(instance.child.pid)} MB${instance.reported ? '' : `\tInit Duration: ${instance.initMs.toFixed(2)} ms`}${outcome.ok ? '' : `\tStatus: error\tErrorType: ${outcome.error.errorType}`}\n`,
    );
    instance.reported = true;
    if (!outcome.ok) this.recordFailure(fn, outcome.requestId, outcome.error);
    // A function error does not end the sandbox; the instance is reused (frozen until then).
    if (instance.state !== 'dead') this.release(fn, instance);
    else fn.waiting.shift()?.();
    pending.resolve(outcome);
  }

  private recordFailure(fn: Deployed, requestId: string, error: LambdaError): void {
    this.failures.push({
      function: fn.label,
      requestId,
      errorType: error.errorType,
      errorMessage: error.errorMessage,
      at: new Date().toISOString(),
    });
  }

  private forget(fn: Deployed, instance: Instance): void {
    if (instance.idleTimer) clearTimeout(instance.idleTimer);
    fn.instances = fn.instances.filter((i) => i !== instance);
  }

  private kill(instance: Instance): Promise<void> {
    instance.state = 'dead';
    const child = instance.child;
    this.forget(instance.fn, instance);
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null)
      return Promise.resolve();
    return new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  // ------------------------------------------------------------------ attribution of env reads

  private attribute(record: EnvReadRecord): string | undefined {
    for (const frame of record.frames) {
      const source = this.original(record.fn, frame);
      if (source.startsWith('node:') || source.startsWith('/var/runtime/')) return undefined;
      // zod reads whatever keys the caller's schema names: the caller is the reader.
      if (/(^|\/)node_modules\/zod\//.test(source)) continue;
      if (/(^|\/)node_modules\//.test(source)) return undefined;
      return source;
    }
    return undefined;
  }

  /** `file:line` of a frame in the original sources, when the asset ships a source map. */
  private original(fn: Deployed, frame: { file: string; line: number; column: number }): string {
    if (frame.file.startsWith('node:')) return frame.file;
    const inside = frame.file.startsWith('file:') ? fileURLToPath(frame.file) : frame.file;
    let host: string | undefined;
    if (inside.startsWith('/var/task/'))
      host = path.join(fn.spec.assetDir, inside.slice('/var/task/'.length));
    else if (inside.startsWith('/opt/'))
      host = fn.spec.layerDirs
        .map((d) => path.join(d, inside.slice('/opt/'.length)))
        .reverse()
        .find((f) => existsSync(f));
    if (!host) return inside;
    let map = this.maps.get(host);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${host}.map`, 'utf8')));
      } catch {
        map = null;
      }
      this.maps.set(host, map);
    }
    if (!map) return `${inside}:${frame.line}`;
    const entry = map.findEntry(frame.line - 1, frame.column - 1) as {
      originalSource?: string;
      originalLine?: number;
    };
    if (!entry.originalSource) return `${inside}:${frame.line}`;
    // Sources are relative to where the bundler wrote the bundle, a sibling of the asset directory.
    const source = entry.originalSource.startsWith('file:')
      ? fileURLToPath(entry.originalSource)
      : path.resolve(path.dirname(realpathSync(host)), entry.originalSource);
    const relative = path.relative(ROOT, source);
    return `${relative.startsWith('..') ? source : relative}:${(entry.originalLine ?? 0) + 1}`;
  }
}

type ResultMessage =
  | { t: 'result'; id: string; payload: string; pending?: string[] }
  | { t: 'error'; id: string; error: LambdaError; pending?: string[] };

type ChildMessage =
  | { t: 'ready'; importMs: number }
  | { t: 'initError'; error: LambdaError }
  | { t: 'env'; variable: string; frames: { file: string; line: number; column: number }[] }
  | { t: 'fatal'; id?: string; error: LambdaError }
  | ResultMessage;

/** Pauses or resumes an instance; one that has just exited is left to its exit handler. */
function signal(instance: Instance, name: 'SIGSTOP' | 'SIGCONT'): void {
  const pid = instance.child.pid;
  if (pid === undefined || instance.child.exitCode !== null || instance.child.signalCode !== null) return;
  try {
    process.kill(pid, name);
  } catch {
    // ESRCH: the process is gone; its 'close' event settles whatever it was doing.
  }
}

/** Peak resident memory of the instance (VmHWM), as the REPORT line shows it. */
function maxMemoryMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.ceil(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}
