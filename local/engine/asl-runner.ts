import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import {
  ExecutionAbortedError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { type ExecutionRecord, type ExecutionStatus, ExecutionStore } from './execution-store.js';

const require = createRequire(import.meta.url);
type Validator = (
  def: unknown,
  opts?: { checkArn?: boolean; checkPaths?: boolean },
) => {
  isValid: boolean;
  errorsText: (sep?: string) => string;
};
const aslValidator = require('asl-validator') as Validator;

/** The Lambda handler shape (a middy chain or a plain async function). */
export type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown>;

export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
  done(): void;
  fail(): void;
  succeed(): void;
}

export interface MachineSpec {
  name: string;
  /** ASL text with `${Placeholders}` already substituted. */
  definition: string;
}

export interface RunnerOptions {
  dataDir: string;
  machines: Record<string /* state machine ARN */, MachineSpec>;
  functions: Record<string /* function ARN, as substituted */, LambdaHandler>;
  /** Milliseconds between retries (tests use 0; production-like runs keep the ASL's backoff). */
  retryIntervalMs?: number;
  /**
   * Fault injection (rehearsals and tests, BIE_INJECT_FAULTS): the next N attempts of a Task state fail
   * with `InjectedFault` before its handler is called, as a Lambda or a provider that is down would.
   */
  faults?: Record<string /* state name */, number>;
}

/** `BIE_INJECT_FAULTS=AssemblePublication:3,RenderScene` → { AssemblePublication: 3, RenderScene: 1 }. */
export function parseFaults(spec: string | undefined): Record<string, number> {
  const faults: Record<string, number> = {};
  for (const part of (spec ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [state, n] = part.split(':');
    const times = n === undefined ? 1 : Number(n);
    if (!state || !Number.isInteger(times) || times < 0)
      throw new Error(`BIE_INJECT_FAULTS: "${part}" is not STATE or STATE:TIMES`);
    faults[state] = times;
  }
  return faults;
}

export interface RuntimeEvent {
  executionArn: string;
  machine: string;
  type: string;
  state?: string;
  /** Map iteration of the state, when it runs inside a Map. */
  index?: number;
  error?: string;
  /** The failure's cause (StateFailed, ExecutionFailed), cut to 500 characters. */
  cause?: string;
}

interface PendingToken {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  heartbeatMs?: number;
  timer?: NodeJS.Timeout;
  executionArn: string;
  state: string;
}

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type LocalResult = Awaited<ReturnType<LocalHandlers[string]>>;

const TOKEN_PLACEHOLDER = '__LOCAL_TASK_TOKEN__';
const STATE_PLACEHOLDER = '__LOCAL_STATE_NAME__';
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

export class TaskDoesNotExist extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskDoesNotExist';
  }
}
export class ExecutionDoesNotExist extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutionDoesNotExist';
  }
}
export class ExecutionNotRedrivable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutionNotRedrivable';
  }
}
export class ExecutionAlreadyExists extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutionAlreadyExists';
  }
}

/** An error as a Task fails with it: Step Functions matches Catch/Retry on `name`. */
class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

interface AslState {
  Type: string;
  Resource?: string;
  HeartbeatSeconds?: number;
  TimeoutSeconds?: number;
  ItemProcessor?: { States: Record<string, AslState> };
  Iterator?: { States: Record<string, AslState> };
  Branches?: { States: Record<string, AslState> }[];
}

function walkStates(states: Record<string, AslState>, visit: (name: string, s: AslState) => void): void {
  for (const [name, s] of Object.entries(states)) {
    visit(name, s);
    if (s.ItemProcessor) walkStates(s.ItemProcessor.States, visit);
    if (s.Iterator) walkStates(s.Iterator.States, visit);
    for (const b of s.Branches ?? []) walkStates(b.States, visit);
  }
}

/** Stable JSON (sorted keys) so equal inputs hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

function replaceDeep(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') return value === from ? to : value;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  }
  return value;
}

export const executionArnFor = (machineArn: string, name: string): string =>
  `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;
export const localMachineArn = (name: string): string =>
  `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
export const localFunctionArn = (name: string): string =>
  `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

/**
 * Runs the ASL files in-process on aws-local-stepfunctions, adding what the library leaves out:
 * Lambda invoke semantics, task tokens with heartbeats, nested `.sync:2` executions, `$$.State.Name`,
 * and durability — every completed Task result is journaled, and a restarted process replays
 * unfinished executions, answering journaled Tasks from the journal instead of running them again.
 */
export class AslRunner extends EventEmitter {
  private readonly store: ExecutionStore;
  private readonly tokens = new Map<string, PendingToken>();
  private readonly running = new Map<string, { abort: () => void; done: Promise<ExecutionRecord> }>();
  /** Injected faults left, by state name (RunnerOptions.faults). */
  private readonly faults: Map<string, number>;
  /** Set by drain()/close(): no handler call starts any more, no execution is launched. */
  private closing = false;
  /** Handler calls (Lambda invocations) running now, and who waits for there to be none. */
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly machines = new Map<
    string,
    { name: string; definition: StateMachineDefinition; states: Map<string, AslState> }
  >();

  constructor(private readonly opts: RunnerOptions) {
    super();
    this.store = new ExecutionStore(`${opts.dataDir}/executions`);
    this.faults = new Map(Object.entries(opts.faults ?? {}));
    for (const [arn, spec] of Object.entries(opts.machines)) {
      const unresolved = spec.definition.match(/\$\{\w+\}/g);
      if (unresolved)
        throw new Error(`${spec.name}: unsubstituted placeholders ${[...new Set(unresolved)].join(', ')}`);
      const definition = clampTimeouts(JSON.parse(spec.definition) as StateMachineDefinition);
      const check = aslValidator(definition, { checkArn: true, checkPaths: true });
      if (!check.isValid) throw new Error(`${spec.name}: invalid ASL: ${check.errorsText('; ')}`);
      const states = new Map<string, AslState>();
      walkStates(definition.States as Record<string, AslState>, (name, s) => {
        // The library keys task overrides by state name alone, so names must be unique machine-wide.
        if (states.has(name)) throw new Error(`${spec.name}: state name "${name}" is used twice`);
        states.set(name, s);
      });
      this.machines.set(arn, { name: spec.name, definition, states });
    }
  }

  startExecution(args: {
    stateMachineArn: string;
    input: unknown;
    name?: string;
    parentArn?: string;
  }): ExecutionRecord {
    const machine = this.machines.get(args.stateMachineArn);
    if (!machine) throw new ExecutionDoesNotExist(`state machine ${args.stateMachineArn} does not exist`);
    const name = args.name ?? randomUUID();
    const executionArn = executionArnFor(args.stateMachineArn, name);
    const existing = this.store.load(executionArn);
    if (existing) {
      if (canonical(existing.record.input) !== canonical(args.input)) {
        throw new ExecutionAlreadyExists(`execution ${name} already exists with another input`);
      }
      if (existing.record.status === 'RUNNING' && !this.running.has(executionArn) && !this.closing)
        this.launch(existing.record, existing.steps);
      return existing.record;
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: args.stateMachineArn,
      name,
      input: args.input,
      status: 'RUNNING',
      parentArn: args.parentArn,
      startDate: new Date().toISOString(),
    };
    this.store.create(record);
    // While stopping, the execution is recorded (the caller was told it started) and runs on the next start.
    if (!this.closing) this.launch(record, new Map());
    return record;
  }

  /** The state machines this runner runs. */
  stateMachines(): { arn: string; name: string }[] {
    return [...this.machines.entries()].map(([arn, m]) => ({ arn, name: m.name }));
  }

  describeExecution(executionArn: string): ExecutionRecord {
    const loaded = this.store.load(executionArn);
    if (!loaded) throw new ExecutionDoesNotExist(`execution ${executionArn} does not exist`);
    return loaded.record;
  }

  listExecutions(stateMachineArn?: string): ExecutionRecord[] {
    return this.store.list().filter((r) => !stateMachineArn || r.stateMachineArn === stateMachineArn);
  }

  async waitForExecution(executionArn: string): Promise<ExecutionRecord> {
    const run = this.running.get(executionArn);
    return run ? run.done : this.describeExecution(executionArn);
  }

  stopExecution(executionArn: string, error = 'Stopped', cause = 'stopped by request'): void {
    const run = this.running.get(executionArn);
    if (!run) throw new ExecutionDoesNotExist(`execution ${executionArn} is not running`);
    this.store.finish(executionArn, { status: 'ABORTED', error, cause, stopDate: new Date().toISOString() });
    run.abort();
  }

  /**
   * RedriveExecution: a FAILED, TIMED_OUT or ABORTED execution runs again from where it failed, on its
   * input and ARN. Its journal is kept, so every Task that succeeded answers from it (not run, not
   * charged again) and the Tasks that failed run again; Map iterations that succeeded are replayed
   * the same way. A nested `.sync` child that failed is redriven in turn when the parent's replay
   * reaches it (see invokeTask), so a failed pillar resumes at its own failed step.
   */
  redriveExecution(executionArn: string): ExecutionRecord {
    const loaded = this.store.load(executionArn);
    if (!loaded) throw new ExecutionDoesNotExist(`execution ${executionArn} does not exist`);
    const { record } = loaded;
    if (record.status === 'RUNNING' || record.status === 'SUCCEEDED' || this.running.has(executionArn))
      throw new ExecutionNotRedrivable(
        `execution ${record.name} is ${record.status}; only FAILED, TIMED_OUT or ABORTED executions can be redriven`,
      );
    this.store.redrive(executionArn, new Date().toISOString());
    const again = this.store.load(executionArn) as NonNullable<ReturnType<ExecutionStore['load']>>;
    this.emitEvent({
      executionArn,
      machine: this.machines.get(record.stateMachineArn)?.name ?? '?',
      type: 'ExecutionRedriven',
    });
    if (!this.closing) this.launch(again.record, again.steps);
    return again.record;
  }

  /** Replays every top-level execution left RUNNING by a previous process. */
  resumeUnfinished(): ExecutionRecord[] {
    const resumed: ExecutionRecord[] = [];
    if (this.closing) return resumed;
    for (const record of this.store.list()) {
      if (record.status !== 'RUNNING' || record.parentArn || this.running.has(record.executionArn)) continue;
      if (!this.machines.has(record.stateMachineArn)) continue;
      const loaded = this.store.load(record.executionArn);
      if (!loaded) continue;
      this.launch(loaded.record, loaded.steps);
      resumed.push(record);
    }
    return resumed;
  }

  sendTaskSuccess(token: string, output: string): void {
    const pending = this.takeToken(token);
    let value: unknown;
    try {
      value = JSON.parse(output);
    } catch {
      this.tokens.set(token, pending);
      throw new TaskError('InvalidOutput', 'output is not valid JSON');
    }
    pending.resolve(value);
  }

  sendTaskFailure(token: string, error = 'States.TaskFailed', cause = ''): void {
    this.takeToken(token).reject(new TaskError(error, cause));
  }

  sendTaskHeartbeat(token: string): void {
    const pending = this.tokens.get(token);
    if (!pending) throw new TaskDoesNotExist('Task Timed Out or Does Not Exist');
    this.armHeartbeat(token, pending);
  }

  /** Tokens currently waiting (for diagnostics and the CLI). */
  pendingTokens(): { token: string; executionArn: string; state: string }[] {
    return [...this.tokens.entries()].map(([token, p]) => ({
      token,
      executionArn: p.executionArn,
      state: p.state,
    }));
  }

  /**
   * The first half of a clean stop: no handler call starts from now on (a Task that reaches one waits
   * for the next process, which replays it), and the calls already running get up to `graceMs` to
   * finish, so their results are journaled instead of computed again. Task tokens stay valid meanwhile:
   * a render callback or an approval that arrives now still completes its Task.
   */
  async drain(graceMs: number): Promise<{ unfinished: number }> {
    this.closing = true;
    if (this.inflight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((r) => this.idleWaiters.push(r)),
        new Promise<void>((r) => {
          timer = setTimeout(r, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    return { unfinished: this.inflight };
  }

  /** Stops every execution where it is: each stays RUNNING in its journal and resumes on the next start. */
  async close(): Promise<void> {
    this.closing = true;
    for (const run of this.running.values()) run.abort();
    this.running.clear();
    for (const p of this.tokens.values()) if (p.timer) clearTimeout(p.timer);
    this.tokens.clear();
  }

  private takeToken(token: string): PendingToken {
    const pending = this.tokens.get(token);
    if (!pending) throw new TaskDoesNotExist('Task Timed Out or Does Not Exist');
    this.tokens.delete(token);
    if (pending.timer) clearTimeout(pending.timer);
    return pending;
  }

  private armHeartbeat(token: string, pending: PendingToken): void {
    if (!pending.heartbeatMs) return;
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = setTimeout(() => {
      if (this.tokens.delete(token))
        pending.reject(new TaskError('States.HeartbeatTimeout', 'no heartbeat in time'));
    }, pending.heartbeatMs);
    pending.timer.unref();
  }

  private emitEvent(e: RuntimeEvent): void {
    this.emit('event', e);
  }

  private launch(record: ExecutionRecord, journal: Map<string, unknown>): void {
    const machine = this.machines.get(record.stateMachineArn);
    if (!machine) throw new ExecutionDoesNotExist(`state machine ${record.stateMachineArn} does not exist`);
    const completions = new Map<string, number>();
    const overrides: LocalHandlers = {};
    for (const [stateName, state] of machine.states) {
      if (state.Type !== 'Task') continue;
      overrides[stateName] = async (input): Promise<LocalResult> => {
        // Stopping: this Task runs on the next start (its execution is about to be aborted).
        if (this.closing) return new Promise<LocalResult>(() => undefined);
        const base = sha(`${stateName}\u0000${canonical(input)}`).slice(0, 24);
        const seen = completions.get(base) ?? 0;
        const replayKey = `${stateName}:${base}:${seen}`;
        if (journal.has(replayKey)) {
          completions.set(base, seen + 1);
          this.emitEvent({
            executionArn: record.executionArn,
            machine: machine.name,
            type: 'TaskReplayed',
            state: stateName,
          });
          return journal.get(replayKey) as LocalResult;
        }
        const fault = this.faults.get(stateName) ?? 0;
        if (fault > 0) {
          this.faults.set(stateName, fault - 1);
          throw new TaskError(
            'InjectedFault',
            `BIE_INJECT_FAULTS: ${stateName} fails (${fault - 1} more to come)`,
          );
        }
        const output = await this.invokeTask(
          record,
          machine.name,
          stateName,
          state,
          input,
          `${base}:${seen}`,
        );
        const n = completions.get(base) ?? 0;
        completions.set(base, n + 1);
        const key = `${stateName}:${base}:${n}`;
        journal.set(key, output);
        this.store.appendStep(record.executionArn, key, output);
        return output as LocalResult;
      };
    }
    const sm = new StateMachine(machine.definition, {
      validationOptions: { checkArn: false, checkPaths: false },
    });
    const retryIntervalOverrides: Record<string, number> = {};
    if (this.opts.retryIntervalMs !== undefined) {
      for (const [name, s] of machine.states)
        if (s.Type === 'Task' || s.Type === 'Map') retryIntervalOverrides[name] = this.opts.retryIntervalMs;
    }
    const execution = sm.run(record.input as never, {
      overrides: { taskResourceLocalHandlers: overrides, retryIntervalOverrides },
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          StartTime: record.startDate,
          RoleArn: 'local',
        },
        StateMachine: { Id: record.stateMachineArn, Name: machine.name },
        State: { Name: STATE_PLACEHOLDER, EnteredTime: record.startDate, RetryCount: 0 },
        Task: { Token: TOKEN_PLACEHOLDER },
      } as never,
    });
    void (async () => {
      for await (const ev of execution.eventLogs) {
        const state = 'state' in ev ? (ev.state as { name?: string }).name : undefined;
        const error = 'Error' in ev ? String((ev as { Error?: unknown }).Error) : undefined;
        const rawCause = 'Cause' in ev ? (ev as { Cause?: unknown }).Cause : undefined;
        const cause =
          rawCause === undefined
            ? undefined
            : (typeof rawCause === 'string' ? rawCause : JSON.stringify(rawCause)).slice(0, 500);
        const index = 'index' in ev && typeof ev.index === 'number' ? ev.index : undefined;
        this.emitEvent({
          executionArn: record.executionArn,
          machine: machine.name,
          type: ev.type,
          state,
          index,
          error,
          cause,
        });
      }
    })().catch(() => undefined);
    this.emitEvent({ executionArn: record.executionArn, machine: machine.name, type: 'ExecutionLaunched' });
    const done = execution.result.then(
      (output) => this.settle(record, 'SUCCEEDED', { output }),
      (error: unknown) => {
        if (error instanceof ExecutionAbortedError) return this.describeExecution(record.executionArn);
        const failure = describeFailure(error);
        const status: ExecutionStatus = failure.error === 'States.Timeout' ? 'TIMED_OUT' : 'FAILED';
        return this.settle(record, status, failure);
      },
    );
    this.running.set(record.executionArn, { abort: execution.abort, done });
  }

  private settle(
    record: ExecutionRecord,
    status: ExecutionStatus,
    end: { output?: unknown; error?: string; cause?: string },
  ): ExecutionRecord {
    this.running.delete(record.executionArn);
    const current = this.store.load(record.executionArn)?.record;
    if (current && current.status !== 'RUNNING') return current;
    // A failure while stopping may be the stop itself (a child aborted under a waiting parent, a
    // refused call): it is not recorded, the execution stays RUNNING and the next start replays it.
    if (this.closing && status !== 'SUCCEEDED') return current ?? record;
    const stopDate = new Date().toISOString();
    this.store.finish(record.executionArn, { status, stopDate, ...end });
    const machine = this.machines.get(record.stateMachineArn)?.name ?? '?';
    this.emitEvent({
      executionArn: record.executionArn,
      machine,
      type: `Execution${status === 'SUCCEEDED' ? 'Succeeded' : 'Failed'}`,
      error: end.error,
    });
    return { ...record, status, stopDate, ...end };
  }

  private async invokeTask(
    record: ExecutionRecord,
    machineName: string,
    stateName: string,
    state: AslState,
    input: unknown,
    stepKey: string,
  ): Promise<unknown> {
    const resource = state.Resource ?? '';
    const withState = replaceDeep(input, STATE_PLACEHOLDER, stateName);
    if (
      resource === 'arn:aws:states:::lambda:invoke' ||
      resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken'
    ) {
      const { FunctionName, Payload } = (withState ?? {}) as { FunctionName?: string; Payload?: unknown };
      const fn = FunctionName ? this.opts.functions[FunctionName] : undefined;
      if (!fn)
        throw new TaskError(
          'Lambda.ResourceNotFoundException',
          `function ${FunctionName} is not deployed locally`,
        );
      if (resource.endsWith('.waitForTaskToken')) {
        const token = `${randomUUID()}.${randomUUID()}`;
        const waiting = new Promise<unknown>((resolve, reject) => {
          const pending: PendingToken = {
            resolve,
            reject,
            heartbeatMs: state.HeartbeatSeconds ? state.HeartbeatSeconds * 1000 : undefined,
            executionArn: record.executionArn,
            state: stateName,
          };
          this.tokens.set(token, pending);
          this.armHeartbeat(token, pending);
        });
        waiting.catch(() => undefined);
        this.emitEvent({
          executionArn: record.executionArn,
          machine: machineName,
          type: 'TaskTokenIssued',
          state: stateName,
        });
        try {
          await this.invokeLambda(
            FunctionName as string,
            fn,
            replaceDeep(Payload, TOKEN_PLACEHOLDER, token),
            state,
          );
        } catch (error) {
          const pending = this.tokens.get(token);
          this.tokens.delete(token);
          if (pending?.timer) clearTimeout(pending.timer);
          throw error;
        }
        return await waiting;
      }
      const payload = await this.invokeLambda(FunctionName as string, fn, Payload, state);
      return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
    }
    if (resource.startsWith('arn:aws:states:::states:startExecution')) {
      const { StateMachineArn, Input, Name } = (withState ?? {}) as {
        StateMachineArn?: string;
        Input?: unknown;
        Name?: string;
      };
      if (!StateMachineArn) throw new TaskError('States.Runtime', 'StateMachineArn is missing');
      const childInput = typeof Input === 'string' ? JSON.parse(Input) : (Input ?? {});
      // Deterministic child names: a replayed parent finds (and resumes) the very same child.
      const name =
        Name ??
        `${record.name.slice(0, 36)}-${sha(`${record.executionArn}\u0000${stateName}\u0000${stepKey}`).slice(0, 20)}`;
      let child = this.startExecution({
        stateMachineArn: StateMachineArn,
        input: childInput,
        name,
        parentArn: record.executionArn,
      });
      // The parent is being redriven and reached the child that failed: the child resumes from its own
      // failed step (once per redrive of the parent) instead of failing the parent again at once.
      if (
        resource.includes('.sync') &&
        ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(child.status) &&
        (record.redriveCount ?? 0) > (child.redriveCount ?? 0)
      )
        child = this.redriveExecution(child.executionArn);
      if (!resource.includes('.sync'))
        return { ExecutionArn: child.executionArn, StartDate: child.startDate };
      const finished = await this.waitForExecution(child.executionArn);
      // The child was stopped with this process: the parent waits for it on the next start.
      if (finished.status === 'RUNNING') return new Promise<never>(() => undefined);
      const sync2 = resource.endsWith('.sync:2');
      const described = {
        ExecutionArn: finished.executionArn,
        StateMachineArn: finished.stateMachineArn,
        Name: finished.name,
        Status: finished.status,
        StartDate: finished.startDate,
        StopDate: finished.stopDate,
        Input: sync2 ? finished.input : JSON.stringify(finished.input),
        Output: sync2 ? finished.output : JSON.stringify(finished.output),
        Error: finished.error,
        Cause: finished.cause,
      };
      if (finished.status !== 'SUCCEEDED') {
        throw new TaskError('States.TaskFailed', JSON.stringify({ ...described, Output: undefined }));
      }
      return described;
    }
    const direct = this.opts.functions[resource];
    if (direct) return this.invokeLambda(resource, direct, withState, state);
    throw new TaskError('States.Runtime', `resource ${resource} is not supported by the local runtime`);
  }

  private async invokeLambda(
    arn: string,
    fn: LambdaHandler,
    payload: unknown,
    state: AslState,
  ): Promise<unknown> {
    const deadline = Date.now() + (state.TimeoutSeconds ?? 60) * 1000;
    const functionName = arn.split(':').pop() ?? arn;
    const context: LambdaContext = {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: arn,
      memoryLimitInMB: '1024',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    this.inflight++;
    try {
      // Lambda serializes both ways: handlers never share object identity with the state machine.
      const result = await fn(JSON.parse(JSON.stringify(payload ?? null)), context);
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      throw new TaskError(e.name || 'Error', JSON.stringify({ errorType: e.name, errorMessage: e.message }));
    } finally {
      this.inflight--;
      if (this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}

/**
 * Node timers hold at most 2^31-1 ms (24.8 days); a longer TimeoutSeconds (the orchestrator allows 30
 * days, as Step Functions does up to a year) would fire at once. Locally such timeouts are clamped.
 */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
function clampTimeouts<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clampTimeouts) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        (k === 'TimeoutSeconds' || k === 'HeartbeatSeconds') && typeof v === 'number'
          ? Math.min(v, MAX_TIMER_SECONDS)
          : clampTimeouts(v),
      ]),
    ) as T;
  }
  return value;
}

function describeFailure(error: unknown): { error: string; cause: string } {
  const e = error as { cause?: { name?: string; message?: string }; name?: string; message?: string };
  const inner = e.cause && typeof e.cause === 'object' ? e.cause : undefined;
  return {
    error: inner?.name ?? e.name ?? 'States.Runtime',
    cause: inner?.message ?? e.message ?? String(error),
  };
}
