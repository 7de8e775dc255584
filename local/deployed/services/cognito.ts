import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
  scrypt,
  sign,
  timingSafeEqual,
} from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeFileAtomic } from '../../engine/atomic-file.js';
import type { DeployedUserPool, DeployedUserPoolClient } from '../model.js';
import { jsonError, jsonOk, parseJsonBody, type ServiceHandler, type ServiceResponse } from './protocol.js';
import { generatePassword } from './secrets-manager.js';

/**
 * Cognito user pools (AWS JSON 1.1, `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`) over
 * the stack's own pools and app clients, so the dashboard signs in exactly as on AWS: an administrator
 * creates a user with a temporary password (AdminCreateUser), the first sign-in (InitiateAuth
 * USER_PASSWORD_AUTH) answers the NEW_PASSWORD_REQUIRED challenge, RespondToAuthChallenge sets the
 * user's own password and returns RS256 tokens with Cognito's claims, verifiable with the pool's JWKS
 * at `<issuer>/.well-known/jwks.json`. Users (scrypt password hashes) and signing keys live under
 * `<dataDir>/cognito/`. Not emulated: SRP, MFA, hosted UI / OAuth endpoints, invitation messages (the
 * operator hands over the temporary password), lockout after repeated failures.
 */

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/** Operations Cognito serves without a SigV4 signature (the browser calls them): no IAM check applies. */
export const PUBLIC_OPERATIONS: ReadonlySet<string> = new Set(['InitiateAuth', 'RespondToAuthChallenge']);

export const cognitoOperation = (headers: Record<string, string | undefined>): string | undefined => {
  const target = headers['x-amz-target'];
  return target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
};

/** `/<poolId>/.well-known/jwks.json` or `openid-configuration`: the pool id, else undefined. */
export const wellKnownPoolId = (url: string): string | undefined =>
  /^\/([\w-]+_[0-9A-Za-z]+)\/\.well-known\/(?:jwks\.json|openid-configuration)$/.exec(
    url.split('?')[0] ?? '',
  )?.[1];

/** Cognito's symbol characters for password policies. */
const SYMBOLS = '^$*.[]{}()?-"!@#%&/\\,><\':;|_~`+= ';

/** The policy message Cognito gives a password, or undefined when it conforms. */
export function passwordPolicyViolation(
  policy: DeployedUserPool['passwordPolicy'],
  password: string,
): string | undefined {
  const prefix = 'Password does not conform to policy: ';
  if (password.length < policy.minimumLength) return `${prefix}Password not long enough`;
  if (policy.requireUppercase && !/[A-Z]/.test(password))
    return `${prefix}Password must have uppercase characters`;
  if (policy.requireLowercase && !/[a-z]/.test(password))
    return `${prefix}Password must have lowercase characters`;
  if (policy.requireNumbers && !/[0-9]/.test(password))
    return `${prefix}Password must have numeric characters`;
  if (policy.requireSymbols && ![...password].some((c) => SYMBOLS.includes(c)))
    return `${prefix}Password must have symbol characters`;
  return undefined;
}

/** A temporary password that satisfies any Cognito policy up to 20 characters, easy to paste in a shell. */
export const temporaryPassword = (length = 20): string => generatePassword(length, false, '"\'`\\$ ');

type UserStatus = 'FORCE_CHANGE_PASSWORD' | 'CONFIRMED';

interface StoredUser {
  username: string;
  sub: string;
  attributes: Record<string, string>;
  /** `scrypt$<salt b64>$<hash b64>` */
  password: string;
  status: UserStatus;
  enabled: boolean;
  createdAt: number;
  modifiedAt: number;
  passwordSetAt: number;
}

interface StoredKey {
  kid: string;
  privateKeyPem: string;
}

interface ChallengeSession {
  poolId: string;
  clientId: string;
  username: string;
  expiresAt: number;
}

interface RefreshGrant {
  poolId: string;
  clientId: string;
  username: string;
  expiresAt: number;
}

export interface Jwk {
  kty: string;
  kid: string;
  alg: string;
  use: string;
  n: string;
  e: string;
}

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** An RS256 JWT (compact serialization). */
export function signJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject,
): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(sign('RSA-SHA256', Buffer.from(input), key))}`;
}

// Cognito's own AuthSessionValidity default: a challenge must be answered within 3 minutes.
const SESSION_VALIDITY_MS = 3 * 60_000;

export interface LocalCognitoOptions {
  pools: readonly DeployedUserPool[];
  clients: readonly DeployedUserPoolClient[];
  dataDir: string;
  now?: () => number;
}

export class LocalCognito {
  private readonly dir: string;
  private readonly now: () => number;
  private readonly users: Record<string, Record<string, StoredUser>>;
  private readonly keys: Record<string, { kid: string; key: KeyObject; jwk: Jwk }> = {};
  private readonly sessions = new Map<string, ChallengeSession>();
  private readonly refreshGrants = new Map<string, RefreshGrant>();

  constructor(private readonly opts: LocalCognitoOptions) {
    this.now = opts.now ?? Date.now;
    this.dir = path.join(opts.dataDir, 'cognito');
    mkdirSync(this.dir, { recursive: true });
    this.users = this.read<Record<string, Record<string, StoredUser>>>('users.json') ?? {};
    const stored = this.read<Record<string, StoredKey>>('keys.json') ?? {};
    let generated = false;
    for (const pool of opts.pools) {
      if (!stored[pool.id]) {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        stored[pool.id] = {
          kid: randomBytes(32).toString('base64'),
          privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        };
        generated = true;
      }
      const { kid, privateKeyPem } = stored[pool.id] as StoredKey;
      const key = createPrivateKey(privateKeyPem);
      const pub = createPublicKey(key).export({ format: 'jwk' }) as { kty: string; n: string; e: string };
      this.keys[pool.id] = {
        kid,
        key,
        jwk: { alg: 'RS256', e: pub.e, kid, kty: pub.kty, n: pub.n, use: 'sig' },
      };
    }
    // The signing keys are secrets: owner-only, written once per data directory.
    if (generated)
      writeFileAtomic(path.join(this.dir, 'keys.json'), `${JSON.stringify(stored, null, 2)}\n`, {
        mode: 0o600,
      });
  }

  /** The pool's JWKS (what `<issuer>/.well-known/jwks.json` answers). */
  jwks(poolId: string): { keys: Jwk[] } | undefined {
    const k = this.keys[poolId];
    return k ? { keys: [k.jwk] } : undefined;
  }

  /** The JWKS of the pool that issues tokens with this `iss`, as a JWT authorizer fetches it. */
  jwksForIssuer(issuer: string): { keys: Jwk[] } | undefined {
    const pool = this.opts.pools.find((p) => p.issuer === issuer);
    return pool ? this.jwks(pool.id) : undefined;
  }

  readonly handle: ServiceHandler = async (req) => {
    const cors = corsHeaders(req.headers);
    const withCors = (r: ServiceResponse): ServiceResponse => ({ ...r, headers: { ...r.headers, ...cors } });
    if (req.method === 'OPTIONS') return { status: 200, headers: cors, body: '' };
    const wellKnown = wellKnownPoolId(req.url);
    if (wellKnown && (req.method === 'GET' || req.method === 'HEAD')) {
      const pool = this.opts.pools.find((p) => p.id === wellKnown);
      const jwks = this.jwks(wellKnown);
      if (!pool || !jwks)
        return withCors({
          status: 404,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ message: `User pool ${wellKnown} does not exist.` }),
        });
      const body = req.url.includes('jwks.json')
        ? jwks
        : {
            issuer: pool.issuer,
            jwks_uri: `${pool.issuer}/.well-known/jwks.json`,
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
          };
      return withCors({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    }
    const op = cognitoOperation(req.headers);
    const body = parseJsonBody(req.body);
    if (!op || !body)
      return withCors(
        error(
          op ? 'SerializationException' : 'UnknownOperationException',
          op ? 'the request body is not a JSON object' : 'no X-Amz-Target',
        ),
      );
    return withCors(await this.operation(op, body));
  };

  private async operation(op: string, b: Record<string, unknown>): Promise<ServiceResponse> {
    switch (op) {
      case 'AdminCreateUser':
        return this.adminCreateUser(b);
      case 'AdminSetUserPassword':
        return this.adminSetUserPassword(b);
      case 'AdminGetUser': {
        const found = this.adminUser(b);
        if ('status' in found) return found;
        // AdminGetUser names the attribute list UserAttributes (the UserType of the other operations: Attributes).
        const { Attributes, ...user } = userType(found.user);
        return jsonOk('1.1', { ...user, UserAttributes: Attributes });
      }
      case 'AdminDeleteUser': {
        const found = this.adminUser(b);
        if ('status' in found) return found;
        delete this.users[found.pool.id]?.[found.user.username];
        this.save();
        return jsonOk('1.1', {});
      }
      case 'ListUsers': {
        const pool = this.pool(b.UserPoolId);
        if (!pool) return poolNotFound(b.UserPoolId);
        return jsonOk('1.1', {
          Users: Object.values(this.users[pool.id] ?? {}).map(userType),
        });
      }
      case 'InitiateAuth':
        return this.initiateAuth(b);
      case 'RespondToAuthChallenge':
        return this.respondToAuthChallenge(b);
      default:
        return error('UnknownOperationException', `${TARGET_PREFIX}${op} is not emulated locally`);
    }
  }

  private pool(id: unknown): DeployedUserPool | undefined {
    return this.opts.pools.find((p) => p.id === id);
  }

  /** A user by username, or by email when the pool signs in with email (case-insensitively, as Cognito). */
  private findUser(pool: DeployedUserPool, name: string): StoredUser | undefined {
    const users = this.users[pool.id] ?? {};
    if (users[name]) return users[name];
    const lower = name.toLowerCase();
    return Object.values(users).find(
      (u) =>
        u.username.toLowerCase() === lower ||
        (pool.usernameAttributes.includes('email') && u.attributes.email?.toLowerCase() === lower),
    );
  }

  private adminUser(
    b: Record<string, unknown>,
  ): ServiceResponse | { pool: DeployedUserPool; user: StoredUser } {
    const pool = this.pool(b.UserPoolId);
    if (!pool) return poolNotFound(b.UserPoolId);
    if (typeof b.Username !== 'string' || !b.Username) return missing('Username');
    const user = this.findUser(pool, b.Username);
    // Administrator operations always say when a user does not exist (PreventUserExistenceErrors is a client setting).
    return user ? { pool, user } : error('UserNotFoundException', 'User does not exist.');
  }

  private async adminCreateUser(b: Record<string, unknown>): Promise<ServiceResponse> {
    const pool = this.pool(b.UserPoolId);
    if (!pool) return poolNotFound(b.UserPoolId);
    if (typeof b.Username !== 'string' || !b.Username) return missing('Username');
    const attributes: Record<string, string> = {};
    for (const a of Array.isArray(b.UserAttributes)
      ? (b.UserAttributes as { Name?: unknown; Value?: unknown }[])
      : [])
      if (typeof a?.Name === 'string') attributes[a.Name] = String(a.Value ?? '');
    const byEmail = pool.usernameAttributes.includes('email');
    if (byEmail) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(b.Username))
        return error('InvalidParameterException', 'Username should be an email.');
      attributes.email ??= b.Username;
    }
    const existing = this.findUser(pool, b.Username);
    if (b.MessageAction === 'RESEND') {
      if (!existing) return error('UserNotFoundException', 'User does not exist.');
      if (existing.status !== 'FORCE_CHANGE_PASSWORD')
        return error(
          'UnsupportedUserStateException',
          `Resend not possible. ${existing.username} status is not FORCE_CHANGE_PASSWORD`,
        );
    } else if (existing)
      return error(
        'UsernameExistsException',
        byEmail ? 'An account with the given email already exists.' : 'User account already exists',
      );
    const temporary = typeof b.TemporaryPassword === 'string' ? b.TemporaryPassword : temporaryPassword();
    const violation = passwordPolicyViolation(pool.passwordPolicy, temporary);
    if (violation) return error('InvalidPasswordException', violation);
    const now = this.now();
    const sub = existing?.sub ?? randomUUID();
    const user: StoredUser = {
      // With email sign-in the username is generated (Cognito uses the sub), never the email.
      username: existing?.username ?? (byEmail ? sub : b.Username),
      sub,
      attributes: { ...existing?.attributes, ...attributes, sub },
      password: await hashPassword(temporary),
      status: 'FORCE_CHANGE_PASSWORD',
      enabled: true,
      createdAt: existing?.createdAt ?? now,
      modifiedAt: now,
      passwordSetAt: now,
    };
    this.users[pool.id] = { ...this.users[pool.id], [user.username]: user };
    this.save();
    return jsonOk('1.1', { User: userType(user) });
  }

  private async adminSetUserPassword(b: Record<string, unknown>): Promise<ServiceResponse> {
    const found = this.adminUser(b);
    if ('status' in found) return found;
    if (typeof b.Password !== 'string' || !b.Password) return missing('Password');
    const violation = passwordPolicyViolation(found.pool.passwordPolicy, b.Password);
    if (violation) return error('InvalidPasswordException', violation);
    const now = this.now();
    Object.assign(found.user, {
      password: await hashPassword(b.Password),
      status: b.Permanent === true ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD',
      modifiedAt: now,
      passwordSetAt: now,
    });
    this.save();
    return jsonOk('1.1', {});
  }

  private client(id: unknown): { client: DeployedUserPoolClient; pool: DeployedUserPool } | ServiceResponse {
    const client = this.opts.clients.find((c) => c.clientId === id);
    const pool = client && this.pool(client.userPoolId);
    if (!client || !pool)
      return error('ResourceNotFoundException', `User pool client ${String(id ?? '')} does not exist.`);
    return { client, pool };
  }

  private async initiateAuth(b: Record<string, unknown>): Promise<ServiceResponse> {
    if (typeof b.ClientId !== 'string') return missing('ClientId');
    const found = this.client(b.ClientId);
    if ('status' in found) return found;
    const { client, pool } = found;
    const params = (b.AuthParameters ?? {}) as Record<string, unknown>;
    const flow = String(b.AuthFlow ?? '');
    if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') return this.refresh(client, pool, params);
    if (flow !== 'USER_PASSWORD_AUTH')
      return error(
        'InvalidParameterException',
        `${flow || 'AuthFlow'} is not emulated locally (USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH are)`,
      );
    if (!client.authFlows.includes('ALLOW_USER_PASSWORD_AUTH'))
      return error('InvalidParameterException', 'USER_PASSWORD_AUTH flow not enabled for this client');
    if (client.generateSecret && params.SECRET_HASH === undefined)
      return error(
        'NotAuthorizedException',
        `Client ${client.clientId} is configured for secret but secret was not received`,
      );
    if (typeof params.USERNAME !== 'string' || !params.USERNAME) return missing('USERNAME');
    if (typeof params.PASSWORD !== 'string' || !params.PASSWORD) return missing('PASSWORD');
    const user = this.findUser(pool, params.USERNAME);
    const wrong = () => error('NotAuthorizedException', 'Incorrect username or password.');
    if (!user)
      return client.preventUserExistenceErrors
        ? wrong()
        : error('UserNotFoundException', 'User does not exist.');
    if (!(await passwordMatches(params.PASSWORD, user.password))) return wrong();
    if (!user.enabled) return error('NotAuthorizedException', 'User is disabled.');
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      const validUntil = user.passwordSetAt + pool.passwordPolicy.temporaryPasswordValidityDays * 86_400_000;
      if (this.now() > validUntil)
        return error(
          'NotAuthorizedException',
          'Temporary password has expired and must be reset by an administrator.',
        );
      const session = randomBytes(48).toString('base64url');
      this.sessions.set(session, {
        poolId: pool.id,
        clientId: client.clientId,
        username: user.username,
        expiresAt: this.now() + SESSION_VALIDITY_MS,
      });
      const { sub: _sub, ...visible } = user.attributes;
      return jsonOk('1.1', {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        ChallengeParameters: {
          USER_ID_FOR_SRP: user.username,
          requiredAttributes: '[]',
          userAttributes: JSON.stringify(visible),
        },
        Session: session,
      });
    }
    return jsonOk('1.1', {
      AuthenticationResult: this.tokens(pool, client, user, true),
      ChallengeParameters: {},
    });
  }

  private refresh(
    client: DeployedUserPoolClient,
    pool: DeployedUserPool,
    params: Record<string, unknown>,
  ): ServiceResponse {
    const invalid = () => error('NotAuthorizedException', 'Invalid Refresh Token');
    if (typeof params.REFRESH_TOKEN !== 'string') return missing('REFRESH_TOKEN');
    const grant = this.refreshGrants.get(digest(params.REFRESH_TOKEN));
    if (!grant || grant.clientId !== client.clientId || grant.poolId !== pool.id) return invalid();
    if (this.now() > grant.expiresAt) return error('NotAuthorizedException', 'Refresh Token has expired');
    const user = this.users[pool.id]?.[grant.username];
    if (!user) return invalid();
    if (!user.enabled) return error('NotAuthorizedException', 'User is disabled.');
    return jsonOk('1.1', {
      AuthenticationResult: this.tokens(pool, client, user, false),
      ChallengeParameters: {},
    });
  }

  private async respondToAuthChallenge(b: Record<string, unknown>): Promise<ServiceResponse> {
    if (typeof b.ClientId !== 'string') return missing('ClientId');
    const found = this.client(b.ClientId);
    if ('status' in found) return found;
    const { client, pool } = found;
    if (b.ChallengeName !== 'NEW_PASSWORD_REQUIRED')
      return error(
        'InvalidParameterException',
        `${String(b.ChallengeName ?? 'ChallengeName')} is not emulated locally (NEW_PASSWORD_REQUIRED is)`,
      );
    const responses = (b.ChallengeResponses ?? {}) as Record<string, unknown>;
    if (typeof responses.USERNAME !== 'string') return missing('USERNAME');
    if (typeof responses.NEW_PASSWORD !== 'string') return missing('NEW_PASSWORD');
    const session = typeof b.Session === 'string' ? this.sessions.get(b.Session) : undefined;
    const user = session && this.users[pool.id]?.[session.username];
    const named = user && this.findUser(pool, responses.USERNAME);
    if (!session || session.clientId !== client.clientId || !user || named !== user)
      return error('NotAuthorizedException', 'Invalid session for the user.');
    if (this.now() > session.expiresAt) {
      this.sessions.delete(b.Session as string);
      return error('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    }
    const violation = passwordPolicyViolation(pool.passwordPolicy, responses.NEW_PASSWORD);
    if (violation) return error('InvalidPasswordException', violation);
    this.sessions.delete(b.Session as string);
    const now = this.now();
    Object.assign(user, {
      password: await hashPassword(responses.NEW_PASSWORD),
      status: 'CONFIRMED',
      modifiedAt: now,
      passwordSetAt: now,
    });
    this.save();
    return jsonOk('1.1', {
      AuthenticationResult: this.tokens(pool, client, user, true),
      ChallengeParameters: {},
    });
  }

  /** Access and id tokens with Cognito's claims, and (on sign-in) an opaque refresh token. */
  private tokens(
    pool: DeployedUserPool,
    client: DeployedUserPoolClient,
    user: StoredUser,
    withRefresh: boolean,
  ) {
    const key = this.keys[pool.id];
    if (!key) throw new Error(`no signing key for user pool ${pool.id}`);
    const iat = Math.floor(this.now() / 1000);
    const originJti = randomUUID();
    const eventId = randomUUID();
    const header = { kid: key.kid, alg: 'RS256' };
    const access = signJwt(
      header,
      {
        sub: user.sub,
        iss: pool.issuer,
        client_id: client.clientId,
        origin_jti: originJti,
        event_id: eventId,
        token_use: 'access',
        scope: 'aws.cognito.signin.user.admin',
        auth_time: iat,
        exp: iat + client.accessTokenValiditySeconds,
        iat,
        jti: randomUUID(),
        username: user.username,
      },
      key.key,
    );
    const id = signJwt(
      header,
      {
        sub: user.sub,
        ...(user.attributes.email !== undefined
          ? { email_verified: user.attributes.email_verified === 'true' }
          : {}),
        iss: pool.issuer,
        'cognito:username': user.username,
        origin_jti: originJti,
        aud: client.clientId,
        event_id: eventId,
        token_use: 'id',
        auth_time: iat,
        exp: iat + client.idTokenValiditySeconds,
        iat,
        jti: randomUUID(),
        ...(user.attributes.email !== undefined ? { email: user.attributes.email } : {}),
      },
      key.key,
    );
    let refresh: string | undefined;
    if (withRefresh) {
      // Opaque, as Cognito's (an encrypted token); kept in memory: a restart signs everybody out.
      refresh = randomBytes(64).toString('base64url');
      this.refreshGrants.set(digest(refresh), {
        poolId: pool.id,
        clientId: client.clientId,
        username: user.username,
        expiresAt: this.now() + client.refreshTokenValiditySeconds * 1000,
      });
    }
    return {
      AccessToken: access,
      ExpiresIn: client.accessTokenValiditySeconds,
      IdToken: id,
      ...(refresh ? { RefreshToken: refresh } : {}),
      TokenType: 'Bearer',
    };
  }

  private read<T>(name: string): T | undefined {
    const file = path.join(this.dir, name);
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as T;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`${file}: ${(e as Error).message}`);
    }
  }

  private save(): void {
    writeFileAtomic(path.join(this.dir, 'users.json'), `${JSON.stringify(this.users, null, 2)}\n`, {
      mode: 0o600,
    });
  }
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

const error = (type: string, message: string) => jsonError('1.1', 400, type, message);
const missing = (name: string) => error('InvalidParameterException', `Missing required parameter ${name}`);
const poolNotFound = (id: unknown) =>
  error('ResourceNotFoundException', `User pool ${String(id ?? '')} does not exist.`);

const userType = (u: StoredUser) => ({
  Username: u.username,
  Attributes: Object.entries(u.attributes).map(([Name, Value]) => ({ Name, Value })),
  UserCreateDate: u.createdAt / 1000,
  UserLastModifiedDate: u.modifiedAt / 1000,
  Enabled: u.enabled,
  UserStatus: u.status,
});

/** Cognito answers browsers from any origin (the public sign-in operations are called from web pages). */
function corsHeaders(headers: Record<string, string>): Record<string, string> {
  if (!headers.origin) return {};
  return {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers':
      headers['access-control-request-headers'] ?? 'content-type, x-amz-target, x-amz-user-agent',
    'access-control-expose-headers': 'x-amzn-requestid, x-amzn-errortype, x-amzn-errormessage, date',
    'access-control-max-age': '86400',
  };
}
