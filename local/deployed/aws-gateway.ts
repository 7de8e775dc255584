import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import path from 'node:path';
import { Duplex, Transform, type TransformCallback } from 'node:stream';
import { readBody } from '../engine/http-util.js';
import type { Authorizer } from './iam.js';
import type { DeployedModel } from './model.js';
import { cognitoOperation, PUBLIC_OPERATIONS, wellKnownPoolId } from './services/cognito.js';
import { busArnFor } from './services/eventbridge.js';
import { headersOf, type ServiceHandler, type ServiceResponse, writeResponse } from './services/protocol.js';
import { resolveSecretId } from './services/secrets-manager.js';

/**
 * The one AWS endpoint of as-deployed functions. Each function instance signs with its own access key;
 * the gateway finds the caller from the SigV4 credential (header or presigned query), derives the IAM
 * action and resource(s) of the request, checks them against the caller's role policy from the template,
 * and either refuses in the service's own error format (so the unchanged SDK throws
 * `AccessDeniedException` / S3 `AccessDenied`) or forwards the request unchanged to the local emulator
 * (dynalite, s3rver, Step Functions, SES mailbox) or an in-process service (Secrets Manager, EventBridge,
 * Lambda Invoke). Every decision is kept in a ring (and `<dataDir>/iam-decisions.jsonl`).
 *
 * Not checked: SigV4 signatures themselves (the access key identifies the caller; keys are local and
 * per instance), resource-based policies, and conditions (see iam.ts). S3 is path-style only.
 */

export interface Caller {
  accessKeyId: string;
  region: string;
  service: string;
  /** Signed in the query string (a presigned URL). */
  presigned: boolean;
  /** Presigned URL expiry (ms since epoch), when it has one. */
  expiresAt?: number;
}

export interface CallerPrincipal {
  roleArn: string;
  functionName: string;
}

/** What a request needs: `action` on every resource, or on at least one when `anyOf` (SES identities). */
export interface AuthzRequirement {
  action: string;
  resources: string[];
  anyOf?: boolean;
}

export interface AuthzContext {
  region: string;
  account: string;
  /** Full secret ARN for a name or partial ARN. */
  secretArnFor?(secretId: string): string | undefined;
  /** The state machine whose execution holds this task token. */
  machineArnForTaskToken?(token: string): string | undefined;
  /** Every state machine (an unknown token may belong to any of them). */
  machineArns?: readonly string[];
  /** Function ARN for a name or (partial) ARN; undefined when the stack has no such function. */
  functionArnFor?(nameOrArn: string): string | undefined;
}

export interface InvokeResult {
  statusCode: number;
  payload?: Buffer | string;
  functionError?: string;
}

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface GatewayDecision {
  time: string;
  /** The calling function, `operator`, or the access key when unknown. */
  principal: string;
  roleArn?: string;
  service: string;
  action: string;
  resource: string;
  allowed: boolean;
  reason: string;
}

export interface AwsGatewayOptions {
  model: Pick<DeployedModel, 'region' | 'account' | 'secrets' | 'functions' | 'machines'>;
  authorizer: Authorizer;
  principalFor(accessKeyId: string): CallerPrincipal | undefined;
  /** Access keys with full access (the CLI, tests, the runtime itself). */
  operatorAccessKeyIds?: readonly string[];
  /** Base URLs of the emulators requests are forwarded to. */
  upstreams?: { dynamodb?: string; s3?: string; states?: string; ses?: string };
  /** s3rver knows one access key and does not check SigV4 signatures: forwarded S3 requests carry it. */
  s3UpstreamAccessKeyId?: string;
  /** In-process services (the local Secrets Manager, EventBridge, Scheduler and Cognito `handle`). */
  services?: {
    secretsmanager?: ServiceHandler;
    events?: ServiceHandler;
    scheduler?: ServiceHandler;
    'cognito-idp'?: ServiceHandler;
  };
  invoke?(functionArn: string, payload: Buffer, invocationType: InvocationType): Promise<InvokeResult>;
  machineArnForTaskToken?(token: string): string | undefined;
  /** Where `iam-decisions.jsonl` goes; no file when absent. */
  dataDir?: string;
  /** Decisions kept in memory (default 2000). */
  ringSize?: number;
  port?: number;
  now?: () => number;
}

export interface AwsGateway {
  url: string;
  port: number;
  /** The most recent decisions, oldest first. */
  decisions(): GatewayDecision[];
  onDecision(listener: (d: GatewayDecision) => void): () => void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Caller

/** The caller's access key, region and service from a SigV4 `Authorization` header or presigned query. */
export function callerFromRequest(
  url: string,
  headers: Record<string, string | undefined>,
): Caller | undefined {
  const auth = headers.authorization;
  const fromHeader = auth
    ? /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth)
    : null;
  if (fromHeader) {
    const [, accessKeyId, , region, service] = fromHeader;
    return { accessKeyId: accessKeyId ?? '', region: region ?? '', service: service ?? '', presigned: false };
  }
  const q = new URL(url, 'http://gateway').searchParams;
  const credential = q.get('X-Amz-Credential');
  if (!credential) return undefined;
  const [accessKeyId, , region, service] = credential.split('/');
  if (!accessKeyId || !region || !service) return undefined;
  const date = q.get('X-Amz-Date');
  const expires = Number(q.get('X-Amz-Expires'));
  const m = date ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date) : null;
  const signedAt = m
    ? Date.UTC(+(m[1] ?? 0), +(m[2] ?? 1) - 1, +(m[3] ?? 0), +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0))
    : undefined;
  return {
    accessKeyId,
    region,
    service,
    presigned: true,
    ...(signedAt !== undefined && Number.isFinite(expires) && expires > 0
      ? { expiresAt: signedAt + expires * 1000 }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// Request → IAM action and resources

const jsonBody = (body: Buffer | undefined): Record<string, unknown> => {
  try {
    const v = JSON.parse(body?.toString('utf8') || '{}') as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const unique = (xs: string[]): string[] => [...new Set(xs)];
const targetOp = (headers: Record<string, string | undefined>): string =>
  (headers['x-amz-target'] ?? '').split('.').pop() ?? '';

/**
 * The IAM action(s) and resource(s) a request needs, as AWS authorizes it. `service` is the SigV4
 * signing name from the credential scope (`dynamodb`, `s3`, `states`, `secretsmanager`, `events`, `ses`,
 * `lambda`, ...). Pure: no I/O.
 */
export function requestToAuthz(
  service: string,
  method: string,
  url: string,
  headers: Record<string, string | undefined>,
  body: Buffer | undefined,
  ctx: AuthzContext = { region: 'us-east-1', account: '000000000000' },
): AuthzRequirement[] {
  const { region, account } = ctx;
  const u = new URL(url, 'http://gateway');
  switch (service) {
    case 'dynamodb':
      return dynamodbAuthz(targetOp(headers), jsonBody(body), region, account);
    case 's3':
      return s3Authz(method.toUpperCase(), u, headers, body);
    case 'states':
      return statesAuthz(targetOp(headers), jsonBody(body), ctx);
    case 'secretsmanager': {
      const op = targetOp(headers);
      const id = str(jsonBody(body).SecretId);
      if (!id) return [{ action: `secretsmanager:${op}`, resources: ['*'] }];
      const arn =
        ctx.secretArnFor?.(id) ??
        (id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${region}:${account}:secret:${id}`);
      return [{ action: `secretsmanager:${op}`, resources: [arn] }];
    }
    case 'events': {
      const op = targetOp(headers);
      const b = jsonBody(body);
      if (op === 'PutEvents') {
        const entries = Array.isArray(b.Entries) ? (b.Entries as Record<string, unknown>[]) : [];
        const buses = unique(entries.map((e) => busArnFor(str(e?.EventBusName), region, account)));
        return [
          {
            action: 'events:PutEvents',
            resources: buses.length ? buses : [busArnFor(undefined, region, account)],
          },
        ];
      }
      return [{ action: `events:${op}`, resources: ['*'] }];
    }
    case 'scheduler':
      return schedulerAuthz(method.toUpperCase(), u, jsonBody(body), region, account);
    case 'ses':
      return sesAuthz(method.toUpperCase(), u.pathname, jsonBody(body), region, account);
    case 'cognito-idp': {
      const op = targetOp(headers);
      const pool = str(jsonBody(body).UserPoolId);
      return [
        {
          action: `cognito-idp:${op}`,
          resources: [pool ? `arn:aws:cognito-idp:${region}:${account}:userpool/${pool}` : '*'],
        },
      ];
    }
    case 'lambda':
      return lambdaAuthz(method.toUpperCase(), u, ctx);
    case 'bedrock': {
      const m = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream|converse|converse-stream)$/.exec(
        u.pathname,
      );
      if (m) {
        const id = decodeURIComponent(m[1] ?? '');
        const action = m[2]?.endsWith('stream')
          ? 'bedrock:InvokeModelWithResponseStream'
          : 'bedrock:InvokeModel';
        return [
          {
            action,
            resources: [id.startsWith('arn:') ? id : `arn:aws:bedrock:${region}::foundation-model/${id}`],
          },
        ];
      }
      return [{ action: 'bedrock:Unrecognized', resources: ['*'] }];
    }
    case 'polly':
      if (u.pathname === '/v1/speech') return [{ action: 'polly:SynthesizeSpeech', resources: ['*'] }];
      return [{ action: 'polly:Unrecognized', resources: ['*'] }];
    default: {
      // JSON protocols name the operation; otherwise only a blanket grant (`svc:*`, `*`) covers the call.
      const op = headers['x-amz-target'] ? targetOp(headers) : 'Unrecognized';
      return [{ action: `${service}:${op}`, resources: ['*'] }];
    }
  }
}

function dynamodbAuthz(
  op: string,
  b: Record<string, unknown>,
  region: string,
  account: string,
): AuthzRequirement[] {
  const table = (t: string) =>
    t.startsWith('arn:') ? t : `arn:aws:dynamodb:${region}:${account}:table/${t}`;
  const action = `dynamodb:${op}`;
  switch (op) {
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const tables = Object.keys((b.RequestItems ?? {}) as object);
      return [{ action, resources: tables.length ? tables.map(table) : ['*'] }];
    }
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      // AWS authorizes each item as its own action on its own table.
      const perItem: Record<string, string> = {
        Put: 'PutItem',
        Update: 'UpdateItem',
        Delete: 'DeleteItem',
        ConditionCheck: 'ConditionCheckItem',
        Get: 'GetItem',
      };
      const items = Array.isArray(b.TransactItems)
        ? (b.TransactItems as Record<string, Record<string, unknown>>[])
        : [];
      const reqs = items.flatMap((item) =>
        Object.entries(item)
          .filter(([k]) => perItem[k])
          .map(([k, v]) => ({
            action: `dynamodb:${perItem[k]}`,
            resources: [table(String(v?.TableName ?? ''))],
          })),
      );
      return reqs.length ? reqs : [{ action, resources: ['*'] }];
    }
    case 'ExecuteStatement':
    case 'ExecuteTransaction':
    case 'BatchExecuteStatement': {
      const statements =
        op === 'ExecuteStatement'
          ? [b.Statement]
          : ((
              (op === 'ExecuteTransaction' ? b.TransactStatements : b.Statements) as
                | { Statement?: unknown }[]
                | undefined
            )?.map((s) => s?.Statement) ?? []);
      return statements.map((s) => partiqlAuthz(String(s ?? ''), table));
    }
    case 'ListTables':
    case 'DescribeLimits':
    case 'DescribeEndpoints':
      return [{ action, resources: ['*'] }];
    default: {
      const name = str(b.TableName) ?? str(b.ResourceArn);
      if (!name) return [{ action, resources: ['*'] }];
      const index = str(b.IndexName);
      return [{ action, resources: [index ? `${table(name)}/index/${index}` : table(name)] }];
    }
  }
}

function partiqlAuthz(statement: string, table: (t: string) => string): AuthzRequirement {
  const verb = /^\s*(\w+)/.exec(statement)?.[1]?.toUpperCase() ?? '';
  const action = {
    SELECT: 'PartiQLSelect',
    INSERT: 'PartiQLInsert',
    UPDATE: 'PartiQLUpdate',
    DELETE: 'PartiQLDelete',
  }[verb];
  const name = /\b(?:FROM|INTO|UPDATE)\s+"?([A-Za-z0-9_.-]+)"?(?:\."?([A-Za-z0-9_.-]+)"?)?/i.exec(statement);
  if (!action || !name?.[1]) return { action: 'dynamodb:PartiQLUnrecognized', resources: ['*'] };
  return {
    action: `dynamodb:${action}`,
    resources: [name[2] ? `${table(name[1])}/index/${name[2]}` : table(name[1])],
  };
}

const BUCKET_GET: Record<string, string> = {
  location: 'GetBucketLocation',
  versioning: 'GetBucketVersioning',
  versions: 'ListBucketVersions',
  uploads: 'ListBucketMultipartUploads',
  policy: 'GetBucketPolicy',
  acl: 'GetBucketAcl',
  cors: 'GetBucketCORS',
  tagging: 'GetBucketTagging',
  lifecycle: 'GetLifecycleConfiguration',
  encryption: 'GetEncryptionConfiguration',
  notification: 'GetBucketNotification',
  website: 'GetBucketWebsite',
  logging: 'GetBucketLogging',
  ownershipControls: 'GetBucketOwnershipControls',
  publicAccessBlock: 'GetBucketPublicAccessBlock',
};
const BUCKET_PUT: Record<string, string> = {
  versioning: 'PutBucketVersioning',
  policy: 'PutBucketPolicy',
  acl: 'PutBucketAcl',
  cors: 'PutBucketCORS',
  tagging: 'PutBucketTagging',
  lifecycle: 'PutLifecycleConfiguration',
  encryption: 'PutEncryptionConfiguration',
  notification: 'PutBucketNotification',
  website: 'PutBucketWebsite',
  logging: 'PutBucketLogging',
  ownershipControls: 'PutBucketOwnershipControls',
  publicAccessBlock: 'PutBucketPublicAccessBlock',
};
const BUCKET_DELETE: Record<string, string> = {
  policy: 'DeleteBucketPolicy',
  cors: 'PutBucketCORS',
  tagging: 'PutBucketTagging',
  lifecycle: 'PutLifecycleConfiguration',
  encryption: 'PutEncryptionConfiguration',
  website: 'DeleteBucketWebsite',
  ownershipControls: 'PutBucketOwnershipControls',
  publicAccessBlock: 'PutBucketPublicAccessBlock',
};

const xmlText = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&amp;/g, '&');

/** `x-amz-copy-source` (`bucket/key` or `/bucket/key`, URL-encoded, optional `?versionId=`) as an object ARN. */
function copySourceArn(header: string): string {
  const [pathPart] = header.split('?');
  const decoded = decodeURIComponent((pathPart ?? '').replace(/^\//, ''));
  return `arn:aws:s3:::${decoded}`;
}

function s3Authz(
  method: string,
  u: URL,
  headers: Record<string, string | undefined>,
  body: Buffer | undefined,
): AuthzRequirement[] {
  const [, rawBucket = '', ...rest] = u.pathname.split('/');
  const bucket = decodeURIComponent(rawBucket);
  const key = rest.length ? decodeURIComponent(rest.join('/')) : '';
  const q = u.searchParams;
  const has = (name: string) => q.has(name);
  const s3 = (action: string, resources: string[]): AuthzRequirement => ({
    action: `s3:${action}`,
    resources,
  });
  if (!bucket) return [s3('ListAllMyBuckets', ['*'])];
  const bucketArn = `arn:aws:s3:::${bucket}`;
  if (!key) {
    const sub = (table: Record<string, string>) => Object.keys(table).find(has);
    switch (method) {
      case 'GET': {
        const s = sub(BUCKET_GET);
        return [s3(s ? (BUCKET_GET[s] as string) : 'ListBucket', [bucketArn])];
      }
      case 'HEAD':
        return [s3('ListBucket', [bucketArn])];
      case 'PUT': {
        const s = sub(BUCKET_PUT);
        return [s3(s ? (BUCKET_PUT[s] as string) : 'CreateBucket', [bucketArn])];
      }
      case 'DELETE': {
        const s = sub(BUCKET_DELETE);
        return [s3(s ? (BUCKET_DELETE[s] as string) : 'DeleteBucket', [bucketArn])];
      }
      case 'POST':
        if (has('delete')) {
          const keys = [...(body?.toString('utf8') ?? '').matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) =>
            xmlText(m[1] ?? ''),
          );
          return [
            s3('DeleteObject', keys.length ? keys.map((k) => `${bucketArn}/${k}`) : [`${bucketArn}/*`]),
          ];
        }
        return [s3('Unrecognized', [bucketArn])];
      default:
        return [s3('Unrecognized', [bucketArn])];
    }
  }
  const objectArn = `${bucketArn}/${key}`;
  const versioned = has('versionId');
  const copySource = headers['x-amz-copy-source'];
  const withCopy = (req: AuthzRequirement): AuthzRequirement[] =>
    copySource ? [req, s3('GetObject', [copySourceArn(copySource)])] : [req];
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (has('uploadId')) return [s3('ListMultipartUploadParts', [objectArn])];
      if (has('tagging'))
        return [s3(versioned ? 'GetObjectVersionTagging' : 'GetObjectTagging', [objectArn])];
      if (has('acl')) return [s3(versioned ? 'GetObjectVersionAcl' : 'GetObjectAcl', [objectArn])];
      if (has('attributes'))
        return [s3(versioned ? 'GetObjectVersionAttributes' : 'GetObjectAttributes', [objectArn])];
      if (has('retention')) return [s3('GetObjectRetention', [objectArn])];
      if (has('legal-hold')) return [s3('GetObjectLegalHold', [objectArn])];
      return [s3(versioned ? 'GetObjectVersion' : 'GetObject', [objectArn])];
    case 'PUT':
      if (has('tagging'))
        return [s3(versioned ? 'PutObjectVersionTagging' : 'PutObjectTagging', [objectArn])];
      if (has('acl')) return [s3(versioned ? 'PutObjectVersionAcl' : 'PutObjectAcl', [objectArn])];
      if (has('retention')) return [s3('PutObjectRetention', [objectArn])];
      if (has('legal-hold')) return [s3('PutObjectLegalHold', [objectArn])];
      // PutObject, CopyObject, UploadPart, UploadPartCopy.
      return withCopy(s3('PutObject', [objectArn]));
    case 'POST':
      if (has('uploads') || has('uploadId')) return [s3('PutObject', [objectArn])];
      if (has('restore')) return [s3('RestoreObject', [objectArn])];
      if (has('select')) return [s3('GetObject', [objectArn])];
      return [s3('Unrecognized', [objectArn])];
    case 'DELETE':
      if (has('uploadId')) return [s3('AbortMultipartUpload', [objectArn])];
      if (has('tagging'))
        return [s3(versioned ? 'DeleteObjectVersionTagging' : 'DeleteObjectTagging', [objectArn])];
      return [s3(versioned ? 'DeleteObjectVersion' : 'DeleteObject', [objectArn])];
    default:
      return [s3('Unrecognized', [objectArn])];
  }
}

function statesAuthz(op: string, b: Record<string, unknown>, ctx: AuthzContext): AuthzRequirement[] {
  const action = `states:${op}`;
  switch (op) {
    case 'SendTaskSuccess':
    case 'SendTaskFailure':
    case 'SendTaskHeartbeat': {
      const token = str(b.taskToken);
      const owner = token ? ctx.machineArnForTaskToken?.(token) : undefined;
      if (owner) return [{ action, resources: [owner] }];
      // Unknown (finished, expired or forged) token: any machine the role may answer will do, so the
      // endpoint gets to answer TaskDoesNotExist / InvalidToken as Step Functions does.
      const all = ctx.machineArns ?? [];
      return [all.length ? { action, resources: [...all], anyOf: true } : { action, resources: ['*'] }];
    }
    case 'DescribeExecution':
    case 'StopExecution':
    case 'RedriveExecution':
    case 'GetExecutionHistory':
    case 'DescribeStateMachineForExecution':
      return [{ action, resources: [str(b.executionArn) ?? '*'] }];
    case 'ListStateMachines':
    case 'ListActivities':
    case 'CreateStateMachine':
      return [{ action, resources: ['*'] }];
    default:
      return [
        { action, resources: [str(b.stateMachineArn) ?? str(b.executionArn) ?? str(b.resourceArn) ?? '*'] },
      ];
  }
}

/** `"Name" <a@b.c>` or `a@b.c` → `a@b.c`. */
const addressOf = (from: string): string => (/<([^>]+)>/.exec(from)?.[1] ?? from).trim();

/**
 * EventBridge Scheduler (REST-JSON, `/schedules/{Name}`): the action on the schedule's ARN in its group,
 * and, for a create or an update, `iam:PassRole` on the role its target names (as the Scheduler checks).
 */
function schedulerAuthz(
  method: string,
  u: URL,
  b: Record<string, unknown>,
  region: string,
  account: string,
): AuthzRequirement[] {
  const m = /^\/schedules(?:\/([^/]+))?$/.exec(u.pathname);
  if (!m) return [{ action: 'scheduler:Unrecognized', resources: ['*'] }];
  if (!m[1]) return [{ action: 'scheduler:ListSchedules', resources: ['*'] }];
  const group =
    (method === 'POST' || method === 'PUT' ? str(b.GroupName) : u.searchParams.get('groupName')) || 'default';
  const arn = `arn:aws:scheduler:${region}:${account}:schedule/${group}/${decodeURIComponent(m[1])}`;
  const action = {
    POST: 'CreateSchedule',
    PUT: 'UpdateSchedule',
    GET: 'GetSchedule',
    DELETE: 'DeleteSchedule',
  }[method];
  if (!action) return [{ action: 'scheduler:Unrecognized', resources: [arn] }];
  const role = str((b.Target as Record<string, unknown> | undefined)?.RoleArn);
  return [
    { action: `scheduler:${action}`, resources: [arn] },
    ...(role && (method === 'POST' || method === 'PUT')
      ? [{ action: 'iam:PassRole', resources: [role] }]
      : []),
  ];
}

function sesAuthz(
  method: string,
  pathname: string,
  b: Record<string, unknown>,
  region: string,
  account: string,
): AuthzRequirement[] {
  const identity = (id: string) => `arn:aws:ses:${region}:${account}:identity/${id}`;
  if (method === 'POST' && pathname === '/v2/email/outbound-emails') {
    const reqs: AuthzRequirement[] = [];
    const content = b.Content as { Raw?: { Data?: string } } | undefined;
    let from = str(b.FromEmailAddress);
    if (!from && content?.Raw?.Data) {
      const raw = Buffer.from(content.Raw.Data, 'base64').toString('utf8');
      from = /^From:\s*(.+)$/im.exec(raw.split(/\r?\n\r?\n/)[0] ?? '')?.[1];
    }
    const identityArn = str(b.FromEmailAddressIdentityArn);
    if (identityArn) reqs.push({ action: 'ses:SendEmail', resources: [identityArn] });
    else if (from) {
      // SES authorizes a send when either the address or its domain identity is granted.
      const address = addressOf(from);
      const domain = address.split('@')[1];
      reqs.push({
        action: 'ses:SendEmail',
        resources: unique([identity(address), ...(domain ? [identity(domain)] : [])]),
        anyOf: true,
      });
    } else reqs.push({ action: 'ses:SendEmail', resources: ['*'] });
    const configSet = str(b.ConfigurationSetName);
    if (configSet)
      reqs.push({
        action: 'ses:SendEmail',
        resources: [`arn:aws:ses:${region}:${account}:configuration-set/${configSet}`],
      });
    return reqs;
  }
  const m = /^\/v2\/email\/identities\/([^/]+)$/.exec(pathname);
  if (m && method === 'GET')
    return [{ action: 'ses:GetEmailIdentity', resources: [identity(decodeURIComponent(m[1] ?? ''))] }];
  if (pathname === '/v2/email/account' && method === 'GET')
    return [{ action: 'ses:GetAccount', resources: ['*'] }];
  return [{ action: 'ses:Unrecognized', resources: ['*'] }];
}

/** A function ARN (qualifier kept) from a FunctionName that may be a name, partial ARN or ARN. */
function functionArnOf(nameOrArn: string, qualifier: string | null, ctx: AuthzContext): string {
  const parts = nameOrArn.split(':');
  let name: string;
  let qual: string | undefined;
  if (nameOrArn.startsWith('arn:')) {
    name = parts[6] ?? '';
    qual = parts[7];
  } else if (parts[1] === 'function') {
    name = parts[2] ?? '';
    qual = parts[3];
  } else {
    name = parts[0] ?? '';
    qual = parts[1];
  }
  const arn = ctx.functionArnFor?.(name) ?? `arn:aws:lambda:${ctx.region}:${ctx.account}:function:${name}`;
  const q = qualifier ?? qual;
  return q ? `${arn}:${q}` : arn;
}

function lambdaAuthz(method: string, u: URL, ctx: AuthzContext): AuthzRequirement[] {
  const m = /^\/2015-03-31\/functions\/([^/]+)(\/invocations|\/configuration)?\/?$/.exec(u.pathname);
  if (!m) return [{ action: 'lambda:Unrecognized', resources: ['*'] }];
  const arn = functionArnOf(decodeURIComponent(m[1] ?? ''), u.searchParams.get('Qualifier'), ctx);
  if (m[2] === '/invocations' && method === 'POST')
    return [{ action: 'lambda:InvokeFunction', resources: [arn] }];
  if (m[2] === '/configuration' && method === 'GET')
    return [{ action: 'lambda:GetFunctionConfiguration', resources: [arn] }];
  if (!m[2] && method === 'GET') return [{ action: 'lambda:GetFunction', resources: [arn] }];
  return [{ action: 'lambda:Unrecognized', resources: [arn] }];
}

// ---------------------------------------------------------------------------------------------------
// Responses in each service's own error format

type Protocol = 'json1.0' | 'json1.1' | 'rest-json' | 's3';

function protocolOf(service: string, headers: Record<string, string | undefined>): Protocol {
  if (service === 's3') return 's3';
  if (service === 'dynamodb' || service === 'states') return 'json1.0';
  if (service === 'secretsmanager' || service === 'events' || service === 'cognito-idp') return 'json1.1';
  if (headers['x-amz-target']) return (headers['content-type'] ?? '').includes('1.0') ? 'json1.0' : 'json1.1';
  return 'rest-json';
}

export function errorResponse(
  protocol: Protocol,
  status: number,
  code: string,
  message: string,
): ServiceResponse {
  if (protocol === 's3') {
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return {
      status,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${esc(code)}</Code><Message>${esc(message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`,
    };
  }
  if (protocol === 'rest-json')
    return {
      status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': code },
      body: JSON.stringify({ message }),
    };
  const version = protocol === 'json1.0' ? '1.0' : '1.1';
  return {
    status,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-errortype': code },
    body: JSON.stringify({ __type: code, message }),
  };
}

function accessDenied(protocol: Protocol, message: string): ServiceResponse {
  if (protocol === 's3') return errorResponse('s3', 403, 'AccessDenied', message);
  return errorResponse(protocol, protocol === 'rest-json' ? 403 : 400, 'AccessDeniedException', message);
}

const roleNameOf = (roleArn: string) => roleArn.slice(roleArn.lastIndexOf('/') + 1);

// ---------------------------------------------------------------------------------------------------
// Server

export async function startAwsGateway(opts: AwsGatewayOptions): Promise<AwsGateway> {
  const { model, authorizer } = opts;
  const ring: GatewayDecision[] = [];
  const ringSize = opts.ringSize ?? 2000;
  const listeners = new Set<(d: GatewayDecision) => void>();
  const now = opts.now ?? Date.now;
  const operators = new Set(opts.operatorAccessKeyIds ?? []);
  const decisionsFile = opts.dataDir ? path.join(opts.dataDir, 'iam-decisions.jsonl') : undefined;
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const functionsByName = new Map(model.functions.map((f) => [f.name, f.arn]));
  const functionArns = new Set(model.functions.map((f) => f.arn));
  const ctx: AuthzContext = {
    region: model.region,
    account: model.account,
    secretArnFor: (id) => resolveSecretId(model.secrets, id)?.arn,
    machineArnForTaskToken: opts.machineArnForTaskToken,
    machineArns: model.machines.map((m) => m.arn),
    functionArnFor: (name) => functionsByName.get(name),
  };

  const record = (d: Omit<GatewayDecision, 'time'>) => {
    const decision: GatewayDecision = { time: new Date(now()).toISOString(), ...d };
    ring.push(decision);
    if (ring.length > ringSize) ring.splice(0, ring.length - ringSize);
    if (decisionsFile) appendFileSync(decisionsFile, `${JSON.stringify(decision)}\n`);
    for (const l of listeners) l(decision);
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = headersOf(req);
    const caller = callerFromRequest(url, headers);
    const cognito = opts.services?.['cognito-idp'];
    const cognitoOp = cognitoOperation(headers);
    // Cognito's sign-in operations, its JWKS and CORS preflights are public: browsers call them unsigned
    // (and IAM policies do not govern them, signed or not).
    const publicCognito =
      cognito &&
      ((cognitoOp !== undefined && PUBLIC_OPERATIONS.has(cognitoOp)) ||
        ((method === 'GET' || method === 'HEAD') && wellKnownPoolId(url) !== undefined) ||
        // Cognito's endpoint is the root path (S3's paths name a bucket).
        (!caller &&
          method === 'OPTIONS' &&
          url.split('?')[0] === '/' &&
          Boolean(headers['access-control-request-method'])));
    if (publicCognito) {
      const body = await readBody(req);
      record({
        principal: !caller
          ? 'anonymous'
          : operators.has(caller.accessKeyId)
            ? 'operator'
            : (opts.principalFor(caller.accessKeyId)?.functionName ?? caller.accessKeyId),
        service: 'cognito-idp',
        action: cognitoOp ? `cognito-idp:${cognitoOp}` : `${method} ${url.split('?')[0]}`,
        resource: '*',
        allowed: true,
        reason: 'public Cognito operation (no IAM authorization)',
      });
      writeResponse(res, await cognito({ method, url, headers, body }));
      return;
    }
    if (!caller) {
      // Unsigned: only S3 answers anonymous requests (a browser opening an unsigned link).
      const protocol: Protocol = headers['x-amz-target']
        ? 'json1.1'
        : /^\/(v2|2015-03-31)\//.test(url)
          ? 'rest-json'
          : 's3';
      record({
        principal: 'anonymous',
        service: 'unknown',
        action: `${method} ${url.split('?')[0]}`,
        resource: '*',
        allowed: false,
        reason: 'request is not signed',
      });
      writeResponse(res, accessDenied(protocol, 'Anonymous access is denied: the request is not signed'));
      return;
    }
    const protocol = protocolOf(caller.service, headers);
    const isOperator = operators.has(caller.accessKeyId);
    const principal = isOperator ? undefined : opts.principalFor(caller.accessKeyId);
    if (!isOperator && !principal) {
      record({
        principal: caller.accessKeyId,
        service: caller.service,
        action: '*',
        resource: '*',
        allowed: false,
        reason: 'unknown access key',
      });
      writeResponse(
        res,
        protocol === 's3'
          ? errorResponse(
              's3',
              403,
              'InvalidAccessKeyId',
              'The AWS Access Key Id you provided does not exist in our records.',
            )
          : errorResponse(
              protocol,
              protocol === 'rest-json' ? 403 : 400,
              'UnrecognizedClientException',
              'The security token included in the request is invalid.',
            ),
      );
      return;
    }
    if (caller.expiresAt !== undefined && now() > caller.expiresAt) {
      record({
        principal: principal?.functionName ?? 'operator',
        roleArn: principal?.roleArn,
        service: caller.service,
        action: '*',
        resource: url.split('?')[0] ?? '',
        allowed: false,
        reason: 'presigned request has expired',
      });
      writeResponse(res, errorResponse(protocol, 403, 'AccessDenied', 'Request has expired'));
      return;
    }

    // Only S3 object bodies can be large; they stream through unread. Everything else is read to authorize.
    const q = new URL(url, 'http://gateway').searchParams;
    const streamBody = caller.service === 's3' && !(method === 'POST' && q.has('delete'));
    const body = streamBody ? undefined : await readBody(req);

    const requirements = requestToAuthz(caller.service, method, url, headers, body, ctx);
    for (const r of requirements) {
      const failures: { resource: string; reason: string }[] = [];
      let satisfied = !r.anyOf;
      for (const resource of r.resources) {
        const d = isOperator
          ? { allowed: true, reason: 'operator access key' }
          : authorizer.authorize(principal?.roleArn ?? '', r.action, resource);
        record({
          principal: principal?.functionName ?? 'operator',
          roleArn: principal?.roleArn,
          service: caller.service,
          action: r.action,
          resource,
          allowed: d.allowed,
          reason: d.reason,
        });
        if (d.allowed && r.anyOf) {
          satisfied = true;
          break;
        }
        if (!d.allowed) {
          failures.push({ resource, reason: d.reason });
          if (!r.anyOf) {
            satisfied = false;
            break;
          }
        }
      }
      if (!satisfied && principal) {
        const failure = failures[0] ?? { resource: '*', reason: '' };
        const because = failure.reason.startsWith('explicitly denied')
          ? 'with an explicit deny in an identity-based policy'
          : `because no identity-based policy allows the ${r.action} action`;
        const message = `User: arn:aws:sts::${model.account}:assumed-role/${roleNameOf(principal.roleArn)}/${principal.functionName} is not authorized to perform: ${r.action} on resource: ${failure.resource} ${because}`;
        if (streamBody) req.resume();
        writeResponse(res, accessDenied(protocol, message));
        return;
      }
    }
    await dispatch(caller, method, url, headers, body, req, res, protocol);
  };

  async function dispatch(
    caller: Caller,
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    req: IncomingMessage,
    res: ServerResponse,
    protocol: Protocol,
  ): Promise<void> {
    const upstreams = opts.upstreams ?? {};
    const notConfigured = () =>
      writeResponse(
        res,
        errorResponse(protocol, 501, 'NotImplemented', `no local ${caller.service} endpoint is configured`),
      );
    switch (caller.service) {
      case 'dynamodb':
      case 'states':
      case 'ses':
      case 's3': {
        const base = upstreams[caller.service];
        if (!base) {
          return notConfigured();
        }
        try {
          await forward(base, caller, method, url, headers, body, req, res);
        } catch (error) {
          const message = `the local ${caller.service} endpoint failed: ${(error as Error).message}`;
          if (!res.headersSent)
            writeResponse(res, errorResponse(protocol, 503, 'ServiceUnavailable', message));
          else res.end();
        }
        return;
      }
      case 'secretsmanager':
      case 'events':
      case 'scheduler':
      case 'cognito-idp': {
        const service = opts.services?.[caller.service];
        if (!service) {
          return notConfigured();
        }
        writeResponse(res, await service({ method, url, headers, body: body ?? Buffer.alloc(0) }));
        return;
      }
      case 'lambda': {
        writeResponse(res, await lambda(method, url, headers, body ?? Buffer.alloc(0)));
        return;
      }
      default:
        writeResponse(
          res,
          errorResponse(
            protocol,
            501,
            'NotImplemented',
            `${caller.service} is not emulated offline (the call was allowed by the role policy)`,
          ),
        );
    }
  }

  async function lambda(
    method: string,
    url: string,
    headers: Record<string, string>,
    payload: Buffer,
  ): Promise<ServiceResponse> {
    const u = new URL(url, 'http://gateway');
    const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/.exec(u.pathname);
    if (!m || method !== 'POST')
      return errorResponse(
        'rest-json',
        501,
        'NotImplemented',
        `Lambda ${method} ${u.pathname} is not emulated offline (only Invoke)`,
      );
    const [req] = lambdaAuthz(method, u, ctx);
    const arn = req?.resources[0] ?? '';
    const unqualified = arn.split(':').slice(0, 7).join(':');
    if (!functionArns.has(unqualified))
      return {
        ...errorResponse('rest-json', 404, 'ResourceNotFoundException', `Function not found: ${arn}`),
      };
    if (!opts.invoke)
      return errorResponse('rest-json', 501, 'NotImplemented', 'no local Lambda invoker is configured');
    const type = (headers['x-amz-invocation-type'] ?? 'RequestResponse') as InvocationType;
    if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun')
      return errorResponse(
        'rest-json',
        400,
        'InvalidParameterValueException',
        `Invalid invocation type ${String(type)}`,
      );
    const result = await opts.invoke(unqualified, payload, type);
    if (type === 'Event') return { status: 202, headers: {}, body: '' };
    if (type === 'DryRun') return { status: 204, headers: {}, body: '' };
    return {
      status: result.statusCode,
      headers: {
        'content-type': 'application/json',
        'x-amz-executed-version': '$LATEST',
        ...(result.functionError ? { 'x-amz-function-error': result.functionError } : {}),
      },
      body: result.payload ?? '',
    };
  }

  async function forward(
    base: string,
    caller: Caller,
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const target = new URL(base);
    let pathAndQuery = url;
    const out: Record<string, string> = { ...headers, host: target.host };
    if (caller.service === 's3') {
      const key = opts.s3UpstreamAccessKeyId ?? 'S3RVER';
      if (out.authorization)
        out.authorization = out.authorization.replace(/Credential=[^/,\s]+\//, `Credential=${key}/`);
      pathAndQuery = pathAndQuery.replace(/([?&]X-Amz-Credential=)[^&%/]+/, `$1${key}`);
    }
    delete out.expect; // the client's 100-continue was answered here
    let source: NodeJS.ReadableStream | undefined;
    if (caller.service === 's3' && !body && isAwsChunked(out)) {
      // s3rver would store the aws-chunked framing (and checksum trailer) of a streamed upload as the
      // object; S3 stores the payload. Unframe it, so the unchanged SDK with default settings works.
      const decoded = out['x-amz-decoded-content-length'];
      const encodings = (out['content-encoding'] ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e && e !== 'aws-chunked');
      if (encodings.length) out['content-encoding'] = encodings.join(',');
      else delete out['content-encoding'];
      for (const h of ['transfer-encoding', 'x-amz-trailer', 'x-amz-decoded-content-length']) delete out[h];
      out['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      if (decoded) out['content-length'] = decoded;
      else out['transfer-encoding'] = 'chunked';
      source = req.pipe(new AwsChunkedDecoder());
    }
    if (body) {
      delete out['transfer-encoding'];
      out['content-length'] = String(body.length);
    }
    await new Promise<void>((resolve, reject) => {
      const upstream = httpRequest(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method,
          path: pathAndQuery,
          headers: out,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, withoutHopByHop(up.headers));
          up.pipe(res);
          up.on('end', resolve);
          up.on('error', reject);
        },
      );
      upstream.on('error', reject);
      if (body) upstream.end(body);
      else (source ?? req).pipe(upstream);
    });
  }

  const served = await listenHttp1And2(
    (req, res) =>
      handler(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          writeResponse(res, errorResponse('rest-json', 500, 'InternalFailure', (error as Error).message));
        else res.end();
      }),
    opts.port ?? 0,
  );
  return {
    url: served.url,
    port: served.port,
    decisions: () => [...ring],
    onDecision(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: served.close,
  };
}

// ---------------------------------------------------------------------------------------------------
// One port for HTTP/1.1 and cleartext HTTP/2: the Bedrock runtime client only speaks HTTP/2, and its
// calls must be refused (or reported as not emulated) like any other, not fail with a protocol error.

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);
function withoutHopByHop(headers: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const HTTP2_PREFACE = 'PRI * HTTP/2.0';

/**
 * The socket as a plain duplex stream that first replays the bytes already read. The HTTP/2 server reads
 * a real socket through its native handle, past anything put back with `unshift`; a JS stream it reads
 * through JS, replayed bytes included.
 */
function replaying(socket: Socket, first: Buffer): Duplex {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  stream.push(first);
  socket.on('data', (d: Buffer) => {
    if (!stream.push(d)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('error', (e) => stream.destroy(e));
  socket.on('close', () => stream.destroy());
  return stream;
}

async function listenHttp1And2(
  handler: Handler,
  port: number,
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const http1 = createHttpServer(handler);
  // The compatibility API gives HTTP/2 requests the shape of http.IncomingMessage/ServerResponse.
  const http2 = createHttp2Server((req, res) =>
    handler(req as unknown as IncomingMessage, res as unknown as ServerResponse),
  );
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      if (chunk.toString('latin1').startsWith(HTTP2_PREFACE)) {
        http2.emit('connection', replaying(socket, chunk));
        return;
      }
      socket.unshift(chunk);
      http1.emit('connection', socket);
      socket.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// aws-chunked: `<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0[;…]\r\n<trailers>\r\n\r\n`

const isAwsChunked = (headers: Record<string, string>): boolean =>
  (headers['content-encoding'] ?? '').split(',').some((e) => e.trim() === 'aws-chunked') ||
  (headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');

/** Streams the payload out of an aws-chunked body (chunk signatures and trailers dropped). */
export class AwsChunkedDecoder extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private remaining = 0; // data bytes left in the current chunk
  private state: 'size' | 'data' | 'data-crlf' | 'trailers' | 'done' = 'size';

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    try {
      this.drain();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(
      this.state === 'done' || this.state === 'trailers'
        ? null
        : new Error('aws-chunked body ended mid-chunk'),
    );
  }

  private drain(): void {
    for (;;) {
      if (this.state === 'data') {
        if (!this.pending.length) return;
        const n = Math.min(this.remaining, this.pending.length);
        this.push(this.pending.subarray(0, n));
        this.pending = this.pending.subarray(n);
        this.remaining -= n;
        if (this.remaining === 0) this.state = 'data-crlf';
        continue;
      }
      if (this.state === 'done') {
        this.pending = Buffer.alloc(0);
        return;
      }
      const eol = this.pending.indexOf('\r\n');
      if (eol < 0) {
        if (this.pending.length > 64 * 1024) throw new Error('aws-chunked header line too long');
        return;
      }
      const line = this.pending.subarray(0, eol).toString('latin1');
      this.pending = this.pending.subarray(eol + 2);
      if (this.state === 'data-crlf') {
        if (line !== '') throw new Error('aws-chunked chunk not followed by CRLF');
        this.state = 'size';
      } else if (this.state === 'size') {
        const size = Number.parseInt(line.split(';')[0] ?? '', 16);
        if (!Number.isFinite(size) || size < 0)
          throw new Error(`bad aws-chunked size line ${JSON.stringify(line)}`);
        if (size === 0) this.state = 'trailers';
        else {
          this.remaining = size;
          this.state = 'data';
        }
      } else if (this.state === 'trailers' && line === '') this.state = 'done';
    }
  }
}
