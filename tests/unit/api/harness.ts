/**
 * The HTTP API as the embedded runtime serves it, for API tests, the route fuzz and its bench: the
 * emulators (dynalite, s3rver, the SES mailbox, the local EventBridge), the Step Functions endpoint and
 * the API Gateway shim in front of the real handler of every route of the catalog.
 *
 * One difference from `startEmbedded`: the campaign state machine that `POST /campaigns` starts is a
 * one-state machine that succeeds at once. These tests are about what the API accepts and stores; the
 * real orchestrator would render a video per accepted request and keep writing to the table and bucket
 * while the tests compare them (tests/e2e runs the real one).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { FUNCTIONS, ROUTES } from '../../../lambdas/catalog.js';
import type { AslRunner, LambdaHandler } from '../../../local/engine/asl-runner.js';
import type { Emulators } from '../../../local/engine/emulators.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
export const BUCKET = 'bie-media';
const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:bie-Campaign';

export interface ApiHarness {
  url: string;
  dataDir: string;
  emulators: Emulators;
  runner: AslRunner;
  webhookSecret: string;
  signingSecret: string;
  /** Everything stored: table items, bucket keys, events put, mails sent (sorted, comparable). */
  snapshot(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startApi(name: string): Promise<ApiHarness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `bie-${name}-`));
  const { startEmulators } = await import('../../../local/engine/emulators.js');
  const { openEndpoints, startRuntime } = await import('../../../local/engine/runtime.js');
  const emulators = await startEmulators(dataDir, [BUCKET]);
  const endpoints = await openEndpoints(0);
  const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const signingSecret = randomBytes(32).toString('base64url');
  Object.assign(process.env, emulators.env, {
    AWS_ENDPOINT_URL_SFN: endpoints.sfnUrl,
    TABLE_NAME: name,
    BUCKET_NAME: BUCKET,
    APPROVAL_BASE_URL: endpoints.apiUrl,
    WEBHOOK_BASE_URL: endpoints.apiUrl,
    APPROVAL_SIGNING_SECRET: signingSecret,
    WEBHOOK_SECRET: webhookSecret,
    CAMPAIGN_STATE_MACHINE_ARN: MACHINE,
    APPROVER_EMAIL: 'brand-manager@example.com',
    EVENT_BUS_NAME: 'bie-events',
    BIE_WORK_DIR: path.join(dataDir, 'work'),
    BIE_OUTBOX_DIR: path.join(dataDir, 'outbox'),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const { ensureTable } = await import('../../../lambdas/shared/data/table.js');
  await ensureTable();

  const handlers: Record<string, LambdaHandler> = {};
  for (const id of new Set(ROUTES.map((r) => r.functionId))) {
    const spec = FUNCTIONS.find((f) => f.id === id);
    if (!spec) throw new Error(`no function ${id}`);
    handlers[id] = ((await import(path.join(ROOT, spec.entry))) as { handler: LambdaHandler }).handler;
  }
  const machineFile = path.join(dataDir, 'campaign.asl.json');
  writeFileSync(
    machineFile,
    JSON.stringify({ StartAt: 'Accepted', States: { Accepted: { Type: 'Succeed' } } }),
  );
  const runtime = startRuntime({
    dataDir,
    endpoints,
    machines: [{ arn: MACHINE, name: 'bie-Campaign', file: machineFile }],
    substitutions: {},
    functions: {},
    routes: ROUTES.map((r) => ({
      method: r.method,
      path: r.path,
      handler: handlers[r.functionId] as LambdaHandler,
      functionName: `bie-${r.functionId}`,
    })),
    retryIntervalMs: 0,
  });

  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: emulators.dynamodbUrl }));
  const s3 = new S3Client({ endpoint: emulators.s3Url, forcePathStyle: true });
  const mailboxDir = emulators.mailboxDir;
  return {
    url: endpoints.apiUrl,
    dataDir,
    emulators,
    runner: runtime.runner,
    webhookSecret,
    signingSecret,
    async snapshot() {
      const out: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await ddb.send(new ScanCommand({ TableName: name, ExclusiveStartKey: start }));
        for (const item of page.Items ?? [])
          out.push(`item ${JSON.stringify(item, Object.keys(item).sort())}`);
        start = page.LastEvaluatedKey;
      } while (start);
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
        for (const o of page.Contents ?? []) out.push(`object ${o.Key} ${o.ETag} ${o.Size}`);
        token = page.NextContinuationToken;
      } while (token);
      for (const e of emulators.events.events()) out.push(`event ${JSON.stringify(e)}`);
      for (const f of readdirSync(mailboxDir)) out.push(`mail ${f}`);
      return out.sort();
    },
    async stop() {
      await runtime.stop();
      await emulators.stop();
    },
  };
}

/** Ingests the example brand through the API; returns its id. */
export async function ingestExampleBrand(url: string): Promise<string> {
  const { readFileSync } = await import('node:fs');
  const res = await fetch(`${url}/brands`, {
    method: 'POST',
    headers: { 'content-type': 'text/markdown' },
    body: readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8'),
  });
  if (res.status !== 201) throw new Error(`brand ingest answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { brand_id: string }).brand_id;
}

/** The example campaign request of that brand (valid). */
export function exampleRequest(brandId: string): Record<string, unknown> {
  return {
    product_category: 'specialty cold brew coffee',
    product_name: 'Lumen Nitro Cold Brew',
    target_demographic: 'urban professionals aged 25-40 who commute',
    campaign_objective: 'awareness',
    budget_tier: 'standard',
    brand_id: brandId,
    key_message: 'Smooth energy that respects your morning and the planet',
    call_to_action: 'Find a can at your local cafe',
    target_duration_seconds: 15,
  };
}
