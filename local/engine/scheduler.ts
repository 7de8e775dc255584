import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServiceHandler, ServiceRequest, ServiceResponse } from '../deployed/services/protocol.js';
import { parseJsonBody } from '../deployed/services/protocol.js';
import { writeFileAtomic } from './atomic-file.js';

/**
 * EventBridge Scheduler answered locally (REST-JSON, the routes `@aws-sdk/client-scheduler` calls:
 * `POST|PUT|GET|DELETE /schedules/{Name}`, `GET /schedules`), with **durable timers**: every schedule is
 * persisted in `<dataDir>/schedules.json` (atomic writes) and armed again when a process starts, so a
 * one-time `at(...)` schedule whose time passed while nothing was running fires at start, as the
 * Scheduler would have fired it on time. Firing hands the target's `Input` to `fire(targetArn, input)`;
 * a failure is retried with backoff within the target's RetryPolicy (at least once, as on AWS: a fire
 * that succeeded just before a crash may fire again, so targets must be idempotent). After the last
 * attempt the event goes to `<dataDir>/dead-letters.jsonl`. `ActionAfterCompletion: DELETE` deletes a
 * schedule once it has fired; `NONE` keeps it (state recorded as fired). Only `at(...)` expressions run
 * here: `rate`/`cron` schedules are validated and stored but this emulator does not run them.
 */

export interface StoredSchedule {
  Name: string;
  GroupName: string;
  Arn: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  Description?: string;
  State: 'ENABLED' | 'DISABLED';
  FlexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  ActionAfterCompletion: 'NONE' | 'DELETE';
  Target: {
    Arn: string;
    RoleArn: string;
    Input?: string;
    RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number };
    DeadLetterConfig?: { Arn?: string };
  };
  CreationDate: number;
  LastModificationDate: number;
  /** Local bookkeeping: set when a `NONE` schedule has fired (it will not fire again). */
  firedAt?: number;
  /** Local bookkeeping: bumped by every create/update, so a fire armed for an older version is dropped. */
  revision: number;
}

export interface SchedulerOptions {
  dataDir: string;
  region: string;
  account: string;
  /** Groups that exist besides `default` (the stack's schedule group). */
  groups: readonly string[];
  /** Delay before retry n (1-based); tests shorten it. */
  retryDelayMs?: (attempt: number) => number;
  now?: () => number;
}

/** Delivers a schedule's input to its target; `roleArn` is the role the Scheduler would assume. */
export type FireTarget = (targetArn: string, input: unknown, roleArn: string) => Promise<void>;

const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const RATE_OR_CRON = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/;
/** setTimeout's limit; a later time is re-armed when this much has passed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const restError = (status: number, type: string, message: string): ServiceResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
  body: JSON.stringify({ Message: message }),
});
const ok = (body: unknown): ServiceResponse => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** The instant of an `at(...)` expression in its time zone (UTC only here). */
export function atInstant(s: Pick<StoredSchedule, 'ScheduleExpression' | 'ScheduleExpressionTimezone'>) {
  const m = AT.exec(s.ScheduleExpression);
  return m ? Date.parse(`${m[1]}Z`) : undefined;
}

export class LocalScheduler {
  readonly file: string;
  readonly deadLetterFile: string;
  private schedules = new Map<string, StoredSchedule>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<void>>();
  private fire?: FireTarget;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly opts: SchedulerOptions) {
    mkdirSync(opts.dataDir, { recursive: true });
    this.file = path.join(opts.dataDir, 'schedules.json');
    this.deadLetterFile = path.join(opts.dataDir, 'dead-letters.jsonl');
    this.now = opts.now ?? Date.now;
    if (existsSync(this.file)) {
      const list = JSON.parse(readFileSync(this.file, 'utf8')) as StoredSchedule[];
      for (const s of list) this.schedules.set(key(s.GroupName, s.Name), s);
    }
  }

  /** Starts firing (targets are known only once the handlers are loaded): arms every stored schedule. */
  start(fire: FireTarget): void {
    this.fire = fire;
    for (const s of this.schedules.values()) this.arm(s);
  }

  /** Stops arming and firing; waits for fires in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inflight]);
  }

  list(): StoredSchedule[] {
    return [...this.schedules.values()];
  }

  readonly handle: ServiceHandler = async (req) => {
    const url = new URL(req.url, 'http://scheduler.local');
    const m = /^\/schedules(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m)
      return restError(
        404,
        'UnknownOperationException',
        `${req.method} ${url.pathname} is not emulated locally`,
      );
    const name = m[1] ? decodeURIComponent(m[1]) : undefined;
    if (!name) {
      if (req.method === 'GET') return this.listSchedules(url);
      return restError(404, 'UnknownOperationException', `${req.method} /schedules is not emulated`);
    }
    if (!NAME.test(name)) return restError(400, 'ValidationException', `Name ${name} is not valid.`);
    switch (req.method) {
      case 'POST':
        return this.put(name, req, 'create');
      case 'PUT':
        return this.put(name, req, 'update');
      case 'GET': {
        const s = this.schedules.get(key(url.searchParams.get('groupName') || 'default', name));
        if (!s) return notFound(name);
        const { firedAt: _f, revision: _r, ...rest } = s;
        return ok(rest);
      }
      case 'DELETE': {
        const k = key(url.searchParams.get('groupName') || 'default', name);
        if (!this.schedules.has(k)) return notFound(name);
        this.remove(k);
        return ok({});
      }
      default:
        return restError(405, 'UnknownOperationException', `${req.method} is not supported`);
    }
  };

  private listSchedules(url: URL): ServiceResponse {
    const group = url.searchParams.get('ScheduleGroup');
    const prefix = url.searchParams.get('NamePrefix') ?? '';
    const state = url.searchParams.get('State');
    const Schedules = this.list()
      .filter(
        (s) =>
          (!group || s.GroupName === group) && s.Name.startsWith(prefix) && (!state || s.State === state),
      )
      .map((s) => ({
        Arn: s.Arn,
        Name: s.Name,
        GroupName: s.GroupName,
        State: s.State,
        CreationDate: s.CreationDate,
        LastModificationDate: s.LastModificationDate,
        Target: { Arn: s.Target.Arn },
      }));
    return ok({ Schedules });
  }

  private put(name: string, req: ServiceRequest, op: 'create' | 'update'): ServiceResponse {
    const body = parseJsonBody(req.body);
    if (!body) return restError(400, 'ValidationException', 'The request body is not a JSON object.');
    const group = typeof body.GroupName === 'string' && body.GroupName ? body.GroupName : 'default';
    if (group !== 'default' && !this.opts.groups.includes(group))
      return restError(404, 'ResourceNotFoundException', `Schedule group ${group} does not exist.`);
    const k = key(group, name);
    const existing = this.schedules.get(k);
    if (op === 'create' && existing)
      return restError(409, 'ConflictException', `Schedule ${name} already exists.`);
    if (op === 'update' && !existing) return notFound(name);
    const problem = validate(body);
    if (problem) return restError(400, 'ValidationException', problem);
    const target = body.Target as StoredSchedule['Target'];
    const now = Math.floor(this.now() / 1000);
    const s: StoredSchedule = {
      Name: name,
      GroupName: group,
      Arn: `arn:aws:scheduler:${this.opts.region}:${this.opts.account}:schedule/${group}/${name}`,
      ScheduleExpression: body.ScheduleExpression as string,
      ...(typeof body.ScheduleExpressionTimezone === 'string'
        ? { ScheduleExpressionTimezone: body.ScheduleExpressionTimezone }
        : {}),
      ...(typeof body.Description === 'string' ? { Description: body.Description } : {}),
      State: body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      FlexibleTimeWindow: body.FlexibleTimeWindow as StoredSchedule['FlexibleTimeWindow'],
      ActionAfterCompletion: body.ActionAfterCompletion === 'DELETE' ? 'DELETE' : 'NONE',
      Target: target,
      CreationDate: existing?.CreationDate ?? now,
      LastModificationDate: now,
      revision: (existing?.revision ?? 0) + 1,
    };
    this.schedules.set(k, s);
    this.persist();
    this.arm(s);
    return ok({ ScheduleArn: s.Arn });
  }

  private remove(k: string): void {
    clearTimeout(this.timers.get(k));
    this.timers.delete(k);
    this.schedules.delete(k);
    this.persist();
  }

  private persist(): void {
    writeFileAtomic(this.file, `${JSON.stringify(this.list(), null, 2)}\n`);
  }

  private arm(s: StoredSchedule): void {
    const k = key(s.GroupName, s.Name);
    clearTimeout(this.timers.get(k));
    this.timers.delete(k);
    const at = atInstant(s);
    if (!this.fire || this.stopped || at === undefined || s.State !== 'ENABLED' || s.firedAt) return;
    const wait = Math.max(0, at - this.now());
    const timer = setTimeout(
      () => {
        this.timers.delete(k);
        if (wait > MAX_TIMER_MS) return this.arm(s);
        this.track(this.deliver(k, s.revision));
      },
      Math.min(wait, MAX_TIMER_MS),
    );
    timer.unref();
    this.timers.set(k, timer);
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Delivers the target's input with retries; `version` drops a delivery the schedule was changed under. */
  private async deliver(k: string, version: number): Promise<void> {
    const s = this.schedules.get(k);
    if (!s || s.revision !== version || !this.fire) return;
    const policy = s.Target.RetryPolicy ?? {};
    const maxAttempts = 1 + (policy.MaximumRetryAttempts ?? 185);
    const deadline = (atInstant(s) ?? this.now()) + (policy.MaximumEventAgeInSeconds ?? 86_400) * 1000;
    let input: unknown;
    try {
      input = s.Target.Input === undefined ? {} : JSON.parse(s.Target.Input);
    } catch {
      input = s.Target.Input;
    }
    let lastError = '';
    for (let attempt = 1; attempt <= maxAttempts && !this.stopped; attempt++) {
      try {
        await this.fire(s.Target.Arn, input, s.Target.RoleArn);
        const current = this.schedules.get(k);
        // Changed while firing (moved): the new version is armed already; keep it.
        if (current?.revision !== version) return;
        if (s.ActionAfterCompletion === 'DELETE') this.remove(k);
        else {
          this.schedules.set(k, { ...s, firedAt: Math.floor(this.now() / 1000) });
          this.persist();
        }
        return;
      } catch (error) {
        lastError = (error as Error).message;
        if (this.now() >= deadline) break;
        const delay = this.opts.retryDelayMs?.(attempt) ?? Math.min(60_000, 1000 * 2 ** (attempt - 1));
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
    if (this.stopped) return; // the next start fires it again
    appendFileSync(
      this.deadLetterFile,
      `${JSON.stringify({ schedule: s.Arn, target: s.Target.Arn, deadLetter: s.Target.DeadLetterConfig?.Arn, input, error: lastError, at: new Date(this.now()).toISOString() })}\n`,
    );
    process.stderr.write(`schedule ${s.Name} failed for good: ${lastError}\n`);
    if (s.ActionAfterCompletion === 'DELETE') this.remove(k);
    else {
      this.schedules.set(k, { ...s, firedAt: Math.floor(this.now() / 1000) });
      this.persist();
    }
  }
}

const key = (group: string, name: string) => `${group}/${name}`;
const notFound = (name: string) =>
  restError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);

function validate(body: Record<string, unknown>): string | undefined {
  const expr = body.ScheduleExpression;
  if (typeof expr !== 'string' || !(AT.test(expr) || RATE_OR_CRON.test(expr)))
    return `Invalid Schedule Expression ${String(expr)}.`;
  if (AT.test(expr) && !Number.isFinite(atInstant({ ScheduleExpression: expr })))
    return `Invalid Schedule Expression ${expr}.`;
  const tz = body.ScheduleExpressionTimezone;
  if (tz !== undefined && tz !== 'UTC' && tz !== 'Etc/UTC')
    return `Only UTC schedule expressions are emulated locally (got ${String(tz)}).`;
  const window = body.FlexibleTimeWindow as { Mode?: unknown } | undefined;
  if (!window || (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE'))
    return 'FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.';
  const target = body.Target as { Arn?: unknown; RoleArn?: unknown } | undefined;
  if (!target || typeof target.Arn !== 'string' || typeof target.RoleArn !== 'string')
    return 'Target.Arn and Target.RoleArn are required.';
  if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(target.RoleArn))
    return `Invalid RoleArn ${target.RoleArn}.`;
  const action = body.ActionAfterCompletion;
  if (action !== undefined && action !== 'NONE' && action !== 'DELETE')
    return `Invalid ActionAfterCompletion ${String(action)}.`;
  return undefined;
}
