// The runtime of one as-deployed function instance: what Lambda's Node.js runtime does inside the
// sandbox, reduced to what a handler can observe. Plain JavaScript on purpose: it runs from
// /var/runtime inside the instance's own mount namespace, next to the function's bundled asset, with
// nothing of the repository on its module path.
//
// Protocol with the pool (Node IPC, JSON):
//   parent → child  { t: 'invoke', id, arn, payload: <JSON text>, deadline: <epoch ms> }
//   child → parent  { t: 'ready', importMs } | { t: 'initError', error }
//                   { t: 'result', id, payload: <JSON text>, pending? } | { t: 'error', id, error, pending? }
//                   (pending: kinds of work still running when the handler answered)
//                   { t: 'fatal', id?, error } (an uncaught error: the instance exits)
//                   { t: 'env', variable, frames: [{ file, line, column }] }
// An error is Lambda's shape: { errorType, errorMessage, trace: string[] }.

import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const send = (message) => {
  if (process.connected) process.send(message);
};

// ---------------------------------------------------------------- environment reads
// Variables the Lambda service itself sets or may set (documented reserved variables); a read of one
// of these that happens to be unset is the platform's business, not a missing template variable.
const RUNTIME_KEYS = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_FORMAT',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_LEVEL',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API',
  'AWS_REGION',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_XRAY_CONTEXT_MISSING',
  'AWS_XRAY_DAEMON_ADDRESS',
  '_AWS_XRAY_DAEMON_ADDRESS',
  '_AWS_XRAY_DAEMON_PORT',
  'LAMBDA_RUNTIME_DIR',
  'LAMBDA_TASK_ROOT',
  'LANG',
  'LD_LIBRARY_PATH',
  'NODE_PATH',
  'PATH',
  'TZ',
]);

const SELF = import.meta.url;
const reported = new Set();

/** Raw call sites of the read (the pool maps them through the bundle's source map and attributes them). */
function callSites() {
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  Error.stackTraceLimit = 60;
  Error.prepareStackTrace = (_error, sites) => sites;
  const holder = {};
  Error.captureStackTrace(holder, callSites);
  const sites = holder.stack;
  Error.prepareStackTrace = prepare;
  Error.stackTraceLimit = limit;
  const frames = [];
  for (const site of Array.isArray(sites) ? sites : []) {
    const file = site.getFileName();
    if (!file || file === SELF) continue;
    frames.push({ file, line: site.getLineNumber() ?? 0, column: site.getColumnNumber() ?? 0 });
  }
  return frames;
}

function noteRead(env, key) {
  if (typeof key !== 'string' || key in env || RUNTIME_KEYS.has(key)) return;
  // The SDK's own endpoint variables (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>): unset on AWS by
  // design; code that reads them does so to recognise a local emulator, never to need one.
  if (key.startsWith('AWS_ENDPOINT_URL')) return;
  const frames = callSites();
  const top = frames[0];
  const id = `${key}\u0000${top ? `${top.file}:${top.line}:${top.column}` : ''}`;
  if (reported.has(id)) return;
  reported.add(id);
  send({ t: 'env', variable: key, frames });
}

// Every read of a variable is observed: the pool decides which ones are the function's own code
// reading a variable its template never set.
const realEnv = process.env;
process.env = new Proxy(realEnv, {
  get(target, key, receiver) {
    noteRead(target, key);
    return Reflect.get(target, key, receiver);
  },
  has(target, key) {
    noteRead(target, key);
    return Reflect.has(target, key);
  },
  getOwnPropertyDescriptor(target, key) {
    noteRead(target, key);
    return Reflect.getOwnPropertyDescriptor(target, key);
  },
});

// ---------------------------------------------------------------- logs
// Every line the instance writes carries the request it belongs to, as CloudWatch shows it.
let currentRequest = '-';
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  let lineStart = true;
  stream.write = (chunk, encoding, callback) => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
    let out = '';
    for (const part of text.split(/(?<=\n)/)) {
      if (lineStart && part.length) out += `${new Date().toISOString()}\t${currentRequest}\t`;
      out += part;
      lineStart = part.endsWith('\n');
    }
    return write(out, typeof encoding === 'function' ? encoding : callback);
  };
}
// Lambda's runtime prints console output with its level; keep the level visible in the log file.
for (const [method, level] of [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
]) {
  const stream = level === 'WARN' || level === 'ERROR' || level === 'TRACE' ? process.stderr : process.stdout;
  console[method] = (...args) => {
    stream.write(`${level}\t${format(...args)}\n`);
  };
}

// ---------------------------------------------------------------- module resolution
// Lambda resolves bare imports of ES modules from the function, then its layers, then the runtime's
// own node_modules (where the AWS SDK lives); nothing else is on the path.
const FALLBACK_PARENTS = [
  '/opt/nodejs/node22/_.mjs',
  '/opt/nodejs/_.mjs',
  `${process.env.LAMBDA_RUNTIME_DIR ?? '/var/runtime'}/_.mjs`,
];
registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const bare = !/^(\.|\/|file:|node:|data:)/.test(specifier);
      if (!bare || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
      for (const parent of FALLBACK_PARENTS) {
        try {
          return nextResolve(specifier, { ...context, parentURL: pathToFileURL(parent).href });
        } catch {
          // try the next location
        }
      }
      throw error;
    }
  },
});

// ---------------------------------------------------------------- errors
function lambdaError(error, fallbackType) {
  if (error instanceof Error) {
    return {
      errorType: error.name || fallbackType || 'Error',
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  return { errorType: fallbackType || 'Error', errorMessage: String(error), trace: [] };
}

class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

// ---------------------------------------------------------------- init
const taskRoot = process.env.LAMBDA_TASK_ROOT ?? '/var/task';
const handlerSpec = process.env._HANDLER ?? 'index.handler';

async function loadHandler() {
  const slash = handlerSpec.lastIndexOf('/');
  const dir = handlerSpec.slice(0, slash + 1);
  const rest = handlerSpec.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot < 1) throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handlerSpec}`);
  const moduleBase = path.join(taskRoot, dir, rest.slice(0, dot));
  const file = ['.mjs', '.js', '.cjs'].map((ext) => moduleBase + ext).find((f) => existsSync(f));
  if (!file)
    throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${rest.slice(0, dot)}'`);
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', String(error));
    if (error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'MODULE_NOT_FOUND')
      throw new RuntimeError('Runtime.ImportModuleError', `Error: ${error.message}`);
    throw error;
  }
  let fn = mod;
  for (const key of rest.slice(dot + 1).split('.')) fn = fn?.[key];
  if (typeof fn !== 'function')
    throw new RuntimeError('Runtime.HandlerNotFound', `${rest} is undefined or not exported`);
  return fn;
}

let handler;
try {
  const started = performance.now();
  handler = await loadHandler();
  send({ t: 'ready', importMs: performance.now() - started });
} catch (error) {
  send({ t: 'initError', error: lambdaError(error) });
  process.exitCode = 1;
}

// ---------------------------------------------------------------- invocations
let inflight;

// Work a handler leaves running when it answers (a child process, a file operation, a timer) is
// frozen with the sandbox: Lambda never says so, this runtime does. Sockets are left out (the SDK
// keeps connections alive on purpose).
const WATCHED = new Set([
  'ProcessWrap',
  'FSReqCallback',
  'FSReqPromise',
  'FileHandle',
  'Timeout',
  'StatWatcher',
]);
const watched = () => process.getActiveResourcesInfo().filter((r) => WATCHED.has(r));

function leftRunning(baseline) {
  const before = new Map();
  for (const r of baseline) before.set(r, (before.get(r) ?? 0) + 1);
  const left = [];
  for (const r of watched()) {
    const n = before.get(r) ?? 0;
    if (n > 0) before.set(r, n - 1);
    else left.push(r);
  }
  return left;
}

function finish(message) {
  if (!inflight || inflight.id !== message.id) return;
  const pending = leftRunning(inflight.baseline);
  inflight = undefined;
  currentRequest = '-';
  send(pending.length ? { ...message, pending } : message);
}

function fail(id, error, fallbackType) {
  finish({ t: 'error', id, error: lambdaError(error, fallbackType) });
}

function succeed(id, value) {
  let payload;
  try {
    payload = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    fail(id, new RuntimeError('Runtime.SerializationError', String(error?.message ?? error)));
    return;
  }
  finish({ t: 'result', id, payload });
}

function context(message) {
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME ?? '';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    invokedFunctionArn: message.arn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: message.id,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? `/aws/lambda/${name}`,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    done: (error, value) => (error ? fail(message.id, error) : succeed(message.id, value)),
    fail: (error) => fail(message.id, error ?? new Error('handled')),
    succeed: (value) => succeed(message.id, value),
  };
}

async function invoke(message) {
  inflight = { id: message.id, baseline: watched() };
  currentRequest = message.id;
  let event;
  try {
    event = JSON.parse(message.payload);
  } catch (error) {
    fail(message.id, new RuntimeError('Runtime.InvalidPayload', String(error)));
    return;
  }
  const ctx = context(message);
  try {
    if (handler.length >= 3) {
      // Callback-style handler (still supported on nodejs22.x).
      await new Promise((resolve) => {
        const maybe = handler(event, ctx, (error, value) => {
          if (error) fail(message.id, error);
          else succeed(message.id, value);
          resolve();
        });
        if (maybe && typeof maybe.then === 'function')
          maybe.then(
            (value) => {
              succeed(message.id, value);
              resolve();
            },
            (error) => {
              fail(message.id, error);
              resolve();
            },
          );
      });
    } else {
      succeed(message.id, await handler(event, ctx));
    }
  } catch (error) {
    fail(message.id, error);
  }
}

process.on('message', (message) => {
  if (message?.t === 'invoke' && handler) void invoke(message);
});

// As on Lambda, an error nobody caught ends the invocation and the sandbox with it: the pool is
// told first (it must not pause an instance that is about to exit), then the process exits.
function fatal(error, fallbackType) {
  send({ t: 'fatal', id: inflight?.id, error: lambdaError(error, fallbackType) });
  inflight = undefined;
  process.exit(129);
}
process.on('uncaughtException', (error) => fatal(error, 'Runtime.UncaughtException'));
process.on('unhandledRejection', (reason) =>
  fatal(
    new RuntimeError(
      'Runtime.UnhandledPromiseRejection',
      reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason),
    ),
  ),
);
// The pool is gone (it crashed or was killed): nothing would ever invoke this instance again.
process.on('disconnect', () => process.exit(0));
