import { z } from 'zod';
import { ROUTES, routeAuth } from '../lambdas/catalog.js';
import * as c from '../lambdas/shared/contracts/index.js';

const schema = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' });

const Problem = {
  type: 'object',
  description: 'RFC 9457 problem details; `errors` names every bad field',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { pointer: { type: 'string' }, detail: { type: 'string' } } },
    },
  },
};

const BODIES: Record<
  string,
  {
    request?: z.ZodType;
    requestType?: string;
    response?: z.ZodType;
    status: number;
    summary: string;
    headers?: Record<string, unknown>[];
    refusals?: [string, string][];
    also?: [string, string][];
  }
> = {
  'POST /campaigns': {
    request: c.CreateCampaignBody,
    response: c.Campaign,
    status: 201,
    summary: 'Create a campaign and start its orchestrator',
    headers: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Retry-safe creation: the same key and body within 24 hours return the same campaign (200, Idempotent-Replayed: true) and start nothing; the same key with another body is refused (422). Without it every request is a new campaign.',
        schema: { type: 'string', pattern: '^[\\x21-\\x7E]{1,255}$' },
      },
    ],
    also: [['200', 'A replay of an earlier request with the same Idempotency-Key and body']],
    refusals: [
      [
        '422',
        'Unknown brand, a restricted term of the brand bible in a copy field, or an Idempotency-Key reused with another body',
      ],
    ],
  },
  'GET /campaigns': { status: 200, summary: 'List campaigns by brand_id or status' },
  'GET /campaigns/{id}': {
    status: 200,
    summary: 'Everything about a campaign: brief, scripts, videos, approvals, ledger, publications',
  },
  'POST /campaigns/{id}/redrive': {
    status: 202,
    summary:
      'Resume a failed campaign from the step that failed (IAM): Step Functions RedriveExecution on its orchestrator execution; finished steps are not run or charged again; 409 unless the campaign failed',
  },
  'POST /brands': {
    requestType: 'text/markdown',
    status: 201,
    summary: 'Ingest a brand bible (Markdown or BrandProfile JSON)',
  },
  'PUT /brands/{id}/guidelines': {
    requestType: 'text/markdown',
    status: 200,
    summary: 'Replace a brand bible',
  },
  'PUT /brands/{id}/trend-sources': {
    request: c.TrendSourcesBody,
    status: 200,
    summary:
      "Replace the brand's trend feeds (HTTPS RSS/Atom, read hourly); returns them with each one's last fetch",
  },
  'GET /brands/{id}/trend-sources': {
    status: 200,
    summary: "The brand's trend feeds and each one's last fetch (status, validators, items stored)",
  },
  'GET /approvals/{id}': {
    status: 200,
    summary:
      'The confirmation page of a mailed link (text/html); needs ?d=&exp=&sig= (401 without, 403 forged, 410 expired)',
  },
  'POST /approvals/{id}': {
    request: c.LinkDecisionBody,
    response: c.Approval,
    status: 200,
    summary:
      'Decide an approval once with the signed link (JSON or the page form); 401 unsigned, 403 forged, 410 expired, 409 decided',
  },
  'GET /approvals/{id}/review': {
    headers: [
      { name: 'exp', in: 'query', required: true, schema: { type: 'integer' }, description: 'link expiry' },
      { name: 'sig', in: 'query', required: true, schema: { type: 'string' }, description: 'link signature' },
    ],
    response: c.ReviewView,
    status: 200,
    summary:
      "The dashboard's review page data from a mailed review link (?exp=&sig=, a signature over the approval id and `review`): the subject by checkpoint, presigned media; 401 unsigned, 403 forged, 410 expired",
  },
  'GET /dashboard/campaigns': {
    response: c.CampaignCards,
    status: 200,
    summary:
      'Every campaign (or ?brand_id=) with live status per pillar and cost against its budget (dashboard user)',
  },
  'GET /dashboard/campaigns/{id}': {
    response: c.CampaignDetail,
    status: 200,
    summary: 'A campaign with cost per pillar and per scene, approvals and publications (dashboard user)',
  },
  'GET /dashboard/campaigns/{id}/performance': {
    response: c.PerformanceReport,
    status: 200,
    summary: 'Engagement over time per post, variant and platform (dashboard user)',
  },
  'GET /dashboard/campaigns/{id}/ab-report': {
    response: c.AbReport,
    status: 200,
    summary: 'The A/B report: Wilson intervals, a winner only at significance (dashboard user)',
  },
  'GET /dashboard/approvals': { status: 200, summary: 'Pending approvals (dashboard user)' },
  'GET /dashboard/approvals/{id}': {
    response: c.ReviewView,
    status: 200,
    summary: 'The review page data of an approval (dashboard user)',
  },
  'POST /dashboard/approvals/{id}/decision': {
    request: c.ApprovalDecisionBody,
    response: c.ApprovalView,
    status: 200,
    summary: 'Decide an approval once as a signed-in dashboard user; 409 when decided',
  },
  'GET /operator/approvals': { status: 200, summary: 'Pending approvals (IAM)' },
  'GET /operator/approvals/{id}': {
    response: c.Approval,
    status: 200,
    summary: 'An approval with presigned links to its media (IAM)',
  },
  'POST /operator/approvals/{id}/decision': {
    request: c.ApprovalDecisionBody,
    response: c.Approval,
    status: 200,
    summary: 'Decide an approval once as an operator, the CLI or a script (IAM); 409 when decided',
  },
  'POST /operator/campaigns/{id}/budget': {
    request: c.BudgetRaiseBody,
    response: c.BudgetRaiseResult,
    status: 200,
    summary:
      'Raise a campaign budget (IAM): steps paused at a budget checkpoint run again; 400 not above the current limit, 409 finished',
  },
  'POST /operator/campaigns/{id}/cancel': {
    request: c.CancelCampaignBody,
    response: c.CancelCampaignResult,
    status: 200,
    summary: 'Cancel a campaign paused at a budget checkpoint (IAM); 409 when not paused or finished',
  },
  'POST /webhooks/{provider}': {
    status: 200,
    summary: 'Provider render callback (Standard Webhooks signature)',
  },
  'GET /campaigns/{id}/performance': {
    response: c.PerformanceReport,
    status: 200,
    summary: 'Engagement time series per post and totals per variant and platform (IAM)',
  },
  'GET /campaigns/{id}/ab-report': {
    response: c.AbReport,
    status: 200,
    summary:
      'A/B test of the variants: Wilson intervals, a winner only at significance with the minimum sample (IAM)',
  },
  'DELETE /campaigns/{id}/posts/{post_id}/schedule': {
    response: c.ScheduledPost,
    status: 200,
    summary: 'Cancel a scheduled post that has not gone out (IAM); 409 once it has',
    refusals: [['409', 'The post has gone out, was cancelled, or changed meanwhile']],
  },
  'PATCH /campaigns/{id}/posts/{post_id}/schedule': {
    request: c.MoveScheduleBody,
    response: c.ScheduledPost,
    status: 200,
    summary: 'Move a scheduled post that has not gone out to another time (IAM); 409 once it has',
    refusals: [['409', 'The post has gone out, was cancelled, or changed meanwhile']],
  },
};

/** The refusals of the routes that authenticate their callers themselves. */
const REFUSALS: Partial<Record<ReturnType<typeof routeAuth>, [string, string][]>> = {
  link: [
    ['401', 'No link signature (nothing about the approval is revealed)'],
    ['403', 'The signature is not valid for this approval and decision'],
    ['409', 'Already decided'],
    ['410', 'The link or the approval has expired'],
  ],
  webhook: [
    ['401', 'Missing or wrong Standard Webhooks signature, or a timestamp outside five minutes'],
    ['409', 'The webhook-id was already received with another body'],
  ],
};

/** Every route that reads a body (API Gateway itself answers 413 over its 10 MB quota). */
const BODY_REFUSALS: [string, string][] = [
  ['413', 'The body is larger than the route takes'],
  ['415', 'The content-type is not one the route reads (the Accept header lists those)'],
];

/** OpenAPI 3.0 of the HTTP API, generated from the catalog routes and the zod contracts. */
export function renderOpenApi(): string {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const key = `${r.method} ${r.path}`;
    const b = BODIES[key];
    if (!b) throw new Error(`no OpenAPI description for ${key}`);
    const params = [
      ...[...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        // Ids are UUIDs (anything else is refused with 400); providers are short slugs (else 404).
        schema:
          m[1] === 'id'
            ? { type: 'string', format: 'uuid' }
            : { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' },
      })),
      ...(b.headers ?? []),
    ];
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, unknown>)[r.method.toLowerCase()] = {
      summary: b.summary,
      // IAM routes need SigV4; link and webhook routes carry their own signatures, checked by the handler.
      security: routeAuth(r) === 'iam' ? [{ sigv4: [] }] : routeAuth(r) === 'user' ? [{ cognito: [] }] : [],
      ...(routeAuth(r) === 'iam' || routeAuth(r) === 'user' ? {} : { 'x-bie-auth': routeAuth(r) }),
      operationId: `${r.functionId}_${r.method.toLowerCase()}_${r.path.replace(/[^a-z]+/gi, '_')}`,
      ...(params.length ? { parameters: params } : {}),
      ...(b.request
        ? { requestBody: { required: true, content: { 'application/json': { schema: schema(b.request) } } } }
        : {}),
      ...(b.requestType
        ? {
            requestBody: {
              required: true,
              content: {
                [b.requestType]: { schema: { type: 'string' } },
                'application/json': { schema: schema(c.BrandProfile) },
              },
            },
          }
        : {}),
      responses: {
        [b.status]: {
          description: 'OK',
          content: { 'application/json': { schema: b.response ? schema(b.response) : { type: 'object' } } },
        },
        ...Object.fromEntries(
          (b.also ?? []).map(([code, description]) => [
            code,
            {
              description,
              content: {
                'application/json': { schema: b.response ? schema(b.response) : { type: 'object' } },
              },
            },
          ]),
        ),
        '400': { description: 'Invalid input', content: { 'application/problem+json': { schema: Problem } } },
        '404': { description: 'Not found', content: { 'application/problem+json': { schema: Problem } } },
        ...Object.fromEntries(
          [
            ...(b.request || b.requestType || r.method !== 'GET' ? BODY_REFUSALS : []),
            ...(b.refusals ?? []),
            ...(REFUSALS[routeAuth(r)] ?? []),
          ].map(([code, description]) => [
            code,
            { description, content: { 'application/problem+json': { schema: Problem } } },
          ]),
        ),
      },
    };
  }
  const components = {
    securitySchemes: {
      sigv4: {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        description: 'AWS Signature Version 4 (IAM), checked by API Gateway',
        'x-amazon-apigateway-authtype': 'awsSigv4',
      },
      cognito: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          "A Cognito access token of the dashboard's user pool, checked by API Gateway's JWT authorizer",
      },
    },
  };
  return `${JSON.stringify({ openapi: '3.0.3', info: { title: 'Brand Infinity Engine API', version: '0.1.0' }, paths, components }, null, 2)}\n`;
}
