import { randomInt, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DeployedSecret } from '../model.js';
import { jsonError, jsonOk, parseJsonBody, type ServiceHandler } from './protocol.js';

/**
 * Secrets Manager (AWS JSON 1.1, `X-Amz-Target: secretsmanager.<Operation>`) over the stack's own
 * secrets: each gets a value generated once per data directory the way CloudFormation's
 * GenerateSecretString would (length, punctuation, excluded characters, JSON template), kept in
 * `<dataDir>/secrets.json`, so unchanged SDK clients read secrets by ARN exactly as on AWS.
 * Operations: GetSecretValue, DescribeSecret, PutSecretValue, ListSecrets.
 */

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** A password as GenerateSecretString makes it: at least one character of each included type. */
export function generatePassword(
  length: number,
  excludePunctuation: boolean,
  excludeCharacters = '',
): string {
  const keep = (set: string) => [...set].filter((c) => !excludeCharacters.includes(c)).join('');
  const types = [LOWER, UPPER, DIGITS, ...(excludePunctuation ? [] : [PUNCTUATION])]
    .map(keep)
    .filter(Boolean);
  const all = types.join('');
  if (!all || length < types.length)
    throw new Error(`cannot generate a ${length}-character password from this character set`);
  const chars = types.map((t) => t[randomInt(t.length)] as string);
  while (chars.length < length) chars.push(all[randomInt(all.length)] as string);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

/** Finds a secret by name, full ARN or partial ARN (the ARN without its six-character suffix). */
export function resolveSecretId(
  secrets: readonly DeployedSecret[],
  secretId: string,
): DeployedSecret | undefined {
  return secrets.find(
    (s) =>
      s.arn === secretId ||
      s.name === secretId ||
      (secretId.startsWith('arn:') && s.arn === `${secretId}-${s.arn.slice(-6)}`),
  );
}

interface StoredValue {
  value: string;
  versionId: string;
  createdDate: number;
}

export interface SecretsManagerOptions {
  secrets: readonly DeployedSecret[];
  dataDir: string;
}

export class LocalSecretsManager {
  private readonly file: string;
  private readonly values: Record<string, StoredValue>;

  constructor(private readonly opts: SecretsManagerOptions) {
    mkdirSync(opts.dataDir, { recursive: true });
    this.file = path.join(opts.dataDir, 'secrets.json');
    this.values = this.load();
    let generated = false;
    for (const s of opts.secrets) {
      if (this.values[s.arn]) continue;
      this.values[s.arn] = { value: initialValue(s), versionId: randomUUID(), createdDate: Date.now() };
      generated = true;
    }
    if (generated) this.save();
  }

  /** The full ARN for a name or (partial) ARN, or undefined when the stack has no such secret. */
  resolveArn(secretId: string): string | undefined {
    return resolveSecretId(this.opts.secrets, secretId)?.arn;
  }

  /** The current value (operators and tests). */
  getSecretValue(arnOrName: string): string {
    return this.current(arnOrName).value;
  }

  /** Sets a new current value, as PutSecretValue would (operators and tests). */
  setSecretValue(arnOrName: string, value: string): void {
    const secret = this.secret(arnOrName);
    this.values[secret.arn] = { value, versionId: randomUUID(), createdDate: Date.now() };
    this.save();
  }

  readonly handle: ServiceHandler = async (req) => {
    const op = (req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
    const body = parseJsonBody(req.body);
    if (!body)
      return jsonError('1.1', 400, 'SerializationException', 'the request body is not a JSON object');
    const id = typeof body.SecretId === 'string' ? body.SecretId : undefined;
    const needId = () =>
      jsonError(
        '1.1',
        400,
        'ValidationException',
        "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
      );
    const notFound = () =>
      jsonError('1.1', 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    switch (op) {
      case 'GetSecretValue': {
        if (!id) return needId();
        const secret = resolveSecretId(this.opts.secrets, id);
        if (!secret) return notFound();
        const v = this.values[secret.arn] as StoredValue;
        if (body.VersionId !== undefined && body.VersionId !== v.versionId)
          return jsonError(
            '1.1',
            400,
            'ResourceNotFoundException',
            `Secrets Manager can't find the specified secret value for VersionId: ${String(body.VersionId)}`,
          );
        if (body.VersionStage !== undefined && body.VersionStage !== 'AWSCURRENT')
          return jsonError(
            '1.1',
            400,
            'ResourceNotFoundException',
            `Secrets Manager can't find the specified secret value for staging label: ${String(body.VersionStage)}`,
          );
        return jsonOk('1.1', {
          ARN: secret.arn,
          Name: secret.name,
          SecretString: v.value,
          VersionId: v.versionId,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: v.createdDate / 1000,
        });
      }
      case 'DescribeSecret': {
        if (!id) return needId();
        const secret = resolveSecretId(this.opts.secrets, id);
        if (!secret) return notFound();
        return jsonOk('1.1', this.describe(secret));
      }
      case 'PutSecretValue': {
        if (!id) return needId();
        const secret = resolveSecretId(this.opts.secrets, id);
        if (!secret) return notFound();
        if (typeof body.SecretString !== 'string')
          return jsonError(
            '1.1',
            400,
            'InvalidParameterException',
            'SecretString is required (SecretBinary is not emulated locally)',
          );
        const versionId =
          typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : randomUUID();
        this.values[secret.arn] = { value: body.SecretString, versionId, createdDate: Date.now() };
        this.save();
        return jsonOk('1.1', {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: versionId,
          VersionStages: ['AWSCURRENT'],
        });
      }
      case 'ListSecrets':
        return jsonOk('1.1', { SecretList: this.opts.secrets.map((s) => this.describe(s)) });
      default:
        return jsonError(
          '1.1',
          400,
          'UnknownOperationException',
          `secretsmanager.${op} is not emulated locally`,
        );
    }
  };

  private describe(secret: DeployedSecret) {
    const v = this.values[secret.arn] as StoredValue;
    return {
      ARN: secret.arn,
      Name: secret.name,
      CreatedDate: v.createdDate / 1000,
      LastChangedDate: v.createdDate / 1000,
      VersionIdsToStages: { [v.versionId]: ['AWSCURRENT'] },
    };
  }

  private secret(arnOrName: string): DeployedSecret {
    const secret = resolveSecretId(this.opts.secrets, arnOrName);
    if (!secret)
      throw new Error(
        `no secret ${arnOrName} in the stack (known: ${this.opts.secrets.map((s) => s.name).join(', ')})`,
      );
    return secret;
  }

  private current(arnOrName: string): StoredValue {
    return this.values[this.secret(arnOrName).arn] as StoredValue;
  }

  private load(): Record<string, StoredValue> {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, StoredValue>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`${this.file}: ${(error as Error).message}`);
    }
  }

  private save(): void {
    // Secrets: readable by the owner only; written atomically so a crash never leaves half a file.
    writeFileSync(`${this.file}.tmp`, `${JSON.stringify(this.values, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${this.file}.tmp`, this.file);
  }
}

function initialValue(s: DeployedSecret): string {
  if (s.secretString !== undefined) return s.secretString;
  const password = generatePassword(s.passwordLength, s.excludePunctuation, s.excludeCharacters);
  if (s.secretStringTemplate && s.generateStringKey)
    return JSON.stringify({
      ...(JSON.parse(s.secretStringTemplate) as object),
      [s.generateStringKey]: password,
    });
  return password;
}
