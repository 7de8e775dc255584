import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { ApprovalExpiredError, ApprovalLinkError } from '../approvals/domain/links.js';
import { logger } from '../shared/commons.js';
import {
  ConflictError,
  DomainError,
  type FieldIssue,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../shared/errors.js';
import { SecretNotConfiguredError } from '../shared/secrets.js';
import { parseOrThrow } from '../shared/validation.js';
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

/** A JSON (or form-encoded, for approval links) body, not yet validated. */
export function readBody(event: ApiEvent, what: string): unknown {
  const raw = rawBody(event);
  const type = event.headers?.['content-type'] ?? '';
  if (type.startsWith('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(raw));
  try {
    return raw ? JSON.parse(raw) : undefined;
  } catch (e) {
    throw new ValidationError(`invalid ${what}`, [
      { path: '', message: `body is not valid JSON (${(e as Error).message})` },
    ]);
  }
}

/** Parses a JSON (or form-encoded, for approval links) body and validates it. */
export function parseBody<S extends z.ZodType>(event: ApiEvent, schema: S, what: string): z.infer<S> {
  return parseOrThrow(schema, readBody(event, what), what);
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
