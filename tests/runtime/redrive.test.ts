import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeExecutionCommand,
  ExecutionNotRedrivable,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFunctionArn, localMachineArn } from '../../local/engine/asl-runner.js';
import { openEndpoints, type Runtime, startRuntime } from '../../local/engine/runtime.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const parentArn = localMachineArn('redrive-parent');
const childArn = localMachineArn('redrive-child');

/** Every step that ran, with the id of its execution: what a ledger would have charged. */
const ran: string[] = [];
const failing = new Set<string>();

let runtime: Runtime;
let sfn: SFNClient;

async function untilDone(executionArn: string) {
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-redrive-'));
  const endpoints = await openEndpoints();
  runtime = startRuntime({
    dataDir,
    endpoints,
    machines: [
      { arn: parentArn, name: 'redrive-parent', file: path.join(fixtures, 'redrive-parent.asl.json') },
      { arn: childArn, name: 'redrive-child', file: path.join(fixtures, 'redrive-child.asl.json') },
    ],
    substitutions: { StepFunctionArn: localFunctionArn('step'), ChildStateMachineArn: childArn },
    functions: {
      [localFunctionArn('step')]: async (event: unknown) => {
        const { step, id } = event as { step: string; id: string };
        if (failing.has(`${id}:${step}`)) {
          ran.push(`${id}:${step}:failed`);
          throw Object.assign(new Error(`${step} failed`), { name: 'ProviderDown' });
        }
        ran.push(`${id}:${step}`);
        return { done: step };
      },
    },
    routes: [],
  });
  sfn = new SFNClient({
    endpoint: endpoints.sfnUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  sfn.destroy();
  await runtime.stop();
});

describe('RedriveExecution on the local Step Functions endpoint', () => {
  it('resumes a failed execution at the failed step of its failed child; finished steps do not run again', async () => {
    // Prepare: the child's middle step fails, so the child fails and the parent records the failure.
    failing.add('a:middle');
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: parentArn,
        name: 'a',
        input: JSON.stringify({ id: 'a' }),
      }),
    );
    const failed = await untilDone(executionArn as string);
    expect(failed.status).toBe('FAILED');
    expect(failed.redriveStatus).toBe('REDRIVABLE');

    // Act: the provider is back; redrive the parent.
    failing.delete('a:middle');
    const redrive = await sfn.send(new RedriveExecutionCommand({ executionArn }));
    const done = await untilDone(executionArn as string);

    // Assess
    expect(redrive.redriveDate).toBeInstanceOf(Date);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.redriveCount).toBe(1);
    expect(JSON.parse(done.output ?? '{}')).toEqual({ done: 'finish' });
    expect(ran.filter((r) => r.startsWith('a:'))).toEqual([
      'a:prepare',
      'a:first',
      'a:middle:failed',
      'a:record-failure',
      'a:middle',
      'a:last',
      'a:finish',
    ]);
    const children = runtime.runner.listExecutions(childArn).filter((e) => e.parentArn === executionArn);
    expect(children).toHaveLength(1);
    expect(children[0]).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
  });

  it('refuses to redrive an execution that succeeded or is running', async () => {
    // Prepare
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: parentArn,
        name: 'b',
        input: JSON.stringify({ id: 'b' }),
      }),
    );
    await untilDone(executionArn as string);

    // Act
    const refused = sfn.send(new RedriveExecutionCommand({ executionArn }));

    // Assess
    await expect(refused).rejects.toBeInstanceOf(ExecutionNotRedrivable);
  });

  it('can redrive again when the redriven execution fails again', async () => {
    // Prepare: the child's last step fails twice in a row.
    failing.add('c:last');
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: parentArn,
        name: 'c',
        input: JSON.stringify({ id: 'c' }),
      }),
    );
    await untilDone(executionArn as string);
    await sfn.send(new RedriveExecutionCommand({ executionArn }));
    const again = await untilDone(executionArn as string);
    failing.delete('c:last');

    // Act
    await sfn.send(new RedriveExecutionCommand({ executionArn }));
    const done = await untilDone(executionArn as string);

    // Assess
    expect(again.status).toBe('FAILED');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.redriveCount).toBe(2);
    expect(ran.filter((r) => r === 'c:first' || r === 'c:middle' || r === 'c:prepare')).toEqual([
      'c:prepare',
      'c:first',
      'c:middle',
    ]);
    expect(ran.filter((r) => r === 'c:last:failed')).toHaveLength(2);
  });
});
