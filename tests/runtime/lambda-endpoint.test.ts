import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFunctionArn } from '../../local/engine/asl-runner.js';
import { type LambdaEndpoint, openLambdaEndpoint } from '../../local/engine/lambda-server.js';

// The local Lambda Invoke endpoint, driven by the unchanged AWS SDK client.
let endpoint: LambdaEndpoint;
let lambda: LambdaClient;
const asyncErrors: { name: string; attempt: number }[] = [];
let active = 0;
let maxActive = 0;
const ran: number[] = [];
let flaky = 0;

const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const decode = (b: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(b)) as unknown;

beforeAll(async () => {
  endpoint = await openLambdaEndpoint({
    asyncConcurrency: 2,
    asyncRetries: 2,
    asyncRetryDelayMs: 10,
    onAsyncError: (name, _e, attempt) => asyncErrors.push({ name, attempt }),
  });
  endpoint.bind([
    {
      name: 'bie-Echo',
      arn: localFunctionArn('bie-Echo'),
      timeoutSeconds: 30,
      memoryMb: 512,
      handler: async (event, context) => ({ event, functionName: context.functionName }),
    },
    {
      name: 'bie-Broken',
      arn: localFunctionArn('bie-Broken'),
      timeoutSeconds: 30,
      memoryMb: 512,
      handler: async () => {
        throw Object.assign(new Error('scene not found'), { name: 'NotFoundError' });
      },
    },
    {
      name: 'bie-Slow',
      arn: localFunctionArn('bie-Slow'),
      timeoutSeconds: 30,
      memoryMb: 512,
      handler: async (event) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 60));
        active--;
        ran.push((event as { n: number }).n);
        return null;
      },
    },
    {
      name: 'bie-Flaky',
      arn: localFunctionArn('bie-Flaky'),
      timeoutSeconds: 30,
      memoryMb: 512,
      handler: async () => {
        if (flaky-- > 0) throw new Error('storage unreachable');
        ran.push(-1);
        return null;
      },
    },
  ]);
  lambda = new LambdaClient({
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  await endpoint?.close();
});

describe('the local Lambda Invoke endpoint', () => {
  it('answers RequestResponse with the handler result, by name or by ARN', async () => {
    // Act
    const byName = await lambda.send(
      new InvokeCommand({ FunctionName: 'bie-Echo', Payload: encode({ a: 1 }) }),
    );
    const byArn = await lambda.send(
      new InvokeCommand({ FunctionName: localFunctionArn('bie-Echo'), Payload: encode({ b: 2 }) }),
    );

    // Assess
    expect(byName.StatusCode).toBe(200);
    expect(byName.FunctionError).toBeUndefined();
    expect(decode(byName.Payload)).toEqual({ event: { a: 1 }, functionName: 'bie-Echo' });
    expect(decode(byArn.Payload)).toEqual({ event: { b: 2 }, functionName: 'bie-Echo' });
  });

  it('reports a handler error as X-Amz-Function-Error: Unhandled with its type and message', async () => {
    const res = await lambda.send(new InvokeCommand({ FunctionName: 'bie-Broken', Payload: encode({}) }));
    expect(res.StatusCode).toBe(200);
    expect(res.FunctionError).toBe('Unhandled');
    expect(decode(res.Payload)).toMatchObject({
      errorType: 'NotFoundError',
      errorMessage: 'scene not found',
    });
  });

  it('refuses an unknown function with ResourceNotFoundException', async () => {
    await expect(
      lambda.send(
        new InvokeCommand({ FunctionName: 'bie-Nope', InvocationType: 'Event', Payload: encode({}) }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('accepts an Event with 202 before the handler runs, and runs at most two at a time', async () => {
    // Act
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        lambda.send(
          new InvokeCommand({ FunctionName: 'bie-Slow', InvocationType: 'Event', Payload: encode({ n }) }),
        ),
      ),
    );
    const ranWhenAccepted = ran.length;
    await endpoint.idle();

    // Assess
    expect(answers.map((a) => a.StatusCode)).toEqual([202, 202, 202, 202, 202]);
    expect(ranWhenAccepted).toBeLessThan(5);
    expect(ran.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(maxActive).toBe(2);
  });

  it('retries a failing Event twice, as Lambda does', async () => {
    // Prepare
    flaky = 2;
    ran.length = 0;

    // Act
    await lambda.send(new InvokeCommand({ FunctionName: 'bie-Flaky', InvocationType: 'Event' }));
    await endpoint.idle();

    // Assess
    expect(asyncErrors).toEqual([
      { name: 'bie-Flaky', attempt: 1 },
      { name: 'bie-Flaky', attempt: 2 },
    ]);
    expect(ran).toEqual([-1]);
  });

  it('answers DryRun with 204 without running the handler', async () => {
    ran.length = 0;
    const res = await lambda.send(new InvokeCommand({ FunctionName: 'bie-Slow', InvocationType: 'DryRun' }));
    expect(res.StatusCode).toBe(204);
    expect(ran).toEqual([]);
  });

  it('keeps an accepted Event on disk, so a new process runs what a killed one left', async () => {
    // Prepare: the first process accepts the event, starts it, and "dies" before it finishes.
    const queueDir = mkdtempSync(path.join(tmpdir(), 'bie-lambda-events-'));
    let unblock = () => {};
    const blocked = new Promise<void>((r) => {
      unblock = r;
    });
    const first = await openLambdaEndpoint({ queueDir, asyncRetries: 0 });
    first.bind([
      {
        name: 'bie-Render',
        arn: localFunctionArn('bie-Render'),
        timeoutSeconds: 30,
        memoryMb: 512,
        handler: () => blocked,
      },
    ]);
    const client = new LambdaClient({
      endpoint: first.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await client.send(
      new InvokeCommand({
        FunctionName: 'bie-Render',
        InvocationType: 'Event',
        Payload: encode({ scene: 3 }),
      }),
    );
    expect(readdirSync(queueDir)).toHaveLength(1);

    // Act: the next process binds the same functions.
    const seen: unknown[] = [];
    const second = await openLambdaEndpoint({ queueDir });
    second.bind([
      {
        name: 'bie-Render',
        arn: localFunctionArn('bie-Render'),
        timeoutSeconds: 30,
        memoryMb: 512,
        handler: async (event) => {
          seen.push(event);
          return null;
        },
      },
    ]);
    await second.idle();

    // Assess
    expect(seen).toEqual([{ scene: 3 }]);
    expect(readdirSync(queueDir)).toEqual([]);
    unblock();
    await Promise.all([first.close(), second.close()]);
  });
});
