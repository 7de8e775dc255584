import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type EnvName, isSet, readVariable } from './config/index.js';

/**
 * Every secret the functions use. On AWS each comes from Secrets Manager by the ARN in `<ENV>_ARN`
 * (the stack sets only ARNs); a developer or the embedded runtime may instead set the value itself in
 * `<ENV>` (the embedded runtime generates its own per data directory). There is no default value
 * anywhere: a function that needs a secret nobody configured fails with a message naming the variable.
 */
export const SECRETS = {
  /** HMAC key of the signed, expiring approval links. */
  approvalSigning: 'APPROVAL_SIGNING_SECRET',
  /** Standard Webhooks secret (`whsec_…`) shared with the render providers that call back. */
  webhook: 'WEBHOOK_SECRET',
  /** OpenAI API key (BIE_TEXT_MODEL=openai or BIE_EMBEDDER=openai). */
  openAiApiKey: 'OPENAI_API_KEY',
  /** Gemini API key (Veo video models). */
  geminiApiKey: 'GEMINI_API_KEY',
  /** Platform OAuth clients, JSON `{ client_id, client_secret, refresh_token }` (BIE_PUBLISH_<P>=api). */
  youtubeOAuth: 'YOUTUBE_OAUTH',
  tiktokOAuth: 'TIKTOK_OAUTH',
  instagramOAuth: 'INSTAGRAM_OAUTH',
  linkedInOAuth: 'LINKEDIN_OAUTH',
  /** Blotato API key (any BIE_PUBLISH_<P>=blotato). */
  blotatoApiKey: 'BLOTATO_API_KEY',
  /** fal API key (BIE_VIDEO_PROVIDER includes fal). */
  falKey: 'FAL_KEY',
} as const;

export type SecretName = keyof typeof SECRETS;

export class SecretNotConfiguredError extends Error {
  constructor(name: SecretName) {
    const env = SECRETS[name];
    super(`the ${name} secret is not configured: set ${env}_ARN (Secrets Manager) or ${env}`);
    this.name = 'SecretNotConfiguredError';
  }
}

/** Secrets live for the container (Lambda reuses it for many invocations); a rotation needs a new one. */
const CACHE_MS = 15 * 60_000;
const cache = new Map<SecretName, { value: Promise<string>; at: number }>();
let client: SecretsManagerClient | undefined;
/** Values written back while the secret comes from the environment (kept for this process only). */
const superseded = new Map<SecretName, string>();

/** Where a secret would come from, without reading it (for configuration checks). */
export function secretSource(name: SecretName): 'arn' | 'value' | 'none' {
  const key = SECRETS[name];
  if (isSet(`${key}_ARN` as EnvName)) return 'arn';
  if (isSet(key as EnvName)) return 'value';
  return 'none';
}

/** The secret's value, cached for the container; `fresh` reads it again (another container may have changed it). */
export function readSecret(name: SecretName, opts: { fresh?: boolean } = {}): Promise<string> {
  const hit = cache.get(name);
  if (hit && !opts.fresh && Date.now() - hit.at < CACHE_MS) return hit.value;
  const value = load(name);
  cache.set(name, { value, at: Date.now() });
  // A failed read is not cached: the next invocation tries again.
  value.catch(() => cache.delete(name));
  return value;
}

async function load(name: SecretName): Promise<string> {
  const key = SECRETS[name];
  // The ARN first: on AWS it is the only one set, so the value variable is never even looked at.
  const arn = secretSource(name) === 'arn' ? (readVariable(`${key}_ARN` as EnvName) as string) : undefined;
  if (arn) {
    client ??= new SecretsManagerClient({});
    const res = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!res.SecretString) throw new Error(`the ${name} secret (${arn}) is empty`);
    return res.SecretString;
  }
  const value = superseded.get(name) ?? (readVariable(key as EnvName) as string | undefined);
  if (value) return value;
  throw new SecretNotConfiguredError(name);
}

/**
 * Stores a new value of a secret that the functions maintain themselves (an OAuth refresh token that the
 * platform rotated): PutSecretValue by ARN on AWS. A value given in the environment cannot be written
 * back: this container keeps using the new value and `false` says the configured one is now stale.
 */
export async function writeSecret(name: SecretName, value: string): Promise<boolean> {
  const key = SECRETS[name];
  const stored = Promise.resolve(value);
  if (secretSource(name) === 'arn') {
    client ??= new SecretsManagerClient({});
    await client.send(
      new PutSecretValueCommand({
        SecretId: readVariable(`${key}_ARN` as EnvName) as string,
        SecretString: value,
      }),
    );
    cache.set(name, { value: stored, at: Date.now() });
    return true;
  }
  // The environment's value is superseded for the rest of this process.
  superseded.set(name, value);
  cache.set(name, { value: stored, at: Date.now() });
  return false;
}

/** The approval-link signing key. */
export const approvalSigningSecret = (): Promise<string> => readSecret('approvalSigning');
/** The render-provider webhook secret. */
export const webhookSecret = (): Promise<string> => readSecret('webhook');

/** The fal API key (`Authorization: Key …`). */
export const falKey = (): Promise<string> => readSecret('falKey');

/** Tests only: forget cached values. */
export function clearSecretCache(): void {
  cache.clear();
  superseded.clear();
}
