import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PostScheduler } from '../../lambdas/shared/ports/index.js';
import { serveService } from '../../local/deployed/services/protocol.js';
import { LocalScheduler } from '../../local/engine/scheduler.js';

/**
 * The embedded runtime's EventBridge Scheduler, spoken to by the unchanged AWS SDK client (and by the
 * adapter PublishPost uses): one-time schedules fire at their time, once, and survive a restart.
 */
const GROUP = 'bie-posts';
const ROLE = 'arn:aws:iam::000000000000:role/bie-post-scheduler';
const TARGET = 'arn:aws:lambda:us-east-1:000000000000:function:bie-PublishPost';

interface Running {
  scheduler: LocalScheduler;
  fired: { arn: string; input: unknown; at: number }[];
  close(): Promise<void>;
}
const running: Running[] = [];
let url = '';
let port = 0;

/** One "process": the emulator over a data directory, firing into a recorder (or a failing target). */
async function start(dataDir: string, fire?: (input: unknown) => Promise<void>): Promise<Running> {
  const scheduler = new LocalScheduler({
    dataDir,
    region: 'us-east-1',
    account: '000000000000',
    groups: [GROUP],
    retryDelayMs: () => 50,
  });
  const server = await serveService(scheduler.handle, port);
  url = server.url;
  port = Number(new URL(url).port);
  const fired: Running['fired'] = [];
  scheduler.start(async (arn, input) => {
    if (arn !== TARGET) throw new Error(`no function ${arn}`);
    await fire?.(input);
    fired.push({ arn, input, at: Date.now() });
  });
  const r = {
    scheduler,
    fired,
    async close() {
      await scheduler.stop();
      await server.close();
    },
  };
  running.push(r);
  return r;
}

afterEach(async () => {
  // The port stays: the adapter's client (like a handler's) resolved its endpoint once.
  for (const r of running.splice(0)) await r.close();
});

let adapter: (target?: string) => PostScheduler;
let client: () => SchedulerClient;

beforeAll(async () => {
  const { EventBridgePostScheduler } = await import(
    '../../lambdas/shared/adapters/aws/eventbridge-scheduler.js'
  );
  adapter = (target) =>
    new EventBridgePostScheduler({
      group: GROUP,
      ...(target ? { targetArn: target, roleArn: () => ROLE } : {}),
    });
  client = () =>
    new SchedulerClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
});

/** A time `ms` from now on a whole second (at() expressions have second precision). */
const inMs = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = () => mkdtempSync(path.join(tmpdir(), 'bie-scheduler-'));

/** The adapter's client reads its endpoint from the environment, as handlers' clients do. */
const withEndpoint = () => {
  process.env.AWS_ENDPOINT_URL_SCHEDULER = url;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'x';
  process.env.AWS_SECRET_ACCESS_KEY = 'y';
};

describe('the local EventBridge Scheduler', () => {
  it('fires a one-time schedule at its time with its input, once, and deletes it after completion', async () => {
    const r = await start(dir());
    withEndpoint();
    const at = inMs(1500);
    await adapter(TARGET).schedule('post-1', at, { post: 1 });
    const s = await client().send(new GetScheduleCommand({ Name: 'post-1', GroupName: GROUP }));
    expect(s).toMatchObject({
      ScheduleExpression: `at(${at.slice(0, 19)})`,
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: TARGET, RoleArn: ROLE, Input: '{"post":1}' },
    });
    await sleep(Date.parse(at) - Date.now() + 400);
    expect(r.fired.map((f) => f.input)).toEqual([{ post: 1 }]);
    expect(r.fired[0]?.at).toBeGreaterThanOrEqual(Date.parse(at));
    expect(r.scheduler.list()).toEqual([]);
    await expect(
      client().send(new GetScheduleCommand({ Name: 'post-1', GroupName: GROUP })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('keeps its timers across a restart: a time passed while stopped fires at start, a later one on time', async () => {
    const data = dir();
    const first = await start(data);
    withEndpoint();
    const soon = inMs(1200);
    const later = inMs(3200);
    await adapter(TARGET).schedule('due-while-down', soon, { n: 'soon' });
    await adapter(TARGET).schedule('due-after-restart', later, { n: 'later' });
    await first.close(); // the process stops before either fires
    expect(first.fired).toEqual([]);
    await sleep(Date.parse(soon) - Date.now() + 300);

    const second = await start(data);
    await sleep(200);
    expect(second.fired.map((f) => f.input)).toEqual([{ n: 'soon' }]);
    await sleep(Date.parse(later) - Date.now() + 400);
    expect(second.fired.map((f) => f.input)).toEqual([{ n: 'soon' }, { n: 'later' }]);
    expect(second.fired[1]?.at).toBeGreaterThanOrEqual(Date.parse(later));
    expect(JSON.parse(readFileSync(path.join(data, 'schedules.json'), 'utf8'))).toEqual([]);
  });

  it('moves a schedule (same name, new time, target kept) and cancels another, which never fires', async () => {
    const r = await start(dir());
    withEndpoint();
    await adapter(TARGET).schedule('moved', inMs(800), { v: 1 });
    await adapter(TARGET).schedule('cancelled', inMs(800), { v: 'x' });
    const moved = inMs(2000);
    // The schedule routes have no target of their own: moving keeps the schedule's target and role.
    await adapter().schedule('moved', moved, { v: 2 });
    expect(await adapter().cancel('cancelled')).toBe(true);
    expect(await adapter().cancel('cancelled')).toBe(false);
    await sleep(1300);
    expect(r.fired).toEqual([]);
    await sleep(Date.parse(moved) - Date.now() + 400);
    expect(r.fired).toEqual([expect.objectContaining({ arn: TARGET, input: { v: 2 } })]);
  });

  it('retries a failing target, then records the event as a dead letter', async () => {
    const data = dir();
    let calls = 0;
    const r = await start(data, async () => {
      calls++;
      if (calls < 3) throw new Error('throttled');
    });
    withEndpoint();
    await client().send(
      new CreateScheduleCommand({
        Name: 'flaky',
        GroupName: GROUP,
        ScheduleExpression: `at(${inMs(500).slice(0, 19)})`,
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: { Arn: TARGET, RoleArn: ROLE, Input: '{}', RetryPolicy: { MaximumRetryAttempts: 5 } },
      }),
    );
    await client().send(
      new CreateScheduleCommand({
        Name: 'hopeless',
        GroupName: GROUP,
        ScheduleExpression: `at(${inMs(500).slice(0, 19)})`,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: 'arn:aws:lambda:us-east-1:000000000000:function:nope',
          RoleArn: ROLE,
          RetryPolicy: { MaximumRetryAttempts: 1 },
        },
      }),
    );
    await sleep(1800);
    expect(r.fired.filter((f) => f.arn === TARGET)).toHaveLength(1);
    expect(calls).toBeGreaterThanOrEqual(3);
    const dead = readFileSync(path.join(data, 'dead-letters.jsonl'), 'utf8').trim().split('\n');
    expect(dead.map((l) => JSON.parse(l).schedule)).toEqual([
      expect.stringContaining('schedule/bie-posts/hopeless'),
    ]);
  }, 10_000);

  it('answers as the Scheduler does: conflicts, unknown schedules and groups, invalid expressions', async () => {
    await start(dir(), async (input) => {
      if ((input as { fail?: boolean }).fail) throw new Error('x');
    });
    const c = client();
    const create = (over: Record<string, unknown> = {}) =>
      c.send(
        new CreateScheduleCommand({
          Name: 'one',
          GroupName: GROUP,
          ScheduleExpression: `at(${inMs(3_600_000).slice(0, 19)})`,
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: TARGET, RoleArn: ROLE },
          ...over,
        }),
      );
    await create();
    await expect(create()).rejects.toBeInstanceOf(ConflictException);
    await expect(create({ Name: 'two', GroupName: 'nope' })).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(create({ Name: 'three', ScheduleExpression: 'at(tomorrow)' })).rejects.toBeInstanceOf(
      ValidationException,
    );
    await expect(
      create({ Name: 'four', Target: { Arn: TARGET, RoleArn: 'not-a-role' } }),
    ).rejects.toBeInstanceOf(ValidationException);
    const list = await c.send(new ListSchedulesCommand({ GroupName: GROUP }));
    expect(list.Schedules?.map((s) => s.Name)).toEqual(['one']);
  });
});
