import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, exampleRequest, ingestExampleBrand, startApi } from './harness.js';

/**
 * Finding 5 of issue 12 (5xx on bad input) and finding 4 through the API (requests bound to fail are
 * refused at the edge): every answer is a 4xx problem+json naming what is wrong, and nothing is stored.
 */
let api: ApiHarness;
let brandId: string;

beforeAll(async () => {
  api = await startApi('bad-input');
  brandId = await ingestExampleBrand(api.url);
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

interface Answer {
  status: number;
  type: string;
  body: { title?: string; detail?: string; errors?: { pointer: string; detail: string }[] };
  headers: Headers;
}

async function call(
  method: string,
  route: string,
  init: { body?: string; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${api.url}${route}`, {
    method,
    headers: init.body === undefined ? init.headers : { 'content-type': 'application/json', ...init.headers },
    body: init.body,
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: text ? JSON.parse(text) : {},
    headers: res.headers,
  } as Answer;
}

/** Calls, then checks the refusal: its status, problem+json, and that nothing was stored. */
async function refused(status: number, method: string, route: string, init?: Parameters<typeof call>[2]) {
  const before = await api.snapshot();
  const answer = await call(method, route, init);
  expect(answer.status, `${method} ${route.slice(0, 80)}: ${JSON.stringify(answer.body).slice(0, 300)}`).toBe(
    status,
  );
  expect(answer.type).toBe('application/problem+json');
  expect(await api.snapshot()).toEqual(before);
  return answer;
}

const pointers = (a: Answer) => [...new Set((a.body.errors ?? []).map((e) => e.pointer))].sort();
const campaign = (patch: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ campaign_request: { ...exampleRequest(brandId), ...patch }, ...extra });

describe('POST /campaigns refuses requests a later step would refuse', () => {
  it('an empty key message and a two-letter call to action: 400 naming both fields', async () => {
    const a = await refused(400, 'POST', '/campaigns', {
      body: campaign({ key_message: '', call_to_action: 'ab' }),
    });
    expect(pointers(a)).toEqual(['campaign_request.call_to_action', 'campaign_request.key_message']);
  });

  it("a restricted term of the brand's bible in the copy: 422 naming the field and the term", async () => {
    const a = await refused(422, 'POST', '/campaigns', {
      body: campaign({ call_to_action: 'Grab a ch3ap can today' }),
    });
    expect(pointers(a)).toEqual(['campaign_request.call_to_action']);
    expect(a.body.errors?.[0]?.detail).toContain('"cheap"');
  });

  it('a brand nobody ingested: 422 naming brand_id', async () => {
    const a = await refused(422, 'POST', '/campaigns', {
      body: campaign({ brand_id: '00000000-0000-4000-8000-000000000999' }),
    });
    expect(pointers(a)).toEqual(['campaign_request.brand_id']);
  });
});

describe('no input gets a 5xx', () => {
  it('malformed percent-encoding in any {id}: 400', async () => {
    for (const [method, route] of [
      ['GET', '/campaigns/%E0%A4%A'],
      ['GET', '/brands/%E0%A4%A/trend-sources'],
      ['GET', '/operator/approvals/%E0%A4%A'],
      ['POST', '/operator/approvals/%E0%A4%A/decision'],
      ['POST', '/webhooks/%E0%A4%A'],
      ['GET', '/approvals/%C0%80?d=approve&exp=1&sig=x'],
    ] as const)
      await refused(400, method, route);
  });

  it('ids that are not UUIDs, however long: 400 naming the path parameter, before any read', async () => {
    for (const id of ['x', 'a'.repeat(5000), encodeURIComponent('東京'.repeat(400)), 'a%2Fb'])
      for (const route of [`/campaigns/${id}`, `/brands/${id}/trend-sources`, `/operator/approvals/${id}`]) {
        const a = await refused(400, 'GET', route);
        expect(pointers(a)).toEqual(['path.id']);
      }
  });

  it('a query filter that is not a UUID or a status: 400 naming it', async () => {
    expect(pointers(await refused(400, 'GET', `/campaigns?brand_id=${'b'.repeat(3000)}`))).toEqual([
      'query.brand_id',
    ]);
    expect(pointers(await refused(400, 'GET', '/campaigns?status=everything'))).toEqual(['query.status']);
  });

  it('absurd budgets (5e-324, fractions of a cent, 1e400, 1e308): 400 naming budget_limit_usd', async () => {
    for (const b of ['5e-324', '0.001', '1.005', '1e400', '1e308', '-5', '"12"']) {
      const body = campaign({}).replace(
        '"target_duration_seconds"',
        `"budget_limit_usd":${b},"target_duration_seconds"`,
      );
      expect(pointers(await refused(400, 'POST', '/campaigns', { body })), b).toEqual([
        'campaign_request.budget_limit_usd',
      ]);
    }
  });

  it('an e-mail address beyond RFC 5321 (a 300-character local part): 400 naming approver_email', async () => {
    const a = await refused(400, 'POST', '/campaigns', {
      body: campaign({}, { approver_email: `${'a'.repeat(300)}@example.com` }),
    });
    expect(pointers(a)).toEqual(['approver_email']);
  });

  it('arrays where objects are expected, deeply nested JSON, and empty bodies: 400', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    for (const body of [
      '[]',
      `{"campaign_request": ${deep.slice(0, 60_000)}}`,
      deep.slice(0, 60_000),
      'null',
      '"x"',
      '{"campaign_request": [1, 2]}',
    ])
      await refused(400, 'POST', '/campaigns', { body });
    await refused(400, 'POST', '/campaigns', { body: '' });
    await refused(400, 'POST', '/operator/approvals/00000000-0000-4000-8000-000000000001/decision', {
      body: '[{"decision": "approve"}]',
    });
  });

  it('wrong content types: 415 with the accepted ones', async () => {
    const body = campaign({});
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'image/png',
    ]) {
      const a = await refused(415, 'POST', '/campaigns', { body, headers: { 'content-type': type } });
      expect(a.headers.get('accept')).toBe('application/json');
    }
    await refused(415, 'POST', '/brands', { body: '# Brand', headers: { 'content-type': 'image/png' } });
    // JSON with a charset or a +json suffix is JSON.
    for (const type of ['application/json; charset=utf-8', 'application/vnd.bie+json'])
      await refused(400, 'POST', '/campaigns', {
        body: campaign({ key_message: '' }),
        headers: { 'content-type': type },
      });
  });

  it('bodies larger than a route takes: 413 before parsing', async () => {
    const padded = campaign({ product_description: 'x'.repeat(300_000) });
    await refused(413, 'POST', '/campaigns', { body: padded });
    await refused(413, 'POST', '/brands', {
      body: `# Big\n\n## Voice\n${'word '.repeat(60_000)}`,
      headers: { 'content-type': 'text/markdown' },
    });
  });

  it('unknown routes: 404; known paths with another method: 405 with Allow', async () => {
    await refused(404, 'GET', '/nothing-here');
    await refused(404, 'POST', '/campaigns/00000000-0000-4000-8000-000000000001/redrive/extra');
    const a = await refused(405, 'DELETE', '/campaigns');
    expect(a.headers.get('allow')).toBe('POST, GET');
    await refused(405, 'PATCH', '/brands/00000000-0000-4000-8000-000000000001/trend-sources');
  });
});

/** Sends a body of `bytes` with or without a Content-Length; resolves with the status. */
function sendLarge(bytes: number, chunked: boolean): Promise<{ status: number; type: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${api.url}/campaigns`);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: url.pathname,
        headers: {
          'content-type': 'application/json',
          ...(chunked ? {} : { 'content-length': String(bytes) }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), sent }),
        );
      },
    );
    req.on('error', reject);
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    let sent = 0;
    const write = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe('bodies over the API Gateway payload quota (10 MB)', () => {
  it('get 413 Payload Too Large, with or without a Content-Length, and store nothing', async () => {
    const before = await api.snapshot();
    for (const chunked of [false, true]) {
      const res = await sendLarge(20 * 1024 * 1024, chunked);
      expect(res.status, chunked ? 'chunked' : 'content-length').toBe(413);
      expect(res.type).toBe('application/problem+json');
    }
    expect(await api.snapshot()).toEqual(before);
  });
});

describe('POST /webhooks/{provider}', () => {
  const signed = (body: string, id = `msg_${randomBytes(8).toString('hex')}`) => {
    const ts = Math.floor(Date.now() / 1000);
    const key = Buffer.from(api.webhookSecret.slice(6), 'base64');
    const mac = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
    return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${mac}` };
  };

  it('answers a correctly signed body that is not JSON with 400', async () => {
    for (const body of ['not json', '{"type":', '\u0000\u0001', '[]', 'null'])
      await refused(400, 'POST', '/webhooks/offline', { body, headers: signed(body) });
  });

  it('answers a correctly signed event for an unknown job 404 and stores nothing (not even its id)', async () => {
    const body = JSON.stringify({ id: 'evt_1', type: 'video.failed', data: { id: 'offrender_unknown' } });
    await refused(404, 'POST', '/webhooks/offline', { body, headers: signed(body) });
  });

  it('answers an unknown provider (a long or odd path) 404 before reading anything', async () => {
    for (const provider of ['p'.repeat(3000), 'Offline', '..', '%20x'])
      await refused(404, 'POST', `/webhooks/${provider}`, { body: '{}', headers: signed('{}') });
  });

  it('answers a signed completion whose output cannot be fetched 422, storing nothing', async () => {
    // Prepare: a render job waiting for its provider.
    const { renderJobs } = await import('../../../lambdas/shared/data/repositories.js');
    const providerJobId = `offrender_${randomBytes(6).toString('hex')}`;
    await renderJobs.put({
      job_id: `job-${providerJobId}`,
      campaign_id: '00000000-0000-4000-8000-0000000000c1',
      variant_id: '00000000-0000-4000-8000-0000000000a1',
      scene_id: '00000000-0000-4000-8000-0000000000b1',
      model_name: 'sora',
      provider: 'offline',
      provider_job_id: providerJobId,
      status: 'processing',
      prompt: 'a cup of coffee',
      parameters: {},
      cost_usd: 0,
      list_price_usd: 0.4,
      attempt: 1,
      created_at: new Date().toISOString(),
    });
    // Act / Assess: an address nobody serves, a missing file, a URL that is not one.
    for (const url of ['http://127.0.0.1:1/clip.mp4', 'file:///nonexistent/clip.mp4']) {
      const body = JSON.stringify({
        id: 'evt_3',
        type: 'video.completed',
        data: { id: providerJobId, output_url: url },
      });
      const a = await refused(422, 'POST', '/webhooks/offline', { body, headers: signed(body) });
      expect(pointers(a)).toEqual(['data.output_url']);
    }
    const notUrl = JSON.stringify({
      id: 'e',
      type: 'video.completed',
      data: { id: providerJobId, output_url: 'clip' },
    });
    await refused(422, 'POST', '/webhooks/offline', { body: notUrl, headers: signed(notUrl) });
    expect((await renderJobs.findByProviderJobId('offline', providerJobId))?.status).toBe('processing');
  });

  it('refuses an event whose job id is too long for the index key: 400', async () => {
    const body = JSON.stringify({ id: 'evt_2', type: 'video.failed', data: { id: 'j'.repeat(3000) } });
    await refused(400, 'POST', '/webhooks/offline', { body, headers: signed(body) });
  });
});
