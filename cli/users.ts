import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type OperatorCredentials, signApiRequest } from '../local/deployed/operator.js';
import { temporaryPassword } from '../local/deployed/services/cognito.js';
import { cognitoEndpointFile, type DashboardAuth } from '../local/deployed/start.js';
import { readRuntimeInfo } from '../local/engine/runtime.js';
import { InputError } from './run.js';

/**
 * `bie users add EMAIL`: invites a dashboard user into the user pool of the as-deployed runtime serving
 * the data directory, as an administrator does on AWS — AdminCreateUser, SigV4-signed with the
 * operator's keys, with a temporary password the user replaces at first sign-in (Cognito's invitation
 * mail is not sent locally: the operator hands the password over).
 */

interface EndpointFile {
  endpoint: string;
  region: string;
  dashboard: DashboardAuth | null;
}

export interface AddedUser {
  email: string;
  username: string;
  userPoolId: string;
  temporaryPassword: string;
  status: string;
}

export async function addDashboardUser(dataDir: string, email: string): Promise<AddedUser> {
  const file = cognitoEndpointFile(dataDir);
  if (!readRuntimeInfo(dataDir) || !existsSync(file))
    throw new InputError(`no as-deployed runtime is serving ${dataDir}`, [
      { path: '', message: `start one first: bie serve --as-deployed --data ${dataDir}` },
    ]);
  const where = JSON.parse(readFileSync(file, 'utf8')) as EndpointFile;
  if (!where.dashboard)
    throw new InputError('the stack has no dashboard user pool', [
      { path: '', message: 'no JWT-authorized route names a Cognito user pool of the stack' },
    ]);
  const creds = JSON.parse(
    readFileSync(path.join(dataDir, 'operator-credentials.json'), 'utf8'),
  ) as OperatorCredentials;
  const password = temporaryPassword();
  const body = JSON.stringify({
    UserPoolId: where.dashboard.userPoolId,
    Username: email,
    TemporaryPassword: password,
    MessageAction: 'SUPPRESS',
    UserAttributes: [
      { Name: 'email', Value: email },
      // The operator vouches for the address (Cognito would otherwise ask the user to verify it).
      { Name: 'email_verified', Value: 'true' },
    ],
  });
  const url = new URL(where.endpoint);
  const headers = await signApiRequest(
    { ...creds, region: where.region },
    {
      method: 'POST',
      url: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.AdminCreateUser',
      },
      body,
    },
    'cognito-idp',
  );
  const res = await fetch(`${where.endpoint}/`, { method: 'POST', headers, body });
  const answer = (await res.json().catch(() => ({}))) as {
    __type?: string;
    message?: string;
    User?: { Username: string; UserStatus: string };
  };
  if (!res.ok || !answer.User)
    throw new InputError(`AdminCreateUser → ${res.status} ${answer.__type ?? ''}`, [
      { path: 'email', message: answer.message ?? 'refused' },
    ]);
  return {
    email,
    username: answer.User.Username,
    userPoolId: where.dashboard.userPoolId,
    temporaryPassword: password,
    status: answer.User.UserStatus,
  };
}
