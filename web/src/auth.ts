import type { SiteConfig } from './api/client';

/**
 * Sign-in against the dashboard's Cognito user pool with the Cognito Identity Provider API itself
 * (`InitiateAuth` USER_PASSWORD_AUTH over HTTPS, then `RespondToAuthChallenge` for an invited user's
 * first password), so no SDK ships to the browser. Tokens live for the tab (sessionStorage).
 */
export interface Session {
  accessToken: string;
  idToken: string;
  email: string;
  expiresAt: number;
}

export type SignInResult =
  | { kind: 'signed-in'; session: Session }
  | { kind: 'new-password'; challengeSession: string };

const KEY = 'bie.session';

type Auth = NonNullable<SiteConfig['auth']>;

const endpointOf = (auth: Auth) => auth.endpoint ?? `https://cognito-idp.${auth.region}.amazonaws.com/`;

async function cognito(auth: Auth, action: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(endpointOf(auth), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const message = typeof json.message === 'string' ? json.message : `sign-in failed (HTTP ${res.status})`;
    throw new Error(message);
  }
  return json;
}

function sessionFrom(result: Record<string, unknown>, email: string): Session {
  const r = result.AuthenticationResult as { AccessToken: string; IdToken: string; ExpiresIn: number };
  const session = {
    accessToken: r.AccessToken,
    idToken: r.IdToken,
    email,
    expiresAt: Date.now() + r.ExpiresIn * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export async function signIn(auth: Auth, email: string, password: string): Promise<SignInResult> {
  const r = await cognito(auth, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: auth.clientId,
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  if (r.ChallengeName === 'NEW_PASSWORD_REQUIRED')
    return { kind: 'new-password', challengeSession: String(r.Session) };
  return { kind: 'signed-in', session: sessionFrom(r, email) };
}

export async function setNewPassword(
  auth: Auth,
  email: string,
  challengeSession: string,
  password: string,
): Promise<Session> {
  const r = await cognito(auth, 'RespondToAuthChallenge', {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    ClientId: auth.clientId,
    Session: challengeSession,
    ChallengeResponses: { USERNAME: email, NEW_PASSWORD: password },
  });
  return sessionFrom(r, email);
}

export function currentSession(): Session | undefined {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return undefined;
  const s = JSON.parse(raw) as Session;
  return s.expiresAt > Date.now() + 30_000 ? s : undefined;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}
