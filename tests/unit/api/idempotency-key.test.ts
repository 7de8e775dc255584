import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, exampleRequest, ingestExampleBrand, startApi } from './harness.js';

/** The Deliver bullet of issue 12: POST /campaigns honours an Idempotency-Key header. */
let api: ApiHarness;
let brandId: string;
let ddb: DynamoDBDocumentClient;
const TABLE = 'idempotency';

beforeAll(async () => {
  api = await startApi(TABLE);
  brandId = await ingestExampleBrand(api.url);
  ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: api.emulators.dynamodbUrl }));
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

async function post(body: unknown, key?: string) {
  const res = await fetch(`${api.url}/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    replayed: res.headers.get('idempotent-replayed'),
    type: res.headers.get('content-type'),
    body: (await res.json()) as {
      campaign_id?: string;
      title?: string;
      detail?: string;
      errors?: { pointer: string }[];
    },
  };
}

const body = (patch: Record<string, unknown> = {}) => ({
  campaign_request: { ...exampleRequest(brandId), ...patch },
});

async function items(prefix: string) {
  const res = await ddb.send(new ScanCommand({ TableName: TABLE }));
  return (res.Items ?? []).filter((i) => String(i.pk).startsWith(prefix));
}

/** Executions started for a campaign (the execution is named after the campaign). */
const executionsOf = (campaignId: string) =>
  api.runner.listExecutions().filter((e) => e.name === campaignId).length;

describe('POST /campaigns with an Idempotency-Key', () => {
  it('returns the same campaign for the same key and body: 201, then 200 replayed, one execution', async () => {
    // Prepare
    const key = randomUUID();
    // Act
    const first = await post(body(), key);
    const again = await post(body(), key);
    // Assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.replayed).toBe('true');
    expect(again.body.campaign_id).toBe(first.body.campaign_id);
    expect(executionsOf(first.body.campaign_id as string)).toBe(1);
  });

  it('treats a body that differs only in spacing, key order or trimmed whitespace as the same body', async () => {
    const key = randomUUID();
    const first = await post(body(), key);
    const { brand_id, ...rest } = exampleRequest(brandId);
    const reordered = await fetch(`${api.url}/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(
        { campaign_request: { ...rest, brand_id, call_to_action: '  Find a can at your local cafe ' } },
        null,
        4,
      ),
    });
    expect(reordered.status).toBe(200);
    expect(((await reordered.json()) as { campaign_id: string }).campaign_id).toBe(first.body.campaign_id);
  });

  it('refuses the same key with another body: 422 naming the header and the first campaign, storing nothing', async () => {
    const key = randomUUID();
    const first = await post(body(), key);
    const before = await api.snapshot();
    const other = await post(body({ call_to_action: 'Order a case online' }), key);
    expect(other.status).toBe(422);
    expect(other.type).toBe('application/problem+json');
    expect(other.body.errors?.map((e) => e.pointer)).toEqual(['headers.idempotency-key']);
    expect(other.body.detail).toContain(first.body.campaign_id);
    expect(await api.snapshot()).toEqual(before);
  });

  it('creates one campaign when requests with one key race (Promise.all), all answering its id', async () => {
    // Prepare
    const key = randomUUID();
    const request = body({ product_name: `Race ${key.slice(0, 8)}` });
    // Act
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(request, key)));
    // Assess
    const ids = new Set(answers.map((a) => a.body.campaign_id));
    expect(ids.size).toBe(1);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    const id = [...ids][0] as string;
    expect(await items(`CAMPAIGN#${id}`)).toHaveLength(1 + 1); // the campaign and its audit entry
    expect(executionsOf(id)).toBe(1);
  });

  it('keeps the key 24 hours through the TTL attribute expires_at (epoch seconds)', async () => {
    const key = randomUUID();
    const at = Math.floor(Date.now() / 1000);
    const first = await post(body(), key);
    const claims = (await items('IDEMPOTENCY#')).filter((c) => c.campaign_id === first.body.campaign_id);
    expect(claims).toHaveLength(1);
    const expires = Number(claims[0]?.expires_at);
    expect(expires).toBeGreaterThanOrEqual(at + 24 * 3600);
    expect(expires).toBeLessThanOrEqual(at + 24 * 3600 + 5);
  });

  it('starts a new campaign once the key has expired, even before DynamoDB deleted the claim', async () => {
    // Prepare: a claim past its expiry that TTL has not removed yet.
    const key = randomUUID();
    const first = await post(body(), key);
    const [claim] = (await items('IDEMPOTENCY#')).filter((c) => c.campaign_id === first.body.campaign_id);
    await ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: claim?.pk, sk: claim?.sk },
        UpdateExpression: 'SET expires_at = :past',
        ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
      }),
    );
    // Act
    const later = await post(body(), key);
    // Assess
    expect(later.status).toBe(201);
    expect(later.body.campaign_id).not.toBe(first.body.campaign_id);
  });

  it('refuses a malformed key with 400 naming the header, before storing anything', async () => {
    for (const key of ['', 'with space', 'k'.repeat(256), 'clé']) {
      const before = await api.snapshot();
      const res = await post(body(), key);
      expect(res.status, JSON.stringify(key)).toBe(400);
      expect(res.body.errors?.map((e) => e.pointer)).toEqual(['headers.idempotency-key']);
      expect(await api.snapshot()).toEqual(before);
    }
  });

  it('claims nothing for a request refused for its body', async () => {
    const key = randomUUID();
    expect((await post(body({ key_message: '' }), key)).status).toBe(400);
    expect((await post(body(), key)).status).toBe(201);
  });
});

describe('POST /campaigns without an Idempotency-Key', () => {
  it('starts a new campaign for every request, as before', async () => {
    const a = await post(body());
    const b = await post(body());
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.campaign_id).not.toBe(b.body.campaign_id);
  });
});
