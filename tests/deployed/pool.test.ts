import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionPool, type InvocationOutcome, type PoolFunction } from '../../local/deployed/pool.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const logDir = mkdtempSync(path.join(tmpdir(), 'bie-pool-'));
const arn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

const probe = (name: string, extra: Partial<PoolFunction> = {}): PoolFunction => ({
  name,
  arn: arn(name),
  assetDir: path.join(FIXTURES, 'probe'),
  handler: 'index.handler',
  memoryMb: 256,
  timeoutSeconds: 5,
  environment: { TABLE_NAME: 'bie-table', NODE_OPTIONS: '--enable-source-maps' },
  layerDirs: [],
  ...extra,
});

let pool: FunctionPool;

beforeAll(() => {
  pool = new FunctionPool(
    [
      probe('probe-a'),
      probe('probe-b'),
      probe('probe-declared', { environment: { PROBE_UNDECLARED_SETTING: 'set by the template' } }),
      probe('probe-slow', { timeoutSeconds: 1 }),
      probe('probe-single'),
      probe('probe-crash'),
      {
        ...probe('broken'),
        assetDir: path.join(FIXTURES, 'broken'),
      },
    ],
    { logDir, maxInstances: 3, warn: () => undefined },
  );
});

afterAll(async () => {
  await pool?.close();
});

function payload<T>(outcome: InvocationOutcome): T {
  if (!outcome.ok) throw new Error(`${outcome.error.errorType}: ${outcome.error.errorMessage}`);
  return outcome.payload as T;
}

const processState = (pid: number): string =>
  readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .charAt(0);

describe('a function instance', () => {
  it('sees exactly its template variables plus those the Lambda runtime sets', async () => {
    // Act
    const env = payload<Record<string, string>>(await pool.invoke('probe-a', { action: 'env' }));

    // Assess
    expect(env.TABLE_NAME).toBe('bie-table');
    expect(env).toMatchObject({
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'probe-a',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/probe-a',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: '/var/task',
      LAMBDA_RUNTIME_DIR: '/var/runtime',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    });
    expect(env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    const unexpected = Object.keys(env).filter(
      (k) =>
        !/^(AWS_|LAMBDA_|_HANDLER$|TZ$|LANG$|PATH$|NODE_PATH$|LD_LIBRARY_PATH$|TABLE_NAME$|NODE_OPTIONS$)/.test(
          k,
        ),
    );
    expect(unexpected).toEqual([]);
    expect(env.HOME).toBeUndefined();
  });

  it('gets a Lambda context with a real remaining time and its memory as the heap limit', async () => {
    // Act
    const ctx = payload<Record<string, unknown>>(await pool.invoke('probe-a', { action: 'context' }));

    // Assess
    expect(ctx).toMatchObject({
      functionName: 'probe-a',
      invokedFunctionArn: arn('probe-a'),
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/probe-a',
      functionVersion: '$LATEST',
      cwd: '/var/task',
    });
    expect(ctx.remaining).toBeGreaterThan(4_000);
    expect(ctx.remaining).toBeLessThanOrEqual(5_000);
    expect(ctx.execArgv).toEqual(['--max-old-space-size=230']);
  });

  it('is reused while idle and joined by another one under concurrency', async () => {
    // Prepare
    const first = payload<{ pid: number }>(await pool.invoke('probe-b', { action: 'sleep', ms: 1 }));

    // Act
    const [a, b] = await Promise.all([
      pool.invoke('probe-b', { action: 'sleep', ms: 300 }),
      pool.invoke('probe-b', { action: 'sleep', ms: 300 }),
    ]);
    const again = payload<{ pid: number }>(await pool.invoke('probe-b', { action: 'sleep', ms: 1 }));

    // Assess
    const pids = [payload<{ pid: number }>(a).pid, payload<{ pid: number }>(b).pid];
    expect(new Set(pids).size).toBe(2);
    expect(pids).toContain(first.pid);
    expect(pids).toContain(again.pid);
    expect(pool.instances('probe-b')).toHaveLength(2);
  });

  it('waits for a free instance at the local cap and reports the throttle', async () => {
    // Prepare
    const capped = new FunctionPool([probe('capped')], { logDir, maxInstances: 1, warn: () => undefined });

    try {
      // Act
      const outcomes = await Promise.all([
        capped.invoke('capped', { action: 'sleep', ms: 200 }),
        capped.invoke('capped', { action: 'sleep', ms: 1 }),
      ]);

      // Assess
      expect(outcomes.every((o) => o.ok)).toBe(true);
      expect(capped.throttles().map((t) => t.function)).toEqual(['capped']);
      expect(capped.instances('capped')).toHaveLength(1);
    } finally {
      await capped.close();
    }
  });

  it('is paused once its handler has answered, so background work only runs at the next invocation', async () => {
    // Act
    const answered = await pool.invoke('probe-single', { action: 'background', ms: 50 });
    await new Promise((r) => setTimeout(r, 400));
    const [instance] = pool.instances('probe-single');
    const pid = instance?.pid ?? 0;
    const stateWhileIdle = processState(pid);
    const lateWhileIdle = existsSync(`/proc/${pid}/root/tmp/late`);
    payload(await pool.invoke('probe-single', { action: 'sleep', ms: 100 }));

    // Assess
    expect(answered.ok).toBe(true);
    expect(pool.backgroundWork()).toContainEqual({
      function: 'probe-single',
      requestId: answered.requestId,
      resources: ['Timeout'],
    });
    expect(pool.backgroundWork().filter((w) => w.function !== 'probe-single')).toEqual([]);
    expect(stateWhileIdle).toBe('T');
    expect(lateWhileIdle).toBe(false);
    expect(existsSync(`/proc/${pid}/root/tmp/late`)).toBe(true);
  });

  it('has its own /tmp that no other function and no other instance sees', async () => {
    // Prepare
    const secret = `secret-${Date.now()}`;
    type Listing = { pid: number; files: string[] };

    // Act
    const writer = payload<Listing>(await pool.invoke('probe-a', { action: 'write-tmp', name: secret }));
    const otherFunction = payload<Listing>(await pool.invoke('probe-b', { action: 'list-tmp' }));
    const sameFunction = (
      await Promise.all([
        pool.invoke('probe-a', { action: 'list-tmp', ms: 300 }),
        pool.invoke('probe-a', { action: 'list-tmp', ms: 300 }),
      ])
    ).map((o) => payload<Listing>(o));

    // Assess
    expect(writer.files).toContain(secret);
    expect(otherFunction.files).not.toContain(secret);
    expect(new Set(sameFunction.map((l) => l.pid)).size).toBe(2);
    for (const listing of sameFunction)
      expect(listing.files.includes(secret), `instance ${listing.pid}`).toBe(listing.pid === writer.pid);
    expect(existsSync(path.join(tmpdir(), secret))).toBe(false);
  });

  it('runs from its asset only: /var/task is read-only and the repository node_modules is out of reach', async () => {
    // Act
    const view = payload<Record<string, boolean>>(await pool.invoke('probe-a', { action: 'fs' }));
    const zod = payload<{ imported: boolean; code?: string }>(
      await pool.invoke('probe-a', { action: 'import', specifier: 'zod' }),
    );
    const sdk = payload<{ imported: boolean }>(
      await pool.invoke('probe-a', { action: 'import', specifier: '@aws-sdk/client-dynamodb' }),
    );
    const write = await pool.invoke('probe-a', { action: 'write-task' });

    // Assess
    expect(view).toEqual({
      '/var/task/node_modules': false,
      '/var/task/../node_modules': false,
      '/var/task/package.json': false,
      '/opt/bin': false,
    });
    expect(zod).toMatchObject({ imported: false, code: 'ERR_MODULE_NOT_FOUND' });
    expect(sdk.imported).toBe(true);
    expect(write.ok ? '' : write.error.errorMessage).toMatch(/EROFS/);
  });

  it('fails to start when its bundle lacks a package, as Lambda reports it', async () => {
    // Act
    const outcome = await pool.invoke('broken', {});

    // Assess
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? undefined : outcome.error).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: expect.stringContaining("Cannot find package 'dejavu-fonts-ttf'"),
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(pool.instances('broken')).toEqual([]);
  });
});

describe('the sandbox', () => {
  it("refuses an asset under /var, which every instance sees as Lambda's own /var", async () => {
    // Prepare
    const assetDir = mkdtempSync('/var/tmp/bie-asset-');
    copyFileSync(path.join(FIXTURES, 'probe', 'index.mjs'), path.join(assetDir, 'index.mjs'));
    const misplaced = new FunctionPool([{ ...probe('misplaced'), assetDir }], {
      logDir,
      warn: () => undefined,
    });

    try {
      // Act
      const refused = await misplaced.invoke('misplaced', {}).catch((e: Error) => e);

      // Assess
      expect(refused).toMatchObject({
        name: 'SandboxUnavailableError',
        message: expect.stringContaining(`${assetDir} is under /var`),
      });
    } finally {
      await misplaced.close();
      rmSync(assetDir, { recursive: true, force: true });
    }
  });

  it('hides the host system fonts, which the Lambda image does not have', async () => {
    // Act
    const found = payload<string | null>(
      await pool.invoke('probe-a', { action: 'list-dir', path: '/usr/share/fonts' }),
    );

    // Assess
    expect(found ?? []).toEqual([]);
  });
});

describe('an invocation', () => {
  it('fails with Sandbox.Timedout after the function timeout and gets a fresh instance next', async () => {
    // Prepare
    const before = payload<{ pid: number }>(await pool.invoke('probe-slow', { action: 'sleep', ms: 1 }));

    // Act
    const outcome = await pool.invoke('probe-slow', { action: 'sleep', ms: 5_000 });
    const after = payload<{ pid: number }>(await pool.invoke('probe-slow', { action: 'sleep', ms: 1 }));

    // Assess
    expect(outcome.ok ? undefined : outcome.error).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(/Task timed out after 1\.00 seconds$/),
    });
    expect(after.pid).not.toBe(before.pid);
  });

  it('runs with credentials of its own instance that name its function and outlive the instance', async () => {
    // Prepare
    const first = payload<Record<string, string>>(await pool.invoke('probe-slow', { action: 'env' }));

    // Act: a timeout ends that instance; the next invocation gets a new one.
    await pool.invoke('probe-slow', { action: 'sleep', ms: 5_000 });
    const second = payload<Record<string, string>>(await pool.invoke('probe-slow', { action: 'env' }));

    // Assess
    expect(second.AWS_ACCESS_KEY_ID).not.toBe(first.AWS_ACCESS_KEY_ID);
    expect(pool.principalFor(first.AWS_ACCESS_KEY_ID as string)).toMatchObject({
      functionName: 'probe-slow',
      functionArn: arn('probe-slow'),
      secretAccessKey: first.AWS_SECRET_ACCESS_KEY,
      sessionToken: first.AWS_SESSION_TOKEN,
    });
    expect(pool.principalFor('ASIAUNKNOWNKEY000000')).toBeUndefined();
  });

  it('returns the handler error Lambda-style and throws it by name for the state machine runner', async () => {
    // Act
    const outcome = await pool.invoke('probe-a', { action: 'throw', message: 'no trends' });
    const thrown = await pool
      .handler(arn('probe-a'))({ action: 'throw', message: 'no trends' }, {} as never)
      .catch((e: Error) => e);

    // Assess
    expect(outcome.ok ? undefined : outcome.error).toMatchObject({
      errorType: 'ProbeFailed',
      errorMessage: 'no trends',
      trace: expect.arrayContaining([expect.stringContaining('ProbeFailed: no trends')]),
    });
    expect(thrown).toMatchObject({ name: 'ProbeFailed', message: 'no trends' });
  });

  it('ends with the sandbox when an error escapes the handler', async () => {
    // Prepare
    const before = payload<{ pid: number }>(await pool.invoke('probe-crash', { action: 'sleep', ms: 1 }));

    // Act
    const outcome = await pool.invoke('probe-crash', { action: 'crash' });
    const after = await pool.invoke('probe-crash', { action: 'sleep', ms: 1 });

    // Assess
    expect(outcome.ok ? undefined : outcome.error).toMatchObject({
      errorType: 'Error',
      errorMessage: 'crashed outside the handler',
    });
    expect(payload<{ pid: number }>(after).pid).not.toBe(before.pid);
    expect(pool.instances('probe-crash')).toHaveLength(1);
  });

  it('writes its output to the function log under its request id', async () => {
    // Act
    const outcome = await pool.invoke('probe-a', { action: 'log', message: 'hello log' });
    await new Promise((r) => setTimeout(r, 100));

    // Assess
    const log = readFileSync(path.join(logDir, 'probe-a.log'), 'utf8');
    expect(log).toMatch(new RegExp(`\\t${outcome.requestId}\\tINFO\\tprobe says hello log`));
    expect(log).toContain(`START RequestId: ${outcome.requestId} Version: $LATEST`);
    expect(log).toMatch(new RegExp(`REPORT RequestId: ${outcome.requestId}\\tDuration: `));
  });
});

describe('environment reads', () => {
  it('are reported when the function reads a variable its template does not set', async () => {
    // Act
    const value = payload<string>(await pool.invoke('probe-a', { action: 'read-undeclared' }));

    // Assess
    expect(value).toBe('unset');
    expect(pool.undeclaredEnvReads()).toContainEqual({
      function: 'probe-a',
      variable: 'PROBE_UNDECLARED_SETTING',
      source: expect.stringMatching(/^\/var\/task\/index\.mjs:\d+$/),
    });
  });

  it('are not reported when the template sets the variable', async () => {
    // Act
    const value = payload<string>(await pool.invoke('probe-declared', { action: 'read-undeclared' }));

    // Assess
    expect(value).toBe('set by the template');
    expect(pool.undeclaredEnvReads().filter((r) => r.function === 'probe-declared')).toEqual([]);
  });
});
