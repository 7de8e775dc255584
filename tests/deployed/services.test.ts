import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeployedSecret } from '../../local/deployed/model.js';
import { LocalEventBridge, type RecordedEvent } from '../../local/deployed/services/eventbridge.js';
import { serveService } from '../../local/deployed/services/protocol.js';
import { generatePassword, LocalSecretsManager } from '../../local/deployed/services/secrets-manager.js';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const credentials = { accessKeyId: 'TEST', secretAccessKey: 'TEST' };

const SECRET: DeployedSecret = {
  logicalId: 'WebhookSecret',
  name: 'WebhookSecret-abcdefghijkl',
  arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:WebhookSecret-abcdefghijkl-Q1w2E3`,
  passwordLength: 64,
  excludePunctuation: true,
};
const JSON_SECRET: DeployedSecret = {
  logicalId: 'DbSecret',
  name: 'DbSecret-zzzzzzzzzzzz',
  arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:DbSecret-zzzzzzzzzzzz-AbCdEf`,
  passwordLength: 20,
  excludePunctuation: false,
  secretStringTemplate: '{"username":"app"}',
  generateStringKey: 'password',
};

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bie-services-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function secretsEndpoint(dataDir: string, secrets: DeployedSecret[] = [SECRET, JSON_SECRET]) {
  const sm = new LocalSecretsManager({ secrets, dataDir });
  const served = await serveService(sm.handle);
  cleanup.push(() => served.close());
  const client = new SecretsManagerClient({
    endpoint: served.url,
    region: REGION,
    credentials,
    maxAttempts: 1,
  });
  return { sm, client };
}

describe('local Secrets Manager', () => {
  it('answers GetSecretValue by ARN in the real response shape', async () => {
    // Prepare
    const { client } = await secretsEndpoint(tempDir());
    // Act
    const out = await client.send(new GetSecretValueCommand({ SecretId: SECRET.arn }));
    // Assess
    expect(out).toMatchObject({
      ARN: SECRET.arn,
      Name: SECRET.name,
      VersionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      VersionStages: ['AWSCURRENT'],
    });
    expect(out.CreatedDate).toBeInstanceOf(Date);
    expect(out.SecretString).toMatch(/^[A-Za-z0-9]{64}$/); // 64 characters, no punctuation
  });

  it('finds a secret by name and by partial ARN (without the six-character suffix)', async () => {
    const { client } = await secretsEndpoint(tempDir());
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: SECRET.arn }));
    const byName = await client.send(new GetSecretValueCommand({ SecretId: SECRET.name }));
    const byPartial = await client.send(new GetSecretValueCommand({ SecretId: SECRET.arn.slice(0, -7) }));
    expect([byName.SecretString, byPartial.SecretString]).toEqual([byArn.SecretString, byArn.SecretString]);
  });

  it('refuses an unknown secret with ResourceNotFoundException', async () => {
    const { client } = await secretsEndpoint(tempDir());
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    });
  });

  it('generates each value once per data directory, and a different one in another directory', async () => {
    // Prepare
    const dir = tempDir();
    const first = await secretsEndpoint(dir);
    const value = (await first.client.send(new GetSecretValueCommand({ SecretId: SECRET.arn }))).SecretString;
    // Act
    const again = await secretsEndpoint(dir);
    const other = await secretsEndpoint(tempDir());
    // Assess
    expect((await again.client.send(new GetSecretValueCommand({ SecretId: SECRET.arn }))).SecretString).toBe(
      value,
    );
    expect(
      (await other.client.send(new GetSecretValueCommand({ SecretId: SECRET.arn }))).SecretString,
    ).not.toBe(value);
    expect(statSync(path.join(dir, 'secrets.json')).mode & 0o077).toBe(0); // owner-only file
  });

  it('fills a JSON template with the generated password', async () => {
    const { client } = await secretsEndpoint(tempDir());
    const out = await client.send(new GetSecretValueCommand({ SecretId: JSON_SECRET.name }));
    const value = JSON.parse(out.SecretString ?? '{}') as { username: string; password: string };
    expect(value.username).toBe('app');
    expect(value.password).toHaveLength(20);
  });

  it('serves a value set by an operator, as a new version that persists', async () => {
    // Prepare
    const dir = tempDir();
    const { sm, client } = await secretsEndpoint(dir);
    const before = await client.send(new GetSecretValueCommand({ SecretId: SECRET.arn }));
    // Act
    sm.setSecretValue(SECRET.name, 'rotated');
    // Assess
    const after = await client.send(new GetSecretValueCommand({ SecretId: SECRET.arn }));
    expect(after.SecretString).toBe('rotated');
    expect(after.VersionId).not.toBe(before.VersionId);
    expect(new LocalSecretsManager({ secrets: [SECRET], dataDir: dir }).getSecretValue(SECRET.arn)).toBe(
      'rotated',
    );
  });

  it('accepts PutSecretValue and DescribeSecret from the SDK', async () => {
    const { client } = await secretsEndpoint(tempDir());
    const put = await client.send(new PutSecretValueCommand({ SecretId: SECRET.arn, SecretString: 'v2' }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: SECRET.name }));
    expect(described).toMatchObject({ ARN: SECRET.arn, Name: SECRET.name });
    expect(described.VersionIdsToStages).toEqual({ [put.VersionId ?? '']: ['AWSCURRENT'] });
  });

  it('refuses a stale VersionId', async () => {
    const { client } = await secretsEndpoint(tempDir());
    await expect(
      client.send(
        new GetSecretValueCommand({
          SecretId: SECRET.arn,
          VersionId: '00000000-0000-0000-0000-000000000000',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('generates passwords with every included character type and none of the excluded ones', () => {
    for (let i = 0; i < 20; i++) {
      const p = generatePassword(12, false, 'aA0!');
      expect(p).toHaveLength(12);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[0-9]/);
      expect(p).toMatch(/[^A-Za-z0-9]/);
      expect(p).not.toMatch(/[aA0!]/);
    }
    expect(generatePassword(30, true)).toMatch(/^[A-Za-z0-9]{30}$/);
  });
});

const BUS = { name: 'CampaignEvents', arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/CampaignEvents` };

async function eventsEndpoint(dataDir: string) {
  const eb = new LocalEventBridge({ dataDir, region: REGION, account: ACCOUNT, buses: [BUS] });
  const served = await serveService(eb.handle);
  cleanup.push(() => served.close());
  const client = new EventBridgeClient({ endpoint: served.url, region: REGION, credentials, maxAttempts: 1 });
  return { eb, client };
}

const entry = (extra: Record<string, unknown> = {}) => ({
  EventBusName: BUS.name,
  Source: 'bie.campaigns',
  DetailType: 'CampaignStarted',
  Detail: JSON.stringify({ campaign_id: 'c1' }),
  ...extra,
});

describe('local EventBridge', () => {
  it('records accepted events as JSON lines in the envelope EventBridge delivers, and tells subscribers', async () => {
    // Prepare
    const dir = tempDir();
    const { eb, client } = await eventsEndpoint(dir);
    const seen: RecordedEvent[] = [];
    eb.subscribe((e) => seen.push(e));
    // Act
    const out = await client.send(
      new PutEventsCommand({
        Entries: [entry(), entry({ EventBusName: BUS.arn, Time: new Date('2026-01-02T03:04:05Z') })],
      }),
    );
    // Assess
    expect(out.FailedEntryCount).toBe(0);
    const lines = readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      version: '0',
      id: out.Entries?.[0]?.EventId,
      'detail-type': 'CampaignStarted',
      source: 'bie.campaigns',
      account: ACCOUNT,
      region: REGION,
      resources: [],
      detail: { campaign_id: 'c1' },
      bus: BUS.name,
      busArn: BUS.arn,
    });
    expect(lines[1].time).toBe('2026-01-02T03:04:05Z');
    expect(seen.map((e) => e.id)).toEqual(out.Entries?.map((e) => e.EventId));
    expect(eb.events()).toEqual(lines);
  });

  it('answers each invalid entry with its own error and keeps the valid ones', async () => {
    // Prepare
    const dir = tempDir();
    const { eb, client } = await eventsEndpoint(dir);
    // Act
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          entry(),
          entry({ Source: undefined }),
          entry({ Detail: '{not json' }),
          entry({ Detail: '[1,2]' }),
          entry({ DetailType: '' }),
          entry({ EventBusName: 'NoSuchBus' }),
        ],
      }),
    );
    // Assess
    expect(out.FailedEntryCount).toBe(5);
    expect(out.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'ResourceNotFoundException',
    ]);
    expect(out.Entries?.[1]?.ErrorMessage).toBe(
      'Parameter Source is not valid. Reason: Source is a required argument.',
    );
    expect(eb.events()).toHaveLength(1);
  });

  it('accepts the default bus when no EventBusName is given', async () => {
    const { eb, client } = await eventsEndpoint(tempDir());
    await client.send(new PutEventsCommand({ Entries: [entry({ EventBusName: undefined })] }));
    expect(eb.events()[0]?.bus).toBe('default');
  });

  it('refuses more than 10 entries, recording none', async () => {
    const { eb, client } = await eventsEndpoint(tempDir());
    await expect(
      client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    expect(eb.events()).toEqual([]);
  });

  it('refuses a request over 256 KB, recording none', async () => {
    const { eb, client } = await eventsEndpoint(tempDir());
    const big = JSON.stringify({ blob: 'x'.repeat(256 * 1024) });
    await expect(
      client.send(new PutEventsCommand({ Entries: [entry({ Detail: big })] })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
    });
    expect(eb.events()).toEqual([]);
  });
});
