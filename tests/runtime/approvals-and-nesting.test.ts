import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFunctionArn, localMachineArn } from '../../local/engine/asl-runner.js';
import { type Emulators, startEmulators } from '../../local/engine/emulators.js';
import { openEndpoints, type Runtime, startRuntime } from '../../local/engine/runtime.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const asked: { token: string; state: string; execution: string }[] = [];
let flakyFailures = 0;

const functions = {
  [localFunctionArn('prepare')]: async (event: unknown) => {
    if (flakyFailures > 0) {
      flakyFailures--;
      throw Object.assign(new Error('try again'), { name: 'Flaky' });
    }
    return { n: (event as { n: number }).n + 1 };
  },
  [localFunctionArn('ask')]: async (event: unknown) => {
    asked.push(event as { token: string; state: string; execution: string });
    return { asked: true };
  },
  [localFunctionArn('double')]: async (event: unknown) => ({ doubled: (event as { n: number }).n * 2 }),
};

let runtime: Runtime;
let emulators: Emulators;
let sfn: SFNClient;
const parentArn = localMachineArn('approval-fixture');

async function waitFor<T>(probe: () => T | undefined, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function describeUntilDone(executionArn: string) {
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-runtime-'));
  emulators = await startEmulators(dataDir, ['fixture-bucket']);
  Object.assign(process.env, emulators.env);
  const endpoints = await openEndpoints();
  process.env.AWS_ENDPOINT_URL_SFN = endpoints.sfnUrl;
  runtime = startRuntime({
    dataDir,
    endpoints,
    machines: [
      { arn: parentArn, name: 'approval-fixture', file: path.join(fixtures, 'approval.asl.json') },
      {
        arn: localMachineArn('child-fixture'),
        name: 'child-fixture',
        file: path.join(fixtures, 'child.asl.json'),
      },
    ],
    substitutions: {
      PrepareFunctionArn: localFunctionArn('prepare'),
      AskFunctionArn: localFunctionArn('ask'),
      DoubleFunctionArn: localFunctionArn('double'),
      ChildStateMachineArn: localMachineArn('child-fixture'),
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

describe('the embedded Step Functions runtime', () => {
  it('pauses at a task-token approval, resumes on SendTaskSuccess and runs the nested .sync:2 child', async () => {
    // Prepare
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: parentArn,
        name: 'approve-1',
        input: JSON.stringify({ n: 1 }),
      }),
    );
    const ask = await waitFor(() => asked.find((a) => a.execution === executionArn));
    expect(ask.state).toBe('Approve');
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    // Act
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: ask.token, output: JSON.stringify({ decision: 'approve' }) }),
    );
    const done = await describeUntilDone(executionArn as string);
    // Assess
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).toMatchObject({
      n: 1,
      prepared: { n: 2 },
      approval: { decision: 'approve' },
      child: { doubled: 4 },
    });
  });

  it('sends a rejection from SendTaskFailure to the Catch with its cause', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: parentArn,
        name: 'reject-1',
        input: JSON.stringify({ n: 5 }),
      }),
    );
    const ask = await waitFor(() => asked.find((a) => a.execution === executionArn));
    await sfn.send(
      new SendTaskFailureCommand({
        taskToken: ask.token,
        error: 'ApprovalRejected',
        cause: 'make it warmer',
      }),
    );
    const done = await describeUntilDone(executionArn as string);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).toEqual({
      rejected: true,
      feedback: 'make it warmer',
      error: 'ApprovalRejected',
    });
  });

  it('answers an unknown token with TaskDoesNotExist, as the SDK expects', async () => {
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'bogus', output: '{}' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
  });

  it('retries a task by its error name', async () => {
    flakyFailures = 2;
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: parentArn,
        name: 'retry-1',
        input: JSON.stringify({ n: 10 }),
      }),
    );
    const ask = await waitFor(() => asked.find((a) => a.execution === executionArn));
    expect(flakyFailures).toBe(0);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: ask.token, output: '{}' }));
    expect((await describeUntilDone(executionArn as string)).status).toBe('SUCCEEDED');
  });

  it('keeps each SES v2 mail as an .eml file', async () => {
    const ses = new SESv2Client({});
    const sent = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'approvals@example.com',
        Destination: { ToAddresses: ['brand@example.com'] },
        Content: {
          Simple: { Subject: { Data: 'Approve the brief' }, Body: { Text: { Data: 'Open the link' } } },
        },
      }),
    );
    expect(sent.MessageId).toBeTruthy();
    const files = readdirSync(emulators.mailboxDir).filter((f) => f.endsWith('.eml'));
    const eml = readFileSync(
      path.join(emulators.mailboxDir, files.find((f) => f.includes(sent.MessageId as string)) ?? ''),
      'utf8',
    );
    expect(eml).toContain('Subject: Approve the brief');
    expect(eml).toContain('To: brand@example.com');
    expect(eml).toContain('Open the link');
  });
});
