import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { ApprovalExpiredError, ApprovalLinkError } from '../approvals/domain/links.js';
import { logger } from '../shared/commons.js';
import { Uuid } from '../shared/contracts/index.js';
import {
  ConflictError,
  DomainError,
  type FieldIssue,
  NotFoundError,
  PayloadTooLargeError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../shared/errors.js';
import { SecretNotConfiguredError } from '../shared/secrets.js';
import { fieldIssues, parseOrThrow } from '../shared/validation.js';
import { WebhookSecretError, WebhookVerificationError } from '../shared/webhooks/standard-webhooks.js';

export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2;
export type RouteHandler = (event: ApiEvent) => Promise<ApiResult>;

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const html = (statusCode: number, body: string): ApiResult => ({
  statusCode,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body,
});

/** RFC 9457 problem details; `errors` lists every bad field by path. */
export function problem(status: number, title: string, detail: string, errors?: FieldIssue[]): ApiResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({
      type: `https://brand-infinity.dev/problems/${title.toLowerCase().replaceAll(' ', '-')}`,
      title,
      status,
      detail,
      ...(errors ? { errors: errors.map((e) => ({ pointer: e.path, detail: e.message })) } : {}),
    }),
  };
}

/** The body exactly as sent (signatures are computed over these bytes). */
export const rawBody = (event: ApiEvent): string =>
  event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';

/** Bytes of the body as sent (API Gateway base64-encodes binary bodies). */
const bodyBytes = (event: ApiEvent): number =>
  event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').length
      : Buffer.byteLength(event.body)
    : 0;

/**
 * The largest body a route reads, far below Lambda's 6 MB invoke limit. No valid JSON body of this API
 * comes near it (the longest campaign request is about 20 KB even with every character escaped); a
 * brand bible is bounded by the 400 KB DynamoDB item its profile is stored in.
 */
export const BODY_LIMITS = { json: 256 * 1024, brandBible: 256 * 1024 } as const;

export const MEDIA_TYPES = {
  json: ['application/json'],
  /** The confirmation page of a mailed link posts a form. */
  jsonOrForm: ['application/json', 'application/x-www-form-urlencoded'],
  /** Markdown (or any text) or BrandProfile JSON. */
  brandBible: ['text/markdown', 'text/*', 'application/json'],
} as const;

/** The media type of the body (`application/json; charset=utf-8` → `application/json`), '' without one. */
export const mediaType = (event: ApiEvent): string =>
  (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/**
 * The body as text, refused before it is read when it is larger than `maxBytes` (413) or in a media
 * type the route does not read (415; `+json` suffixes count as JSON, and a body without a content-type
 * is read as the route's first type, as curl and most clients send JSON).
 */
export function requireBody(
  event: ApiEvent,
  opts: { what: string; types: readonly string[]; maxBytes: number },
): string {
  if (bodyBytes(event) > opts.maxBytes) throw new PayloadTooLargeError(opts.maxBytes, opts.what);
  const type = mediaType(event);
  const accepted = (t: string) =>
    opts.types.some((a) => a === t || (a.endsWith('/*') && t.startsWith(a.slice(0, -1))));
  if (type && !accepted(type.endsWith('+json') ? 'application/json' : type))
    throw new UnsupportedMediaTypeError(opts.types, type);
  return rawBody(event);
}

/** A JSON (or, where the route takes it, form-encoded) body, not yet validated. */
export function readBody(
  event: ApiEvent,
  what: string,
  types: readonly string[] = MEDIA_TYPES.json,
): unknown {
  const raw = requireBody(event, { what, types, maxBytes: BODY_LIMITS.json });
  // No body at all: the route's schema names what is missing (a link route answers 401 first).
  if (!raw.trim()) return undefined;
  if (mediaType(event) === 'application/x-www-form-urlencoded')
    return Object.fromEntries(new URLSearchParams(raw));
  return parseJson(raw, what);
}

/** JSON.parse that answers 400 naming the syntax error instead of throwing a SyntaxError. */
export function parseJson(raw: string, what: string): unknown {
  if (!raw.trim()) throw new ValidationError(`invalid ${what}`, [{ path: '', message: 'the body is empty' }]);
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new ValidationError(`invalid ${what}`, [
      { path: '', message: `body is not valid JSON (${(e as Error).message.slice(0, 200)})` },
    ]);
  }
}

/** Parses a JSON body and validates it. */
export function parseBody<S extends z.ZodType>(event: ApiEvent, schema: S, what: string): z.infer<S> {
  return parseOrThrow(schema, readBody(event, what), what);
}

/**
 * A path parameter that names a stored item by its UUID. Anything else cannot name one, and must not
 * reach the table either (keys have byte limits): refused with 400 before any read.
 */
export function pathUuid(event: ApiEvent, name = 'id'): string {
  const value = event.pathParameters?.[name] ?? '';
  if (!Uuid.safeParse(value).success)
    throw new ValidationError(`invalid path parameter ${name}`, [
      { path: `path.${name}`, message: 'must be a UUID' },
    ]);
  return value;
}

/** An optional query parameter validated by its schema; errors name it as `query.<name>`. */
export function queryParam<S extends z.ZodType>(event: ApiEvent, name: string, schema: S): z.infer<S> {
  const result = schema.safeParse(event.queryStringParameters?.[name]);
  if (!result.success)
    throw new ValidationError(
      `invalid query parameter ${name}`,
      fieldIssues(result.error).map((i) => ({ ...i, path: `query.${name}${i.path ? `.${i.path}` : ''}` })),
    );
  return result.data;
}

const LINK_REFUSALS = {
  missing: [401, 'Unauthorized'],
  invalid: [403, 'Forbidden'],
  expired: [410, 'Link expired'],
} as const;

function toProblem(error: unknown): ApiResult {
  if (error instanceof ValidationError) return problem(400, 'Invalid request', error.message, error.issues);
  if (error instanceof NotFoundError) return problem(404, 'Not found', error.message);
  if (error instanceof ConflictError) return problem(409, 'Conflict', error.message);
  if (error instanceof PayloadTooLargeError) return problem(413, 'Payload Too Large', error.message);
  if (error instanceof UnsupportedMediaTypeError)
    return {
      ...problem(415, 'Unsupported Media Type', error.message),
      headers: { 'content-type': 'application/problem+json', accept: error.accepted.join(', ') },
    };
  if (error instanceof UnprocessableError) return problem(422, error.title, error.message, error.issues);
  if (error instanceof DomainError && error.name === 'BrandNotFoundError') {
    return problem(422, 'Unknown brand', error.message, [
      { path: 'campaign_request.brand_id', message: error.message },
    ]);
  }
  if (error instanceof ApprovalLinkError) {
    const [status, title] = LINK_REFUSALS[error.reason];
    return problem(status, title, error.message);
  }
  if (error instanceof ApprovalExpiredError) return problem(410, 'Approval expired', error.message);
  if (error instanceof WebhookVerificationError) return problem(401, 'Unauthorized', error.message);
  // A secret nobody configured (or a malformed one) is the operator's to fix; callers retry later.
  if (error instanceof SecretNotConfiguredError || error instanceof WebhookSecretError) {
    logger.error('secret not configured', { error });
    return problem(503, 'Not configured', 'the service is not configured to verify this request');
  }
  logger.error('unhandled API error', { error: error as Error });
  return problem(500, 'Internal error', 'the request could not be completed; it is safe to retry');
}

/** One Lambda serving several routes of the HTTP API (payload format 2.0), keyed by routeKey. */
export function apiHandler(routes: Record<string, RouteHandler>) {
  return middy(async (event: ApiEvent, _context: Context): Promise<ApiResult> => {
    const route = routes[event.routeKey];
    if (!route) return problem(404, 'Not found', `no route ${event.routeKey}`);
    try {
      return await route(event);
    } catch (error) {
      return toProblem(error);
    }
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}
