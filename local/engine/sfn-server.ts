import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AslRunner } from './asl-runner.js';
import type { ExecutionRecord } from './execution-store.js';
import { readBody, send } from './http-util.js';

/**
 * The Step Functions API (AWS JSON 1.0: POST /, X-Amz-Target: AWSStepFunctions.<Operation>) over the
 * local runner, so unchanged `@aws-sdk/client-sfn` code — the API handlers, the webhook, the CLI —
 * sends task results and starts executions here exactly as it would on AWS.
 */
const epoch = (iso?: string): number | undefined => (iso ? Date.parse(iso) / 1000 : undefined);

function describe(r: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: r.executionArn,
    stateMachineArn: r.stateMachineArn,
    name: r.name,
    status: r.status,
    startDate: epoch(r.startDate),
    stopDate: epoch(r.stopDate),
    input: JSON.stringify(r.input ?? {}),
    output: r.output === undefined ? undefined : JSON.stringify(r.output),
    error: r.error,
    cause: r.cause,
    redriveCount: r.redriveCount ?? 0,
    redriveDate: epoch(r.redriveDate),
    redriveStatus: ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(r.status) ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
  };
}

type Operation = (runner: AslRunner, body: Record<string, unknown>) => Record<string, unknown>;

const str = (v: unknown, field: string): string => {
  if (typeof v !== 'string' || v.length === 0)
    throw Object.assign(new Error(`${field} is required`), { name: 'ValidationException' });
  return v;
};

const OPERATIONS: Record<string, Operation> = {
  StartExecution: (runner, b) => {
    const input = typeof b.input === 'string' && b.input ? (JSON.parse(b.input) as unknown) : {};
    const r = runner.startExecution({
      stateMachineArn: str(b.stateMachineArn, 'stateMachineArn'),
      input,
      name: typeof b.name === 'string' ? b.name : undefined,
    });
    return { executionArn: r.executionArn, startDate: epoch(r.startDate) };
  },
  DescribeExecution: (runner, b) => describe(runner.describeExecution(str(b.executionArn, 'executionArn'))),
  StopExecution: (runner, b) => {
    runner.stopExecution(
      str(b.executionArn, 'executionArn'),
      b.error as string | undefined,
      b.cause as string | undefined,
    );
    return { stopDate: Date.now() / 1000 };
  },
  RedriveExecution: (runner, b) => {
    const r = runner.redriveExecution(str(b.executionArn, 'executionArn'));
    return { redriveDate: epoch(r.redriveDate) };
  },
  ListExecutions: (runner, b) => ({
    executions: runner
      .listExecutions(b.stateMachineArn as string | undefined)
      .filter((r) => !b.statusFilter || r.status === b.statusFilter)
      .map((r) => ({
        executionArn: r.executionArn,
        stateMachineArn: r.stateMachineArn,
        name: r.name,
        status: r.status,
        startDate: epoch(r.startDate),
        stopDate: epoch(r.stopDate),
      })),
  }),
  SendTaskSuccess: (runner, b) => {
    runner.sendTaskSuccess(str(b.taskToken, 'taskToken'), str(b.output, 'output'));
    return {};
  },
  SendTaskFailure: (runner, b) => {
    runner.sendTaskFailure(
      str(b.taskToken, 'taskToken'),
      b.error as string | undefined,
      b.cause as string | undefined,
    );
    return {};
  },
  SendTaskHeartbeat: (runner, b) => {
    runner.sendTaskHeartbeat(str(b.taskToken, 'taskToken'));
    return {};
  },
};

const KNOWN_ERRORS = new Set([
  'TaskDoesNotExist',
  'InvalidToken',
  'InvalidOutput',
  'ExecutionDoesNotExist',
  'ExecutionAlreadyExists',
  'ExecutionNotRedrivable',
  'StateMachineDoesNotExist',
  'ValidationException',
]);

export function sfnRequestHandler(runner: AslRunner) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = OPERATIONS[target.replace(/^AWSStepFunctions\./, '')];
    const headers = { 'content-type': 'application/x-amz-json-1.0' };
    if (req.method !== 'POST' || !op) {
      send(
        res,
        400,
        JSON.stringify({ __type: 'UnknownOperationException', message: `unsupported operation ${target}` }),
        headers,
      );
      return;
    }
    let body: Record<string, unknown>;
    try {
      const raw = (await readBody(req)).toString('utf8');
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      send(
        res,
        400,
        JSON.stringify({ __type: 'SerializationException', message: 'body is not JSON' }),
        headers,
      );
      return;
    }
    try {
      send(res, 200, JSON.stringify(op(runner, body)), headers);
    } catch (error) {
      const e = error as Error;
      const type = KNOWN_ERRORS.has(e.name) ? e.name : 'InternalFailure';
      send(
        res,
        type === 'InternalFailure' ? 500 : 400,
        JSON.stringify({ __type: type, message: e.message }),
        headers,
      );
    }
  };
}
