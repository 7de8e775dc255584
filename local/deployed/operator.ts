import { createHash, createHmac, type Hash, type Hmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { writeFileAtomic } from '../engine/atomic-file.js';

/**
 * The local operator: the person (or script) that calls the stack's IAM-authorized API and reads its
 * bucket, as an AWS user would with their own credentials. Its key pair is generated once per data
 * directory (0600), so `bie` commands can sign against a runtime another process started.
 */

export interface OperatorCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  account: string;
}

export function operatorCredentials(dataDir: string, region = 'us-east-1', account = '000000000000') {
  const file = path.join(dataDir, 'operator-credentials.json');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const creds: OperatorCredentials = {
      accessKeyId: `AKIA${Array.from(randomBytes(16), (b) => alphabet[b % 32]).join('')}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      region,
      account,
    };
    writeFileAtomic(file, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  }
  return JSON.parse(readFileSync(file, 'utf8')) as OperatorCredentials;
}

/** The SHA-256 (and HMAC) the signer needs, on node:crypto. */
const bytes = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

class Sha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface PlainRequest {
  method: string;
  /** Path and query as sent (`/campaigns?status=published`). */
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer | string;
}

function toSignable(req: PlainRequest, headers: Record<string, string>) {
  const u = new URL(req.url, 'http://local');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(u.searchParams.keys())) {
    const all = u.searchParams.getAll(key);
    query[key] = all.length === 1 ? (all[0] as string) : all;
  }
  const host = headers.host ?? '';
  return {
    method: req.method.toUpperCase(),
    protocol: 'http:',
    hostname: host.replace(/:\d+$/, ''),
    port: Number(/:(\d+)$/.exec(host)?.[1]) || undefined,
    path: u.pathname,
    query,
    headers,
    body: req.body,
  };
}

/** Signs a request to the API (service `execute-api`, or another AWS service) as the operator; returns the headers to send. */
export async function signApiRequest(
  creds: OperatorCredentials,
  req: PlainRequest,
  service = 'execute-api',
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    region: creds.region,
    service,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(toSignable(req, { ...req.headers }));
  return signed.headers as Record<string, string>;
}

export type IamCheck =
  | { ok: true; iam: Record<string, unknown> }
  | { ok: false; status: number; message: string };

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/**
 * API Gateway's AWS_IAM authorization of one request: a SigV4 signature, for `execute-api` in this
 * region, by the operator's key, within 15 minutes, over the very request received. Answers as API
 * Gateway does (403 with its messages).
 */
export async function verifyIamRequest(
  creds: OperatorCredentials,
  req: PlainRequest,
  now = Date.now(),
): Promise<IamCheck> {
  const header = req.headers.authorization;
  if (!header) return { ok: false, status: 403, message: 'Forbidden' };
  const m = AUTH.exec(header.trim());
  if (!m) return { ok: false, status: 403, message: 'Authorization header requires a valid SigV4 signature' };
  const [, keyId, , region, service, signedList, signature] = m as unknown as string[];
  if (keyId !== creds.accessKeyId)
    return { ok: false, status: 403, message: 'The security token included in the request is invalid.' };
  if (region !== creds.region || service !== 'execute-api')
    return {
      ok: false,
      status: 403,
      message: `Credential should be scoped to a valid region and to execute-api, not ${region}/${service}`,
    };
  const amzDate = req.headers['x-amz-date'] ?? '';
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!date) return { ok: false, status: 403, message: 'Authorization requires an X-Amz-Date header' };
  const signingDate = new Date(
    Date.UTC(+date[1]!, +date[2]! - 1, +date[3]!, +date[4]!, +date[5]!, +date[6]!),
  );
  if (Math.abs(now - signingDate.getTime()) > 15 * 60_000)
    return { ok: false, status: 403, message: 'Signature expired' };
  const signedHeaders = (signedList as string).split(';');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) return { ok: false, status: 403, message: `Signed header ${name} is missing` };
    headers[name] = value;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    region: creds.region,
    service: 'execute-api',
    sha256: Sha256,
    applyChecksum: signedHeaders.includes('x-amz-content-sha256'),
  });
  const expected = await signer.sign(toSignable(req, headers), {
    signingDate,
    signableHeaders: new Set(signedHeaders),
  });
  const computed = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization ?? ''))?.[1] ?? '';
  if (
    computed.length !== (signature as string).length ||
    !timingSafeEqual(Buffer.from(computed), Buffer.from(signature as string))
  )
    return {
      ok: false,
      status: 403,
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  return {
    ok: true,
    iam: {
      accessKey: creds.accessKeyId,
      accountId: creds.account,
      callerId: creds.accessKeyId,
      principalOrgId: null,
      userArn: `arn:aws:iam::${creds.account}:user/operator`,
      userId: creds.accessKeyId,
      cognitoIdentity: null,
    },
  };
}
