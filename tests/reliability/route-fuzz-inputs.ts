/**
 * The route fuzz of issue 12's reliability suite: for one route of the catalog, arbitrary requests
 * (path parameters with bad encodings, long strings and Unicode; query strings; headers, signed or not;
 * bodies valid-ish and garbage) sent through the API Gateway shim to the real handlers, each checked
 * for: no 5xx, problem+json on every 4xx, and nothing stored by a 4xx (table, bucket, event bus and
 * mailbox compared before and after). Shared by tests/reliability/route-fuzz.test.ts (which asserts)
 * and bench/reliability.bench.ts (which counts).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { signDecision } from '../../lambdas/approvals/domain/links.js';
import type { RouteSpec } from '../../lambdas/catalog.js';
import type { ApiHarness } from '../unit/api/harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BRAND_MARKDOWN = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');

/** What the fuzz aims its valid-ish inputs at: items that exist, and the secrets of signed requests. */
export interface Seeds {
  brandId: string;
  campaignId: string;
  /** Decided through signed links (the public routes). */
  approvalId: string;
  /** Decided by operators (IAM routes), so one door deciding first does not close the other. */
  operatorApprovalId: string;
  /** Render jobs waiting for their provider (each finishes once). */
  providerJobIds: string[];
  webhookSecret: string;
  signingSecret: string;
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Outcome counts of one route: status code → how many inputs got it. */
export type Outcomes = Record<string, number>;

// ------------------------------------------------------------------------------------------------
// Pieces

/** Percent-encodes every UTF-8 byte outside the unreserved set (lone surrogates become U+FFFD). */
const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

const BAD_ENCODINGS = ['%E0%A4%A', '%', '%zz', '%C0%80', '%ED%A0%80', '%00', '%FF%FE', '%2', '%%41'];
const ODD_SEGMENTS = [
  '..',
  '.',
  'a%2Fb',
  '%2F',
  '%25',
  '~',
  "'",
  '%20',
  'null',
  'undefined',
  '__proto__',
  '0',
];

function segment(valid: readonly string[], validWeight = 4): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: validWeight, arbitrary: fc.constantFrom(...valid) },
    { weight: 2, arbitrary: fc.uuid().map(String) },
    { weight: 2, arbitrary: fc.constantFrom(...BAD_ENCODINGS, ...ODD_SEGMENTS) },
    fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }).map(pct),
    fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }).map(pct),
    fc.integer({ min: 200, max: 6000 }).map((n) => 'a'.repeat(n)),
    fc.uuid().map((u) => u.toUpperCase()),
    fc.tuple(fc.uuid(), fc.constantFrom(...BAD_ENCODINGS)).map(([u, b]) => `${u}${b}`),
  );
}

/** Header values a client can send: visible ASCII and spaces (fetch refuses CR, LF and NUL). */
const headerValue = fc.oneof(
  fc.string({ maxLength: 40, unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }),
  fc.integer({ min: 300, max: 4000 }).map((n) => 'h'.repeat(n)),
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/problem+json',
  'application/vnd.bie+json',
  'text/plain',
  'text/markdown',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  'image/png',
  ';',
  'application/json; charset=latin1',
];

const deep = fc.integer({ min: 1, max: 40_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`);
const deepObject = fc.integer({ min: 1, max: 20_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);

/** Any JSON, raw text, nesting deeper than a stack, and bodies over a route's limit. */
const garbageBody = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ maxLength: 200, unit: 'grapheme' }),
  fc.string({ maxLength: 50, unit: 'binary' }),
  fc.constantFrom('', ' ', '{', '[]', 'null', '"x"', '{"__proto__": {"x": 1}}', '1e400', '\u0000'),
  deep,
  deepObject,
  fc.integer({ min: 65_000, max: 300_000 }).map((n) => JSON.stringify({ x: 'x'.repeat(n) })),
);

/** A valid body with one part replaced: a field removed, set to any JSON value, or an unknown one added. */
function mutated(valid: Record<string, unknown>): fc.Arbitrary<string> {
  const keys = Object.keys(valid);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(JSON.stringify(valid)) },
    fc.constantFrom(...keys).map((k) => {
      const { [k]: _gone, ...rest } = valid;
      return JSON.stringify(rest);
    }),
    fc
      .tuple(fc.constantFrom(...keys, 'unknown_field'), fc.jsonValue({ maxDepth: 2 }))
      .map(([k, v]) => JSON.stringify({ ...valid, [k]: v })),
  );
}

/** A campaign request body with any of its fields replaced (strings, numbers, e-mails, arrays). */
function campaignBody(seeds: Seeds): fc.Arbitrary<string> {
  const request: Record<string, unknown> = {
    product_category: 'specialty cold brew coffee',
    target_demographic: 'urban professionals aged 25-40',
    campaign_objective: 'awareness',
    budget_tier: 'standard',
    brand_id: seeds.brandId,
    key_message: 'Smooth energy that respects your morning',
    call_to_action: 'Find a can at your local cafe',
  };
  const field = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.string({ maxLength: 600, unit: 'grapheme' }),
    fc.double(),
    fc.constantFrom(5e-324, 1e308, -0, 0.001, 1.005, 99_999.99, 100_000.01),
    fc.emailAddress(),
    fc.constantFrom(`${'a'.repeat(300)}@example.com`, 'a@b', '@', 'x@x.x'),
    fc.uuid().map(String),
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(JSON.stringify({ campaign_request: request })) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...Object.keys(request), 'budget_limit_usd', 'variants', 'product_name'),
          field,
        )
        .map(([k, v]) => JSON.stringify({ campaign_request: { ...request, [k]: v } })),
    },
    fc
      .tuple(fc.constantFrom('auto_approve', 'approver_email', 'extra'), field)
      .map(([k, v]) => JSON.stringify({ campaign_request: request, [k]: v })),
    mutated({ campaign_request: request }),
  );
}

const brandBody = fc.oneof(
  { weight: 3, arbitrary: fc.constant(BRAND_MARKDOWN) },
  fc
    .tuple(
      fc.integer({ min: 0, max: BRAND_MARKDOWN.length }),
      fc.string({ maxLength: 200, unit: 'grapheme' }),
    )
    .map(([at, s]) => `${BRAND_MARKDOWN.slice(0, at)}${s}${BRAND_MARKDOWN.slice(at)}`),
  fc.string({ maxLength: 300, unit: 'grapheme' }).map((s) => `# ${s}\n\n## Voice\n${s}\n`),
  fc.integer({ min: 200_000, max: 400_000 }).map((n) => `# Big\n\n## Voice\n${'word '.repeat(n / 5)}`),
);

function webhookBody(seeds: Seeds): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.constantFrom('video.failed', 'video.completed', 'video.other'),
          fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...seeds.providerJobIds) },
            fc.string({ maxLength: 300 }),
          ),
          fc.option(fc.oneof(fc.webUrl(), fc.string({ maxLength: 50 }), fc.constant('file:///etc/passwd'))),
        )
        .map(([type, id, url]) =>
          JSON.stringify({
            id: `evt_${randomUUID()}`,
            type,
            data: { id, error: 'render failed', ...(url === null ? {} : { output_url: url }) },
          }),
        ),
    },
    garbageBody,
  );
}

/** Standard Webhooks headers: a correct signature over the body, a stale one, or garbage. */
function webhookHeaders(seeds: Seeds, body: string | undefined): fc.Arbitrary<Record<string, string>> {
  const sign = (at: number, id: string) => {
    const key = Buffer.from(seeds.webhookSecret.slice(6), 'base64');
    const mac = createHmac('sha256', key)
      .update(`${id}.${at}.${body ?? ''}`)
      .digest('base64');
    return { 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': `v1,${mac}` };
  };
  const now = () => Math.floor(Date.now() / 1000);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(null).map(() => sign(now(), `msg_${randomUUID()}`)) },
    fc.constant(null).map(() => sign(now() - 3600, `msg_${randomUUID()}`)),
    fc
      .string({ minLength: 1, maxLength: 300, unit: 'grapheme-ascii' })
      .map((id) => sign(now(), id.trim() || 'x')),
    fc.record({
      'webhook-id': headerValue,
      'webhook-timestamp': headerValue,
      'webhook-signature': headerValue,
    }),
    fc.constant({}),
  );
}

function approvalLinkFields(seeds: Seeds) {
  return fc
    .tuple(
      fc.constantFrom('approve', 'reject', 'maybe'),
      fc.oneof(
        fc.constant(Math.floor(Date.now() / 1000) + 3600),
        fc.integer(),
        fc.constantFrom(Number.POSITIVE_INFINITY, 2 ** 60, -1),
      ),
      fc.boolean(),
    )
    .map(([d, exp, genuine]) => ({
      d,
      exp,
      sig:
        genuine && (d === 'approve' || d === 'reject')
          ? signDecision(seeds.signingSecret, seeds.approvalId, d, exp)
          : 'AAAA',
    }));
}

function query(pairs: fc.Arbitrary<[string, string][]>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: pairs.map((p) => p.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')) },
    fc.constantFrom(...BAD_ENCODINGS).map((b) => `brand_id=${b}&status=${b}`),
    fc.string({ maxLength: 100, unit: 'grapheme-ascii' }).map((s) => s.replace(/[#\s]/g, '')),
  );
}

function queryFor(route: RouteSpec, seeds: Seeds): fc.Arbitrary<string> {
  const value = fc.oneof(
    fc.constantFrom(seeds.brandId, 'pending', 'in_production', 'published', 'approved', ''),
    fc.string({ maxLength: 50, unit: 'grapheme' }),
    fc.integer({ min: 200, max: 3000 }).map((n) => 'q'.repeat(n)),
  );
  if (route.path === '/approvals/{id}' && route.method === 'GET')
    return fc.oneof(
      approvalLinkFields(seeds).map((f) => `d=${f.d}&exp=${f.exp}&sig=${encodeURIComponent(f.sig)}`),
      query(fc.array(fc.tuple(fc.constantFrom('d', 'exp', 'sig', 'x'), value), { maxLength: 4 })),
    );
  return query(
    fc.array(fc.tuple(fc.constantFrom('brand_id', 'status', 'limit', 'x', '__proto__'), value), {
      maxLength: 4,
    }),
  );
}

function bodyFor(route: RouteSpec, seeds: Seeds): fc.Arbitrary<string | undefined> {
  const key = `${route.method} ${route.path}`;
  const specific: Record<string, fc.Arbitrary<string>> = {
    'POST /campaigns': campaignBody(seeds),
    'POST /brands': brandBody,
    'PUT /brands/{id}/guidelines': brandBody,
    'PUT /brands/{id}/trend-sources': mutated({
      sources: [{ url: 'https://example.com/feed.xml', name: 'Example' }],
    }),
    'POST /approvals/{id}': fc.oneof(
      approvalLinkFields(seeds).map((f) =>
        JSON.stringify({ decision: f.d, exp: f.exp, sig: f.sig, decided_by: 'fuzz' }),
      ),
      approvalLinkFields(seeds).map(
        (f) => `decision=${f.d}&exp=${f.exp}&sig=${encodeURIComponent(f.sig)}&feedback=x`,
      ),
    ),
    'POST /operator/approvals/{id}/decision': mutated({
      decision: 'reject',
      feedback: 'tighter',
      decided_by: 'fuzz',
    }),
    'POST /webhooks/{provider}': webhookBody(seeds),
  };
  return fc.oneof(
    { weight: 4, arbitrary: specific[key] ?? garbageBody },
    { weight: 2, arbitrary: garbageBody },
    fc.constant(undefined),
  );
}

/** Arbitrary requests aimed at one route (now and then with another method, or a path beside it). */
export function requestsFor(route: RouteSpec, seeds: Seeds): fc.Arbitrary<FuzzRequest> {
  const valid: Record<string, readonly string[]> = {
    id: route.path.startsWith('/brands')
      ? [seeds.brandId]
      : route.path.startsWith('/operator/approvals')
        ? [seeds.operatorApprovalId]
        : route.path.startsWith('/approvals')
          ? [seeds.approvalId]
          : [seeds.campaignId],
    provider: ['offline'],
    // A well-formed scheduled post id (none is scheduled in the seeds: the routes answer 404 past the edge).
    post_id: ['tiktok_s0123456789abcdef'],
  };
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  // Most webhooks go to the provider that has jobs, so signed events get past the job lookup.
  const params = fc.tuple(
    ...names.map((n) => segment(valid[n] ?? [], n === 'provider' ? 16 : 4)),
  ) as fc.Arbitrary<string[]>;
  const method = fc.oneof(
    { weight: 12, arbitrary: fc.constant(route.method) },
    fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
  );
  const suffix = fc.oneof(
    { weight: 12, arbitrary: fc.constant('') },
    fc.constantFrom('/', '/x', '//', '/..'),
  );
  return fc
    .tuple(method, params, suffix, queryFor(route, seeds), bodyFor(route, seeds))
    .chain(([m, values, tail, q, body]) => {
      const sendsBody = m !== 'GET' && body !== undefined;
      const headers = fc.record(
        {
          'content-type': fc.oneof(
            {
              weight: 6,
              arbitrary: fc.constant(
                route.path === '/brands' || route.path.endsWith('guidelines')
                  ? 'text/markdown'
                  : 'application/json',
              ),
            },
            fc.constantFrom(...CONTENT_TYPES),
            headerValue,
          ),
          'idempotency-key': fc.oneof(fc.uuid().map(String), headerValue),
          'x-fuzz': headerValue,
          accept: fc.constantFrom('*/*', 'text/html', 'application/json', ''),
        },
        { requiredKeys: [] },
      );
      const signed =
        route.auth === 'webhook' ? webhookHeaders(seeds, sendsBody ? body : '') : fc.constant({});
      return fc.tuple(headers, signed).map(([h, s]) => {
        let p = route.path;
        names.forEach((n, i) => {
          p = p.replace(`{${n}}`, values[i] ?? '');
        });
        const all: Record<string, string> = { ...h, ...s };
        if (!sendsBody) delete all['content-type'];
        return {
          method: m,
          path: `${p}${tail}${q ? `?${q}` : ''}`,
          headers: all,
          ...(sendsBody ? { body } : {}),
        };
      });
    });
}

// ------------------------------------------------------------------------------------------------
// Running

export interface Answer {
  status: number;
  type: string;
  text: string;
}

export async function send(url: string, req: FuzzRequest): Promise<Answer> {
  const res = await fetch(`${url}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** What is wrong with one answer (undefined when it holds): status, problem shape, stored state. */
export function judge(answer: Answer, before: string[], after: string[] | undefined): string | undefined {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status < 400) return undefined;
  if (answer.type !== 'application/problem+json')
    return `a ${answer.status} as ${answer.type}, not problem+json`;
  let problem: { status?: unknown; title?: unknown };
  try {
    problem = JSON.parse(answer.text);
  } catch {
    return `a ${answer.status} whose problem+json body does not parse`;
  }
  if (problem.status !== answer.status || typeof problem.title !== 'string')
    return `a ${answer.status} whose problem has status ${String(problem.status)} and title ${String(problem.title)}`;
  const stored = after?.filter((x) => !before.includes(x)) ?? [];
  const removed = before.filter((x) => !after?.includes(x));
  if (stored.length || removed.length)
    return `a ${answer.status} changed what is stored: +${stored.slice(0, 3).join(' | ').slice(0, 400)} -${removed.slice(0, 3).join(' | ').slice(0, 400)}`;
  return undefined;
}

/**
 * Fuzzes one route with `numRuns` inputs; throws (fast-check's report, with the failing request) at the
 * first input whose answer does not hold. Counts every answer's status into `outcomes`.
 */
export async function fuzzRoute(
  api: ApiHarness,
  seeds: Seeds,
  route: RouteSpec,
  opts: { numRuns: number; seed: number; outcomes: Outcomes },
): Promise<void> {
  let before = await api.snapshot();
  await fc.assert(
    fc.asyncProperty(requestsFor(route, seeds), async (req) => {
      const answer = await send(api.url, req);
      opts.outcomes[answer.status] = (opts.outcomes[answer.status] ?? 0) + 1;
      const after = await api.snapshot();
      const wrong = judge(answer, before, answer.status >= 400 ? after : undefined);
      before = after;
      if (wrong) throw new Error(`${req.method} ${req.path.slice(0, 200)}: ${wrong}`);
    }),
    { numRuns: opts.numRuns, seed: opts.seed, endOnFailure: true },
  );
}

/** The items the fuzz aims at: the example brand, a campaign, a pending approval and a render job. */
export async function seed(api: ApiHarness): Promise<Seeds> {
  const post = async (route: string, body: string, type: string) => {
    const res = await fetch(`${api.url}${route}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    if (res.status !== 201) throw new Error(`seeding ${route}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, string>>;
  };
  const brand = await post('/brands', BRAND_MARKDOWN, 'text/markdown');
  const campaign = await post(
    '/campaigns',
    JSON.stringify({
      campaign_request: {
        product_category: 'specialty cold brew coffee',
        target_demographic: 'urban professionals aged 25-40',
        campaign_objective: 'awareness',
        budget_tier: 'standard',
        brand_id: brand.brand_id,
      },
    }),
    'application/json',
  );
  const campaignId = campaign.campaign_id as string;
  const { approvals, renderJobs } = await import('../../lambdas/shared/data/repositories.js');
  const now = new Date();
  const approval = async () => {
    const id = randomUUID();
    await approvals.create({
      approval_id: id,
      campaign_id: campaignId,
      checkpoint: 'brief',
      subject_id: randomUUID(),
      summary: 'A brief to review',
      task_token: 'a-token-no-execution-waits-for',
      status: 'pending',
      notified: 'none',
      expires_at: new Date(now.getTime() + 86_400_000).toISOString(),
      created_at: now.toISOString(),
    });
    return id;
  };
  const providerJobIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const providerJobId = `offrender_${randomUUID()}`;
    providerJobIds.push(providerJobId);
    await renderJobs.put({
      job_id: `job-${randomUUID()}`,
      campaign_id: campaignId,
      variant_id: randomUUID(),
      scene_id: randomUUID(),
      model_name: 'sora',
      provider: 'offline',
      provider_job_id: providerJobId,
      status: 'processing',
      prompt: 'a cup of coffee',
      parameters: {},
      cost_usd: 0,
      list_price_usd: 0.4,
      attempt: 1,
      created_at: now.toISOString(),
    });
  }
  return {
    brandId: brand.brand_id as string,
    campaignId,
    approvalId: await approval(),
    operatorApprovalId: await approval(),
    providerJobIds,
    webhookSecret: api.webhookSecret,
    signingSecret: api.signingSecret,
  };
}
