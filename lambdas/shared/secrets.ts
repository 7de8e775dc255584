import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
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

/** Where a secret would come from, without reading it (for configuration checks). */
export function secretSource(name: SecretName): 'arn' | 'value' | 'none' {
  const key = SECRETS[name];
  if (isSet(`${key}_ARN` as EnvName)) return 'arn';
  if (isSet(key as EnvName)) return 'value';
  return 'none';
}

export function readSecret(name: SecretName): Promise<string> {
  const hit = cache.get(name);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
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
  const value = readVariable(key as EnvName) as string | undefined;
  if (value) return value;
  throw new SecretNotConfiguredError(name);
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
}
