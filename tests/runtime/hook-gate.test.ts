import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFunctionArn, localMachineArn } from '../../local/engine/asl-runner.js';
import { type Emulators, startEmulators } from '../../local/engine/emulators.js';
import { openEndpoints, type Runtime, startRuntime } from '../../local/engine/runtime.js';

// The real copywriter state machine with stand-in functions: what the hook gate does with a set below 0.75.
const copywriter = localMachineArn('copywriter-hook-gate');
const calls: { fn: string; event: Record<string, unknown> }[] = [];
let quality = 0.6;

const record = (fn: string, answer: (e: Record<string, unknown>) => unknown) => async (event: unknown) => {
  calls.push({ fn, event: event as Record<string, unknown> });
  return answer(event as Record<string, unknown>);
};
const functions = {
  [localFunctionArn('hooks')]: record('GenerateHooks', () => ({
    hook_set_id: 'set-1',
    count: 60,
    selected_quality: quality,
    gate_passed: quality >= 0.75,
  })),
  [localFunctionArn('approval')]: record('RequestApproval', () => ({
    approval_id: 'a1',
    already_decided: false,
  })),
  [localFunctionArn('outline')]: record('OutlineScript', () => ({
    outline_id: 'o1',
    beats: [{ sequence: 1 }],
  })),
  [localFunctionArn('scene')]: record('WriteScene', (e) => ({ scene_id: 's1', sequence: e.sequence })),
  [localFunctionArn('finalize')]: record('FinalizeScript', () => ({
    script_id: '00000000-0000-4000-8000-000000000009',
    version: 1,
    compliance_score: 0.95,
  })),
  [localFunctionArn('failure')]: record('RecordFailure', (e) => ({
    error: (e.error as { Error?: string }).Error,
    cause: (e.error as { Cause?: string }).Cause,
  })),
  [localFunctionArn('budget')]: record('RequestBudgetRaise', () => ({})),
};

let runtime: Runtime;
let emulators: Emulators;
let sfn: SFNClient;

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-hook-gate-'));
  emulators = await startEmulators(dataDir, ['fixture-bucket']);
  Object.assign(process.env, emulators.env);
  const endpoints = await openEndpoints();
  process.env.AWS_ENDPOINT_URL_SFN = endpoints.sfnUrl;
  runtime = startRuntime({
    dataDir,
    endpoints,
    machines: [
      {
        arn: copywriter,
        name: 'copywriter-hook-gate',
        file: path.resolve(import.meta.dirname, '../../state-machines/copywriter.asl.json'),
      },
    ],
    substitutions: {
      GenerateHooksFunctionArn: localFunctionArn('hooks'),
      RequestApprovalFunctionArn: localFunctionArn('approval'),
      OutlineScriptFunctionArn: localFunctionArn('outline'),
      WriteSceneFunctionArn: localFunctionArn('scene'),
      FinalizeScriptFunctionArn: localFunctionArn('finalize'),
      RecordFailureFunctionArn: localFunctionArn('failure'),
      RequestBudgetRaiseFunctionArn: localFunctionArn('budget'),
    },
    functions,
    routes: [],
    retryIntervalMs: 0,
  });
  sfn = new SFNClient({});
});

afterAll(async () => {
  await runtime?.stop();
  await emulators?.stop();
});

const input = {
  campaign_id: '00000000-0000-4000-8000-000000000001',
  brief_id: '00000000-0000-4000-8000-000000000002',
  variant_id: '00000000-0000-4000-8000-000000000003',
  variant_type: 'emotional',
  feedback: '',
  attempt: 1,
};

async function start(name: string) {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: copywriter, name, input: JSON.stringify(input) }),
  );
  return executionArn as string;
}
async function until<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('timed out');
}
async function done(executionArn: string) {
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 20));
  }
}
/** The calls one execution made (every payload carries the execution id, `$$.Execution.Id`). */
const callsOf = (fn: string, execution: string) =>
  calls.filter((c) => c.fn === fn && c.event.execution === execution);

describe('the hook gate of the copywriter state machine', () => {
  it('sends a set below 0.75 to hook review and the outline and the script use the hook the reviewer chose', async () => {
    quality = 0.62;
    const arn = await start('below-gate');
    const ask = await until(() => callsOf('RequestApproval', arn)[0]);
    expect(ask.event).toMatchObject({ checkpoint: 'hook_review', subject_id: 'set-1' });
    expect(callsOf('OutlineScript', arn)).toEqual([]);

    await sfn.send(
      new SendTaskSuccessCommand({
        taskToken: ask.event.token as string,
        output: JSON.stringify({
          approval_id: 'a1',
          decision: 'approve',
          decided_by: 'cmo',
          chosen_hook_id: 'hook-2',
        }),
      }),
    );
    const result = await done(arn);

    expect(result.status).toBe('SUCCEEDED');
    for (const fn of ['OutlineScript', 'FinalizeScript'])
      expect(callsOf(fn, arn)[0]?.event.hooks, fn).toMatchObject({ review: { chosen_hook_id: 'hook-2' } });
  });

  it('goes straight on when the set clears the gate, with no review', async () => {
    quality = 0.8;
    const arn = await start('above-gate');
    const result = await done(arn);
    expect(result.status).toBe('SUCCEEDED');
    expect(callsOf('RequestApproval', arn)).toEqual([]);
    expect(callsOf('OutlineScript', arn)[0]?.event.hooks).not.toHaveProperty('review');
  });

  it('fails the copywriter with HooksRejected when the reviewer rejects the hooks', async () => {
    quality = 0.5;
    const arn = await start('rejected');
    const ask = await until(() => callsOf('RequestApproval', arn)[0]);
    await sfn.send(
      new SendTaskFailureCommand({
        taskToken: ask.event.token as string,
        error: 'ApprovalRejected',
        cause: 'flat',
      }),
    );
    const result = await done(arn);
    expect(result.status).toBe('FAILED');
    expect(callsOf('RecordFailure', arn)[0]?.event.error).toMatchObject({
      Error: 'HooksRejected',
      Cause: 'flat',
    });
  });
});
