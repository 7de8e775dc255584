import { z } from 'zod';
import { ROUTES } from '../lambdas/catalog.js';
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
  { request?: z.ZodType; requestType?: string; response?: z.ZodType; status: number; summary: string }
> = {
  'POST /campaigns': {
    request: c.CreateCampaignBody,
    response: c.Campaign,
    status: 201,
    summary: 'Create a campaign and start its orchestrator',
  },
  'GET /campaigns': { status: 200, summary: 'List campaigns by brand_id or status' },
  'GET /campaigns/{id}': {
    status: 200,
    summary: 'Everything about a campaign: brief, scripts, videos, approvals, ledger, publications',
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
  'GET /approvals': { status: 200, summary: 'Pending approvals' },
  'GET /approvals/{id}': {
    status: 200,
    summary: 'An approval; with ?d=&exp=&sig= the confirmation page of a mailed link',
  },
  'POST /approvals/{id}': {
    request: c.ApprovalDecisionBody,
    response: c.Approval,
    status: 200,
    summary: 'Decide an approval once (JSON or the signed link form)',
  },
  'POST /webhooks/{provider}': {
    status: 200,
    summary: 'Provider render callback (Standard Webhooks signature)',
  },
};

/** OpenAPI 3.0 of the HTTP API, generated from the catalog routes and the zod contracts. */
export function renderOpenApi(): string {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const key = `${r.method} ${r.path}`;
    const b = BODIES[key];
    if (!b) throw new Error(`no OpenAPI description for ${key}`);
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, unknown>)[r.method.toLowerCase()] = {
      summary: b.summary,
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
        '400': { description: 'Invalid input', content: { 'application/problem+json': { schema: Problem } } },
        '404': { description: 'Not found', content: { 'application/problem+json': { schema: Problem } } },
      },
    };
  }
  return `${JSON.stringify({ openapi: '3.0.3', info: { title: 'Brand Infinity Engine API', version: '0.1.0' }, paths }, null, 2)}\n`;
}
