import type { IncomingMessage, ServerResponse } from 'node:http';
import { close, listen, readBody } from '../../engine/http-util.js';

/** A request as the gateway hands it to an in-process service: already read, body as sent. */
export interface ServiceRequest {
  method: string;
  /** Path and query, as on the wire. */
  url: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface ServiceResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export type ServiceHandler = (req: ServiceRequest) => Promise<ServiceResponse>;

/** AWS JSON 1.0/1.1 success. */
export const jsonOk = (version: '1.0' | '1.1', body: unknown): ServiceResponse => ({
  status: 200,
  headers: { 'content-type': `application/x-amz-json-${version}` },
  body: JSON.stringify(body),
});

/** AWS JSON 1.0/1.1 error: the SDK reads the code from `x-amzn-errortype` (and `__type`). */
export const jsonError = (
  version: '1.0' | '1.1',
  status: number,
  type: string,
  message: string,
): ServiceResponse => ({
  status,
  headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-errortype': type },
  body: JSON.stringify({ __type: type, message }),
});

/** Parses a JSON-protocol body, `{}` when empty; undefined when it is not a JSON object. */
export function parseJsonBody(body: Buffer): Record<string, unknown> | undefined {
  const text = body.toString('utf8');
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  // HTTP/2 pseudo-headers (`:path`, `:authority`, ...) are not headers of the request itself.
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined && !k.startsWith(':')) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  if (!out.host && typeof req.headers[':authority'] === 'string') out.host = req.headers[':authority'];
  return out;
}

export function writeResponse(res: ServerResponse, r: ServiceResponse): void {
  const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
  res.writeHead(r.status, { ...r.headers, 'content-length': String(body.length) });
  res.end(body);
}

/** Serves one in-process service on its own loopback port (tests, or use without the gateway). */
export async function serveService(
  handler: ServiceHandler,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const { server, url } = await listen(async (req, res) => {
    const body = await readBody(req);
    writeResponse(
      res,
      await handler({ method: req.method ?? 'GET', url: req.url ?? '/', headers: headersOf(req), body }),
    );
  }, port);
  return { url, close: () => close(server) };
}
