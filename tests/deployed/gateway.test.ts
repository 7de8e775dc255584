import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import S3rver from 's3rver';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AwsChunkedDecoder,
  type AwsGateway,
  callerFromRequest,
  type InvocationType,
  requestToAuthz,
  startAwsGateway,
} from '../../local/deployed/aws-gateway.js';
import { createAuthorizer } from '../../local/deployed/iam.js';
import { type DeployedModel, loadDeployedModel } from '../../local/deployed/model.js';
import { LocalEventBridge } from '../../local/deployed/services/eventbridge.js';
import { LocalSecretsManager } from '../../local/deployed/services/secrets-manager.js';
import { close, listen, readBody } from '../../local/engine/http-util.js';
import { mailboxRequestHandler } from '../../local/engine/mailbox.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'assembly');
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const SUBMIT_KEY = 'AKIASUBMITRENDER0001';
const GATHER_KEY = 'AKIAGATHERTRENDS0001';
const OPERATOR_KEY = 'AKIAOPERATOR00000001';
const SECRET_KEY = 'local-secret';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A stand-in upstream that records what reaches it and answers as the service would. */
async function recordingUpstream(
  answer: (r: Recorded) => { status?: number; body: unknown; headers?: Record<string, string> },
) {
  const seen: Recorded[] = [];
  const { server, url } = await listen(async (req: IncomingMessage, res: ServerResponse) => {
    const r = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: await readBody(req),
    };
    seen.push(r);
    const a = answer(r);
    res.writeHead(a.status ?? 200, { 'content-type': 'application/x-amz-json-1.0', ...a.headers });
    res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
  });
  return { url, seen, close: () => close(server) };
}

class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', Buffer.from(secret as ArrayBuffer)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** Lambda Invoke over plain fetch, signed with SigV4 (client-lambda is not a dependency). */
async function invokeLambda(
  gatewayUrl: string,
  accessKeyId: string,
  functionName: string,
  payload: unknown,
  type?: InvocationType,
) {
  const url = new URL(`${gatewayUrl}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`);
  const signer = new SignatureV4({
    service: 'lambda',
    region: REGION,
    credentials: { accessKeyId, secretAccessKey: SECRET_KEY },
    sha256: NodeSha256,
  });
  const body = JSON.stringify(payload);
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: {
      host: url.host,
      'content-type': 'application/json',
      ...(type ? { 'x-amz-invocation-type': type } : {}),
    },
    body,
  });
  return fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
}

let model: DeployedModel;
let gateway: AwsGateway;
let dataDir: string;
let ddb: Awaited<ReturnType<typeof recordingUpstream>>;
let sfn: Awaited<ReturnType<typeof recordingUpstream>>;
let s3rver: S3rver;
let mailbox: { url: string; server: import('node:http').Server };
let events: LocalEventBridge;
let secrets: LocalSecretsManager;
const invocations: { arn: string; payload: string; type: InvocationType }[] = [];
let now = Date.now();

const submit = () => model.functions.find((f) => f.catalogId === 'SubmitRender') ?? (undefined as never);
const gather = () => model.functions.find((f) => f.catalogId === 'GatherTrends') ?? (undefined as never);
const table = () => model.tables[0]?.name ?? '';
const bucket = () => model.buckets[0]?.name ?? '';
const machine = () => model.machines[0]?.arn ?? '';
const OTHER_MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:Other`;

const config = (accessKeyId: string) => ({
  endpoint: gateway.url,
  region: REGION,
  credentials: { accessKeyId, secretAccessKey: SECRET_KEY },
  maxAttempts: 1,
});
const s3For = (key: string) =>
  new S3Client({
    ...config(key),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
const deniedMessage = (fn: { name: string; roleArn: string }, action: string, resource: string) =>
  `User: arn:aws:sts::${ACCOUNT}:assumed-role/${fn.roleArn.split('/').pop()}/${fn.name} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

beforeAll(async () => {
  model = loadDeployedModel(FIXTURE, { apiUrl: 'http://127.0.0.1:1' });
  dataDir = mkdtempSync(path.join(tmpdir(), 'bie-gateway-'));
  ddb = await recordingUpstream((r) => {
    const op = String(r.headers['x-amz-target']).split('.')[1];
    if (op === 'GetItem') return { body: { Item: { pk: { S: 'from-upstream' } } } };
    return { body: {} };
  });
  sfn = await recordingUpstream((r) => {
    const op = String(r.headers['x-amz-target']).split('.')[1];
    if (op === 'StartExecution')
      return {
        body: { executionArn: `${machine().replace(':stateMachine:', ':execution:')}:e1`, startDate: 1 },
      };
    return { body: {} };
  });
  s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: path.join(dataDir, 's3'),
    configureBuckets: [{ name: bucket() }, { name: 'elsewhere' }],
  });
  const s3Address = await s3rver.run();
  mailbox = await listen(mailboxRequestHandler(path.join(dataDir, 'mailbox')));
  events = new LocalEventBridge({ dataDir, region: REGION, account: ACCOUNT, buses: model.eventBuses });
  secrets = new LocalSecretsManager({ secrets: model.secrets, dataDir });
  const principals: Record<string, { roleArn: string; functionName: string }> = {
    [SUBMIT_KEY]: { roleArn: submit().roleArn, functionName: submit().name },
    [GATHER_KEY]: { roleArn: gather().roleArn, functionName: gather().name },
  };
  gateway = await startAwsGateway({
    model,
    authorizer: createAuthorizer(model.policies),
    principalFor: (key) => principals[key],
    operatorAccessKeyIds: [OPERATOR_KEY],
    upstreams: {
      dynamodb: ddb.url,
      states: sfn.url,
      s3: `http://127.0.0.1:${s3Address.port}`,
      ses: mailbox.url,
    },
    services: { secretsmanager: secrets.handle, events: events.handle },
    invoke: async (arn, payload, type) => {
      invocations.push({ arn, payload: payload.toString('utf8'), type });
      const input = JSON.parse(payload.toString('utf8')) as { fail?: boolean };
      return input.fail
        ? {
            statusCode: 200,
            payload: JSON.stringify({ errorType: 'Boom', errorMessage: 'failed' }),
            functionError: 'Unhandled',
          }
        : { statusCode: 200, payload: JSON.stringify({ ok: true, got: input }) };
    },
    machineArnForTaskToken: (token) =>
      ({ 'token-of-campaign': machine(), 'token-of-other': OTHER_MACHINE })[token],
    dataDir,
    now: () => now,
  });
});

afterAll(async () => {
  await gateway?.close();
  await ddb?.close();
  await sfn?.close();
  await s3rver?.close();
  if (mailbox) await close(mailbox.server);
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  ddb.seen.length = 0;
  sfn.seen.length = 0;
  invocations.length = 0;
  now = Date.now();
});

describe('AWS gateway: DynamoDB', () => {
  it('forwards an allowed call unchanged and returns the upstream answer', async () => {
    // Prepare
    const client = new DynamoDBClient(config(SUBMIT_KEY));
    // Act
    const out = await client.send(
      new GetItemCommand({ TableName: table(), Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
    );
    // Assess
    expect(out.Item).toEqual({ pk: { S: 'from-upstream' } });
    expect(ddb.seen).toHaveLength(1);
    expect(ddb.seen[0]?.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(JSON.parse(ddb.seen[0]?.body.toString() ?? '')).toEqual({
      TableName: table(),
      Key: { pk: { S: 'a' }, sk: { S: 'b' } },
    });
  });

  it('refuses a call the role does not allow with AccessDeniedException, and nothing reaches the table', async () => {
    const client = new DynamoDBClient(config(GATHER_KEY));
    const tableArn = model.tables[0]?.arn ?? '';
    await expect(
      client.send(new GetItemCommand({ TableName: table(), Key: { pk: { S: 'a' } } })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: deniedMessage(gather(), 'dynamodb:GetItem', tableArn),
      $metadata: { httpStatusCode: 400 },
    });
    expect(ddb.seen).toHaveLength(0);
  });

  it('checks the action, not just the table: DeleteItem is not granted', async () => {
    const client = new DynamoDBClient(config(SUBMIT_KEY));
    await expect(
      client.send(new DeleteItemCommand({ TableName: table(), Key: { pk: { S: 'a' } } })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('authorizes a query on an index against the index ARN', async () => {
    const client = new DynamoDBClient(config(SUBMIT_KEY));
    await client.send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'x' } },
      }),
    );
    expect(gateway.decisions().at(-1)).toMatchObject({
      action: 'dynamodb:Query',
      resource: `${model.tables[0]?.arn}/index/gsi1`,
      allowed: true,
    });
  });

  it('refuses a batch that touches a table the role may not write', async () => {
    const client = new DynamoDBClient(config(OPERATOR_KEY));
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: { [table()]: [{ PutRequest: { Item: { pk: { S: '1' } } } }] },
      }),
    );
    const fnClient = new DynamoDBClient(config(SUBMIT_KEY));
    await expect(
      fnClient.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [table()]: [{ PutRequest: { Item: { pk: { S: '1' } } } }],
            Other: [{ PutRequest: { Item: { pk: { S: '1' } } } }],
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('AWS gateway: S3 (s3rver upstream)', () => {
  it('puts and gets an object the role may write and read', async () => {
    const s3 = s3For(SUBMIT_KEY);
    await s3.send(new PutObjectCommand({ Bucket: bucket(), Key: 'renders/a b.txt', Body: 'clip' }));
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: 'renders/a b.txt' }));
    expect(await out.Body?.transformToString()).toBe('clip');
    expect(gateway.decisions().at(-1)).toMatchObject({
      action: 's3:GetObject',
      resource: `arn:aws:s3:::${bucket()}/renders/a b.txt`,
      allowed: true,
    });
  });

  it('stores the payload of a streamed upload, not its aws-chunked framing (default SDK checksum settings)', async () => {
    // Prepare: a client as a function has it, with the SDK's default checksums (CRC32 trailer).
    const s3 = new S3Client({ ...config(SUBMIT_KEY), forcePathStyle: true });
    const parts = [Buffer.from('first part;'), Buffer.alloc(70_000, 'x'), Buffer.from(';end')];
    // Act
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket(),
        Key: 'renders/streamed.bin',
        Body: Readable.from(parts),
        ContentLength: 70_015,
      }),
    );
    // Assess
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: 'renders/streamed.bin' }));
    expect(Buffer.from((await out.Body?.transformToByteArray()) ?? []).equals(Buffer.concat(parts))).toBe(
      true,
    );
  });

  it('refuses a read by a role without S3 grants with AccessDenied', async () => {
    await s3For(OPERATOR_KEY).send(new PutObjectCommand({ Bucket: bucket(), Key: 'private.txt', Body: 'x' }));
    await expect(
      s3For(GATHER_KEY).send(new GetObjectCommand({ Bucket: bucket(), Key: 'private.txt' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: deniedMessage(gather(), 's3:GetObject', `arn:aws:s3:::${bucket()}/private.txt`),
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('honours an explicit Deny: the object survives', async () => {
    const s3 = s3For(SUBMIT_KEY);
    await s3.send(new PutObjectCommand({ Bucket: bucket(), Key: 'keep.txt', Body: 'k' }));
    await expect(
      s3.send(new DeleteObjectCommand({ Bucket: bucket(), Key: 'keep.txt' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('with an explicit deny in an identity-based policy'),
    });
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: 'keep.txt' }));
    expect(await out.Body?.transformToString()).toBe('k');
  });

  it('requires GetObject on the source of a copy', async () => {
    const s3 = s3For(SUBMIT_KEY);
    await s3For(OPERATOR_KEY).send(new PutObjectCommand({ Bucket: 'elsewhere', Key: 'src.txt', Body: 's' }));
    await expect(
      s3.send(new CopyObjectCommand({ Bucket: bucket(), Key: 'copy.txt', CopySource: 'elsewhere/src.txt' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('s3:GetObject on resource: arn:aws:s3:::elsewhere/src.txt'),
    });
    await s3.send(new PutObjectCommand({ Bucket: bucket(), Key: 'src.txt', Body: 's' }));
    await s3.send(
      new CopyObjectCommand({ Bucket: bucket(), Key: 'copy.txt', CopySource: `${bucket()}/src.txt` }),
    );
  });

  it("lets anyone open a presigned link within the signer's rights, and nobody after it expires", async () => {
    // Prepare
    await s3For(SUBMIT_KEY).send(
      new PutObjectCommand({ Bucket: bucket(), Key: 'renders/v.mp4', Body: 'video' }),
    );
    const signed = await getSignedUrl(
      s3For(SUBMIT_KEY),
      new GetObjectCommand({ Bucket: bucket(), Key: 'renders/v.mp4' }),
      {
        expiresIn: 60,
      },
    );
    const notAllowed = await getSignedUrl(
      s3For(GATHER_KEY),
      new GetObjectCommand({ Bucket: bucket(), Key: 'renders/v.mp4' }),
      {
        expiresIn: 60,
      },
    );
    // Act / Assess
    const ok = await fetch(signed);
    expect([ok.status, await ok.text()]).toEqual([200, 'video']);
    const refused = await fetch(notAllowed);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>AccessDenied</Code>');
    now = Date.now() + 61_000;
    const expired = await fetch(signed);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
  });

  it('refuses an unsigned request', async () => {
    const res = await fetch(`${gateway.url}/${bucket()}/renders/v.mp4`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>AccessDenied</Code>');
  });
});

describe('AWS gateway: Secrets Manager', () => {
  it('serves an allowed secret by name from the local endpoint', async () => {
    const secret = model.secrets[0];
    const out = await new SecretsManagerClient(config(SUBMIT_KEY)).send(
      new GetSecretValueCommand({ SecretId: secret?.name }),
    );
    expect(out.ARN).toBe(secret?.arn);
    expect(out.SecretString).toBe(secrets.getSecretValue(secret?.arn ?? ''));
  });

  it('refuses a role without the grant, naming the full secret ARN', async () => {
    const secret = model.secrets[0];
    await expect(
      new SecretsManagerClient(config(GATHER_KEY)).send(
        new GetSecretValueCommand({ SecretId: secret?.name }),
      ),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: deniedMessage(gather(), 'secretsmanager:GetSecretValue', secret?.arn ?? ''),
    });
  });

  it('answers ResourceNotFoundException for an unknown secret the caller may read', async () => {
    await expect(
      new SecretsManagerClient(config(OPERATOR_KEY)).send(new GetSecretValueCommand({ SecretId: 'missing' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('AWS gateway: EventBridge', () => {
  it('records events put on a bus the role may publish to', async () => {
    const before = events.events().length;
    await new EventBridgeClient(config(SUBMIT_KEY)).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: model.eventBuses[0]?.name,
            Source: 'bie',
            DetailType: 'Published',
            Detail: '{"a":1}',
          },
        ],
      }),
    );
    expect(events.events().slice(before)).toMatchObject([
      { source: 'bie', 'detail-type': 'Published', detail: { a: 1 } },
    ]);
  });

  it('refuses the default bus, which the role may not publish to, recording nothing', async () => {
    const before = events.events().length;
    await expect(
      new EventBridgeClient(config(SUBMIT_KEY)).send(
        new PutEventsCommand({ Entries: [{ Source: 'bie', DetailType: 'Published', Detail: '{}' }] }),
      ),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(
        `events:PutEvents on resource: arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`,
      ),
    });
    expect(events.events()).toHaveLength(before);
  });
});

describe('AWS gateway: SES v2', () => {
  const send = (key: string, from: string) =>
    new SESv2Client(config(key)).send(
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: ['approver@example.org'] },
        Content: { Simple: { Subject: { Data: 'Approve' }, Body: { Text: { Data: 'Please' } } } },
      }),
    );

  it('sends from an address of a granted domain identity, into the mailbox', async () => {
    const out = await send(SUBMIT_KEY, 'Brand Bot <bot@example.com>');
    expect(out.MessageId).toBeTruthy();
    expect(gateway.decisions().at(-1)).toMatchObject({
      action: 'ses:SendEmail',
      resource: `arn:aws:ses:${REGION}:${ACCOUNT}:identity/example.com`,
      allowed: true,
    });
  });

  it('refuses a sender whose address and domain are both ungranted', async () => {
    await expect(send(SUBMIT_KEY, 'bot@other.org')).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining(
        `ses:SendEmail on resource: arn:aws:ses:${REGION}:${ACCOUNT}:identity/bot@other.org`,
      ),
    });
  });
});

describe('AWS gateway: Step Functions', () => {
  it('starts an execution of a granted state machine', async () => {
    const out = await new SFNClient(config(SUBMIT_KEY)).send(
      new StartExecutionCommand({ stateMachineArn: machine(), input: '{}' }),
    );
    expect(out.executionArn).toContain(':execution:');
    expect(sfn.seen).toHaveLength(1);
  });

  it('refuses another state machine', async () => {
    await expect(
      new SFNClient(config(SUBMIT_KEY)).send(
        new StartExecutionCommand({ stateMachineArn: OTHER_MACHINE, input: '{}' }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(sfn.seen).toHaveLength(0);
  });

  it('authorizes a task result against the state machine that owns the token', async () => {
    const client = new SFNClient(config(SUBMIT_KEY));
    await client.send(new SendTaskSuccessCommand({ taskToken: 'token-of-campaign', output: '{}' }));
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: 'token-of-other', output: '{}' })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(`states:SendTaskSuccess on resource: ${OTHER_MACHINE}`),
    });
    expect(sfn.seen).toHaveLength(1);
  });

  it('lets an unknown token through to the endpoint when the role may answer some state machine', async () => {
    await new SFNClient(config(SUBMIT_KEY)).send(
      new SendTaskSuccessCommand({ taskToken: 'expired', output: '{}' }),
    );
    expect(sfn.seen).toHaveLength(1);
    await expect(
      new SFNClient(config(GATHER_KEY)).send(
        new SendTaskSuccessCommand({ taskToken: 'expired', output: '{}' }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('AWS gateway: Lambda Invoke', () => {
  it('invokes a granted function by name and returns its payload', async () => {
    const res = await invokeLambda(gateway.url, SUBMIT_KEY, gather().name, { n: 1 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, got: { n: 1 } });
    expect(invocations).toEqual([{ arn: gather().arn, payload: '{"n":1}', type: 'RequestResponse' }]);
  });

  it('passes a function error through X-Amz-Function-Error', async () => {
    const res = await invokeLambda(gateway.url, SUBMIT_KEY, gather().arn, { fail: true });
    expect([res.status, res.headers.get('x-amz-function-error')]).toEqual([200, 'Unhandled']);
  });

  it('answers 202 to an asynchronous invocation', async () => {
    const res = await invokeLambda(gateway.url, SUBMIT_KEY, gather().name, {}, 'Event');
    expect(res.status).toBe(202);
    expect(invocations[0]?.type).toBe('Event');
  });

  it('refuses a function the role may not invoke, without invoking it', async () => {
    const res = await invokeLambda(gateway.url, GATHER_KEY, submit().name, {});
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(((await res.json()) as { message: string }).message).toBe(
      deniedMessage(gather(), 'lambda:InvokeFunction', submit().arn),
    );
    expect(invocations).toEqual([]);
  });

  it('answers 404 ResourceNotFoundException for a function the stack does not have', async () => {
    const res = await invokeLambda(gateway.url, OPERATOR_KEY, 'no-such-function', {});
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
  });
});

describe('AWS gateway: callers and other services', () => {
  it('refuses an unknown access key as AWS does, forwarding nothing', async () => {
    await expect(
      new DynamoDBClient(config('AKIAUNKNOWN000000001')).send(
        new GetItemCommand({ TableName: table(), Key: { pk: { S: 'a' } } }),
      ),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    expect(ddb.seen).toHaveLength(0);
  });

  it('refuses a service no policy allows, and says an allowed one is not emulated offline', async () => {
    const call = (key: string) =>
      new BedrockRuntimeClient(config(key)).send(
        new InvokeModelCommand({ modelId: 'amazon.nova-lite-v1:0', body: '{}' }),
      );
    await expect(call(SUBMIT_KEY)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(
        `bedrock:InvokeModel on resource: arn:aws:bedrock:${REGION}::foundation-model/amazon.nova-lite-v1:0`,
      ),
    });
    await expect(call(OPERATOR_KEY)).rejects.toMatchObject({
      $metadata: { httpStatusCode: 501 },
      message: expect.stringContaining('bedrock is not emulated offline'),
    });
  });

  it('records every decision in memory and in iam-decisions.jsonl', async () => {
    await expect(
      new DynamoDBClient(config(GATHER_KEY)).send(
        new GetItemCommand({ TableName: table(), Key: { pk: { S: 'z' } } }),
      ),
    ).rejects.toThrow();
    const last = gateway.decisions().at(-1);
    expect(last).toMatchObject({
      principal: gather().name,
      roleArn: gather().roleArn,
      service: 'dynamodb',
      action: 'dynamodb:GetItem',
      resource: model.tables[0]?.arn,
      allowed: false,
      reason: expect.stringContaining('no identity-based policy allows the dynamodb:GetItem action'),
    });
    const lines = readFileSync(path.join(dataDir, 'iam-decisions.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1) ?? '{}')).toEqual(last);
  });
});

describe('AwsChunkedDecoder', () => {
  it('yields the payload however the framing is split across reads', async () => {
    const framed = Buffer.from(
      '3;chunk-signature=ab\r\nabc\r\nA\r\n0123456789\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n',
    );
    for (const size of [1, 2, 5, 7, framed.length]) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < framed.length; i += size) pieces.push(framed.subarray(i, i + size));
      const out: Buffer[] = [];
      for await (const chunk of Readable.from(pieces).pipe(new AwsChunkedDecoder()))
        out.push(chunk as Buffer);
      expect(Buffer.concat(out).toString()).toBe('abc0123456789');
    }
  });

  it('fails on a body that ends mid-chunk', async () => {
    const read = async () => {
      for await (const _ of Readable.from([Buffer.from('5\r\nab')]).pipe(new AwsChunkedDecoder())) void _;
    };
    await expect(read()).rejects.toThrow(/ended mid-chunk/);
  });
});

describe('requestToAuthz', () => {
  const ctx = { region: REGION, account: ACCOUNT };
  const s3 = (method: string, url: string, headers: Record<string, string> = {}, body?: string) =>
    requestToAuthz('s3', method, url, headers, body === undefined ? undefined : Buffer.from(body), ctx);

  it('maps S3 listing, object, multipart and bulk-delete requests to their IAM actions', () => {
    expect(s3('GET', '/media?list-type=2&prefix=renders%2F')).toEqual([
      { action: 's3:ListBucket', resources: ['arn:aws:s3:::media'] },
    ]);
    expect(s3('HEAD', '/media/a%2Fb.mp4')).toEqual([
      { action: 's3:GetObject', resources: ['arn:aws:s3:::media/a/b.mp4'] },
    ]);
    expect(s3('POST', '/media/big.mp4?uploads')).toEqual([
      { action: 's3:PutObject', resources: ['arn:aws:s3:::media/big.mp4'] },
    ]);
    expect(s3('PUT', '/media/big.mp4?partNumber=2&uploadId=u')).toEqual([
      { action: 's3:PutObject', resources: ['arn:aws:s3:::media/big.mp4'] },
    ]);
    expect(s3('POST', '/media/big.mp4?uploadId=u')).toEqual([
      { action: 's3:PutObject', resources: ['arn:aws:s3:::media/big.mp4'] },
    ]);
    expect(s3('DELETE', '/media/big.mp4?uploadId=u')).toEqual([
      { action: 's3:AbortMultipartUpload', resources: ['arn:aws:s3:::media/big.mp4'] },
    ]);
    expect(
      s3(
        'POST',
        '/media?delete',
        {},
        '<Delete><Object><Key>a&amp;b</Key></Object><Object><Key>c</Key></Object></Delete>',
      ),
    ).toEqual([{ action: 's3:DeleteObject', resources: ['arn:aws:s3:::media/a&b', 'arn:aws:s3:::media/c'] }]);
    expect(s3('PUT', '/media/copy', { 'x-amz-copy-source': '/src/dir%2Fk%20x.txt?versionId=1' })).toEqual([
      { action: 's3:PutObject', resources: ['arn:aws:s3:::media/copy'] },
      { action: 's3:GetObject', resources: ['arn:aws:s3:::src/dir/k x.txt'] },
    ]);
  });

  it('maps DynamoDB transactions to the per-item actions AWS checks', () => {
    const body = Buffer.from(
      JSON.stringify({
        TransactItems: [{ Put: { TableName: 'A' } }, { ConditionCheck: { TableName: 'B' } }],
      }),
    );
    expect(
      requestToAuthz(
        'dynamodb',
        'POST',
        '/',
        { 'x-amz-target': 'DynamoDB_20120810.TransactWriteItems' },
        body,
        ctx,
      ),
    ).toEqual([
      { action: 'dynamodb:PutItem', resources: [`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/A`] },
      { action: 'dynamodb:ConditionCheckItem', resources: [`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/B`] },
    ]);
  });

  it('accepts either the address or the domain identity for SES, plus the configuration set', () => {
    const body = Buffer.from(JSON.stringify({ FromEmailAddress: 'A <a@x.org>', ConfigurationSetName: 'cs' }));
    expect(requestToAuthz('ses', 'POST', '/v2/email/outbound-emails', {}, body, ctx)).toEqual([
      {
        action: 'ses:SendEmail',
        resources: [
          `arn:aws:ses:${REGION}:${ACCOUNT}:identity/a@x.org`,
          `arn:aws:ses:${REGION}:${ACCOUNT}:identity/x.org`,
        ],
        anyOf: true,
      },
      { action: 'ses:SendEmail', resources: [`arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/cs`] },
    ]);
  });

  it('reads a Lambda function name, partial ARN or qualified ARN', () => {
    const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn`;
    const invoke = (name: string) =>
      requestToAuthz(
        'lambda',
        'POST',
        `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`,
        {},
        undefined,
        ctx,
      );
    expect(invoke('fn')).toEqual([{ action: 'lambda:InvokeFunction', resources: [arn] }]);
    expect(invoke(`${ACCOUNT}:function:fn`)).toEqual([{ action: 'lambda:InvokeFunction', resources: [arn] }]);
    expect(invoke(`${arn}:live`)).toEqual([{ action: 'lambda:InvokeFunction', resources: [`${arn}:live`] }]);
  });

  it('finds the caller in a SigV4 header or a presigned query', () => {
    expect(
      callerFromRequest('/', {
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/states/aws4_request, SignedHeaders=host, Signature=x',
      }),
    ).toEqual({ accessKeyId: 'AKID', region: 'eu-west-1', service: 'states', presigned: false });
    expect(
      callerFromRequest(
        '/b/k?X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60',
        {},
      ),
    ).toEqual({
      accessKeyId: 'AKID',
      region: 'us-east-1',
      service: 's3',
      presigned: true,
      expiresAt: Date.UTC(2026, 0, 1, 0, 1, 0),
    });
    expect(callerFromRequest('/', {})).toBeUndefined();
  });
});
