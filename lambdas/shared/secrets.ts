import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let cached: string | undefined;
let client: SecretsManagerClient | undefined;

/**
 * The approval-link signing key: from Secrets Manager on AWS (APPROVAL_SIGNING_SECRET_ARN), from the
 * environment in the embedded runtime (generated once per data directory). Cached per container.
 */
export async function approvalSigningSecret(): Promise<string> {
  if (cached) return cached;
  if (process.env.APPROVAL_SIGNING_SECRET) {
    cached = process.env.APPROVAL_SIGNING_SECRET;
    return cached;
  }
  const arn = process.env.APPROVAL_SIGNING_SECRET_ARN;
  if (!arn) throw new Error('neither APPROVAL_SIGNING_SECRET nor APPROVAL_SIGNING_SECRET_ARN is set');
  client ??= new SecretsManagerClient({});
  const res = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!res.SecretString) throw new Error('the approval signing secret is empty');
  cached = res.SecretString;
  return cached;
}
