import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LambdaContext, LambdaHandler } from './asl-runner.js';
import { send } from './http-util.js';

export interface ApiRoute {
  method: string;
  path: string;
  handler: LambdaHandler;
  functionName: string;
  /** Checks a request before its handler runs (AWS_IAM and JWT routes in as-deployed mode): a denial is the answer. */
  authorize?: (request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: Buffer;
  }) => Promise<
    | { ok: true; iam: Record<string, unknown> }
    | { ok: true; jwt: { claims: Record<string, string>; scopes: string[] | null } }
    | { ok: false; status: number; message: string; headers?: Record<string, string> }
  >;
}

interface CompiledRoute extends ApiRoute {
  pattern: RegExp;
  params: string[];
}

function compile(route: ApiRoute): CompiledRoute {
  const params: string[] = [];
  const pattern = new RegExp(
    `^${route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      params.push(name);
      return '([^/]+)';
    })}/?$`,
  );
  return { ...route, pattern, params };
}

const problem = (status: number, title: string, detail: string): string =>
  JSON.stringify({ type: 'about:blank', title, status, detail });

/** API Gateway's request payload quota (10 MB, not adjustable); larger bodies get 413 from the gateway. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * Reads the body up to the quota. A declared Content-Length over it is refused before a byte is read;
 * a chunked body is refused as soon as it passes the quota, without buffering the rest. The rest is
 * drained (read and dropped) so the client, still sending, gets the answer instead of a reset.
 */
async function readPayload(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_PAYLOAD_BYTES) {
    req.resume();
    return 'too-large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // destroyOnReturn false: leaving the loop early must not reset the connection before the answer.
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) {
      req.resume();
      return 'too-large';
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Decodes each path parameter; a malformed percent-encoding (`%E0%A4%A`) is the caller's error. */
function decodeParams(names: string[], values: string[]): Record<string, string> | undefined {
  try {
    return Object.fromEntries(names.map((p, i) => [p, decodeURIComponent(values[i] ?? '')]));
  } catch {
    return undefined;
  }
}

const TEXT_TYPES = /^(text\/|application\/(json|problem\+json|x-www-form-urlencoded|xml))/;

interface V2Result {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
  isBase64Encoded?: boolean;
  cookies?: string[];
}

/**
 * API Gateway HTTP API (payload format 2.0) in front of the same handlers: each request becomes the
 * event API Gateway would send, and the handler's result is written back as API Gateway would.
 */
export function httpApiRequestHandler(routes: ApiRoute[]) {
  const compiled = routes.map(compile);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const matches = compiled.filter((r) => r.pattern.test(url.pathname));
    const route = matches.find((r) => r.method === method);
    if (!route) {
      const status = matches.length ? 405 : 404;
      send(
        res,
        status,
        problem(
          status,
          status === 404 ? 'Not Found' : 'Method Not Allowed',
          `${method} ${url.pathname.slice(0, 200)}`,
        ),
        {
          'content-type': 'application/problem+json',
          ...(status === 405 ? { allow: [...new Set(matches.map((r) => r.method))].join(', ') } : {}),
        },
      );
      req.resume();
      return;
    }
    const values = route.pattern.exec(url.pathname)?.slice(1) ?? [];
    const pathParameters = decodeParams(route.params, values);
    if (!pathParameters) {
      send(res, 400, problem(400, 'Bad Request', 'a path parameter is not valid percent-encoded UTF-8'), {
        'content-type': 'application/problem+json',
      });
      req.resume();
      return;
    }
    const raw = await readPayload(req);
    if (raw === 'too-large') {
      send(
        res,
        413,
        problem(413, 'Payload Too Large', `the request body is larger than ${MAX_PAYLOAD_BYTES} bytes`),
        { 'content-type': 'application/problem+json' },
      );
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    const auth = route.authorize
      ? await route.authorize({ method, url: req.url ?? '/', headers, body: raw })
      : undefined;
    if (auth && !auth.ok) {
      send(res, auth.status, JSON.stringify({ message: auth.message }), {
        'content-type': 'application/json',
        ...auth.headers,
      });
      return;
    }
    const contentType = headers['content-type'] ?? '';
    const isText = raw.length === 0 || TEXT_TYPES.test(contentType);
    const query = url.searchParams;
    const now = new Date();
    const event = {
      version: '2.0',
      routeKey: `${route.method} ${route.path}`,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      queryStringParameters: query.size
        ? Object.fromEntries([...query.keys()].map((k) => [k, query.getAll(k).join(',')]))
        : undefined,
      pathParameters: route.params.length ? pathParameters : undefined,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'local',
        http: {
          method,
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: `${route.method} ${route.path}`,
        ...(auth?.ok ? { authorizer: 'jwt' in auth ? { jwt: auth.jwt } : { iam: auth.iam } } : {}),
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
      body: raw.length ? (isText ? raw.toString('utf8') : raw.toString('base64')) : undefined,
      isBase64Encoded: raw.length > 0 && !isText,
    };
    const context: LambdaContext = {
      functionName: route.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: route.functionName,
      memoryLimitInMB: '1024',
      awsRequestId: event.requestContext.requestId,
      logGroupName: `/aws/lambda/${route.functionName}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => 29_000,
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    let result: unknown;
    try {
      result = await route.handler(event, context);
    } catch {
      send(res, 500, JSON.stringify({ message: 'Internal Server Error' }), {
        'content-type': 'application/json',
      });
      return;
    }
    // Payload 2.0: a result without statusCode is a JSON body with status 200.
    const shaped: V2Result =
      result && typeof result === 'object' && 'statusCode' in result
        ? (result as V2Result)
        : {
            statusCode: 200,
            body: JSON.stringify(result ?? null),
            headers: { 'content-type': 'application/json' },
          };
    const outHeaders: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(shaped.headers ?? {})) outHeaders[k] = String(v);
    if (shaped.cookies?.length) outHeaders['set-cookie'] = shaped.cookies;
    const body = shaped.body
      ? Buffer.from(shaped.body, shaped.isBase64Encoded ? 'base64' : 'utf8')
      : Buffer.alloc(0);
    res.writeHead(shaped.statusCode ?? 200, { 'content-length': String(body.length), ...outHeaders });
    res.end(body);
  };
}
