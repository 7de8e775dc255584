import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { LambdaContext, LambdaHandler } from './asl-runner.js';
import { close, listen, readBody, send } from './http-util.js';

export interface LocalFunction {
  /** The function name (`bie-<Id>` locally); the endpoint also answers to its ARN. */
  name: string;
  arn: string;
  handler: LambdaHandler;
  timeoutSeconds: number;
  memoryMb: number;
}

export interface LambdaEndpointOptions {
  /**
   * Event invocations running at once in this process; the rest wait in line. Lambda would run them
   * side by side on separate machines; here they share two cores with everything else.
   */
  asyncConcurrency?: number;
  /** Retries of a failed Event invocation (Lambda's default is 2) and the wait before the first. */
  asyncRetries?: number;
  asyncRetryDelayMs?: number;
  /** Where failures of Event invocations go (nobody waits for them); default stderr. */
  onAsyncError?: (functionName: string, error: Error, attempt: number) => void;
  /**
   * Keeps accepted Event invocations here until they finished, and runs those a killed process left
   * when functions are bound again: an event Lambda accepted (202) is not lost.
   */
  queueDir?: string;
}

export interface LambdaEndpoint {
  /** The value for AWS_ENDPOINT_URL_LAMBDA. */
  url: string;
  /**
   * Serves these functions (the endpoint opens before handler modules load, as their clients read the
   * URL), and runs the Event invocations a previous process left in `queueDir`.
   */
  bind(functions: LocalFunction[]): void;
  /** Resolves when no Event invocation is queued or running. */
  idle(): Promise<void>;
  /** Stops listening and waits for the running Event invocations; queued ones stay in `queueDir`. */
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const REGION = 'us-east-1';

function errorResponse(res: ServerResponse, status: number, type: string, message: string): void {
  // REST-JSON errors: the SDK reads the code from x-amzn-ErrorType and the text from the body.
  send(res, status, JSON.stringify({ Type: 'User', Message: message, message }), {
    'content-type': 'application/json',
    'x-amzn-errortype': type,
    'x-amzn-requestid': randomUUID(),
  });
}

/**
 * The Lambda Invoke API (`POST /2015-03-31/functions/{FunctionName}/invocations`) over in-process
 * handlers, so unchanged `@aws-sdk/client-lambda` code invokes functions here as it would on AWS:
 * `X-Amz-Invocation-Type: Event` answers 202 and runs the handler in the background (retried when it
 * throws, like Lambda's asynchronous invocation); `RequestResponse` answers 200 with the result, or
 * with `X-Amz-Function-Error: Unhandled` and the error; `DryRun` answers 204; unknown functions 404
 * `ResourceNotFoundException`.
 */
export async function openLambdaEndpoint(opts: LambdaEndpointOptions = {}): Promise<LambdaEndpoint> {
  const byName = new Map<string, LocalFunction>();
  const limit = Math.max(1, opts.asyncConcurrency ?? 2);
  const retries = opts.asyncRetries ?? 2;
  const retryDelayMs = opts.asyncRetryDelayMs ?? 1000;
  const queue: (() => Promise<void>)[] = [];
  let running = 0;
  let closing = false;
  let idleWaiters: (() => void)[] = [];
  const report =
    opts.onAsyncError ??
    ((name: string, error: Error, attempt: number) =>
      process.stderr.write(`async invocation of ${name} failed (attempt ${attempt}): ${error.message}\n`));

  const resolve = (raw: string): LocalFunction | undefined => {
    // Names, full ARNs and partial ARNs (`123456789012:function:name`), with an optional $LATEST qualifier.
    const name = raw.replace(/:\$LATEST$/, '');
    const fromArn = /(?:^|:)function:([^:]+)$/.exec(name)?.[1];
    return byName.get(fromArn ?? name);
  };

  const invoke = async (fn: LocalFunction, payload: unknown): Promise<unknown> => {
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const context: LambdaContext = {
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: String(fn.memoryMb),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    const result = await fn.handler(payload, context);
    return result === undefined ? null : result;
  };

  const settleIdle = () => {
    if (running > 0 || queue.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const pump = () => {
    while (running < limit && queue.length > 0 && !closing) {
      const job = queue.shift() as () => Promise<void>;
      running++;
      void job().finally(() => {
        running--;
        pump();
        settleIdle();
      });
    }
  };

  const persist = (fn: LocalFunction, payload: unknown): string | undefined => {
    if (!opts.queueDir) return undefined;
    mkdirSync(opts.queueDir, { recursive: true });
    const file = path.join(opts.queueDir, `${Date.now()}-${randomUUID()}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify({ function: fn.name, payload }));
    renameSync(`${file}.tmp`, file);
    return file;
  };

  const enqueue = (fn: LocalFunction, payload: unknown, file = persist(fn, payload)) => {
    queue.push(async () => {
      for (let attempt = 1; attempt <= retries + 1; attempt++) {
        try {
          await invoke(fn, structuredClone(payload));
          break;
        } catch (error) {
          report(fn.name, error instanceof Error ? error : new Error(String(error)), attempt);
          // Closing: the event stays on disk for the next process.
          if (closing) return;
          if (attempt > retries) break;
          await new Promise((r) => setTimeout(r, retryDelayMs * 2 ** (attempt - 1)));
        }
      }
      if (file) rmSync(file, { force: true });
    });
    pump();
  };

  /** Events a previous process accepted but did not finish, oldest first. */
  const replayLeftovers = () => {
    if (!opts.queueDir) return;
    let files: string[];
    try {
      files = readdirSync(opts.queueDir)
        .filter((f) => f.endsWith('.json'))
        .sort();
    } catch {
      return;
    }
    for (const f of files) {
      const file = path.join(opts.queueDir, f);
      const event = JSON.parse(readFileSync(file, 'utf8')) as { function: string; payload: unknown };
      const fn = byName.get(event.function);
      if (fn) enqueue(fn, event.payload, file);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = INVOKE_PATH.exec(url.pathname);
    if (req.method !== 'POST' || !match) {
      errorResponse(res, 404, 'UnknownOperationException', `${req.method} ${url.pathname} is not supported`);
      return;
    }
    const rawName = decodeURIComponent(match[1] as string);
    const qualifier = url.searchParams.get('Qualifier');
    const fn = qualifier && qualifier !== '$LATEST' ? undefined : resolve(rawName);
    if (!fn) {
      errorResponse(
        res,
        404,
        'ResourceNotFoundException',
        `Function not found: arn:aws:lambda:${REGION}:000000000000:function:${rawName}`,
      );
      return;
    }
    const raw = (await readBody(req, 6 * 1024 * 1024)).toString('utf8');
    let payload: unknown = {};
    if (raw.length > 0) {
      try {
        payload = JSON.parse(raw);
      } catch {
        errorResponse(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
        return;
      }
    }
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const headers = { 'x-amzn-requestid': randomUUID(), 'x-amz-executed-version': '$LATEST' };
    if (type === 'DryRun') {
      send(res, 204, '', headers);
      return;
    }
    if (type === 'Event') {
      if (closing) {
        errorResponse(res, 503, 'ServiceException', 'the local Lambda endpoint is shutting down');
        return;
      }
      enqueue(fn, payload);
      send(res, 202, '', headers);
      return;
    }
    if (type !== 'RequestResponse') {
      errorResponse(res, 400, 'InvalidParameterValueException', `unknown invocation type ${type}`);
      return;
    }
    try {
      const result = await invoke(fn, payload);
      send(res, 200, JSON.stringify(result), { ...headers, 'content-type': 'application/json' });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      send(res, 200, JSON.stringify({ errorType: e.name || 'Error', errorMessage: e.message, trace: [] }), {
        ...headers,
        'content-type': 'application/json',
        'x-amz-function-error': 'Unhandled',
      });
    }
  };

  const server = await listen(handle);
  return {
    url: server.url,
    bind(functions) {
      byName.clear();
      for (const f of functions) byName.set(f.name, f);
      replayLeftovers();
    },
    idle() {
      return new Promise<void>((r) => {
        idleWaiters.push(r);
        settleIdle();
      });
    },
    async close() {
      closing = true;
      queue.length = 0;
      await close(server.server);
      if (running > 0) await new Promise<void>((r) => idleWaiters.push(r));
    },
  };
}
