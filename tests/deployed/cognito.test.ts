import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../cli/args.js';
import { addDashboardUser } from '../../cli/users.js';
import { requestToAuthz } from '../../local/deployed/aws-gateway.js';
import { authorizeJwt } from '../../local/deployed/jwt-authorizer.js';
import { type DeployedModel, loadDeployedModel } from '../../local/deployed/model.js';
import { LocalCognito, signJwt } from '../../local/deployed/services/cognito.js';
import { serveService } from '../../local/deployed/services/protocol.js';
import { type AsDeployed, startAsDeployed } from '../../local/deployed/start.js';

// The fixture stack plus what DashboardUsers and the API's HttpUserPoolAuthorizer synthesize: a user
// pool (email sign-in, the dashboard's password policy), its web client (no secret, user-password
// auth, no user-existence errors), a second client of the same pool, and a JWT route.
const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'assembly');
const work = mkdtempSync(path.join(tmpdir(), 'bie-cognito-'));
const REGION = 'us-east-1';

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

function dashboardAssembly(target: string): string {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(FIXTURE)) {
    const from = path.join(FIXTURE, entry);
    const to = path.join(target, entry);
    if (entry === 'asset.f1a') {
      // The API's function answers with what API Gateway handed it: the authorizer's claims.
      mkdirSync(to);
      writeFileSync(
        path.join(to, 'index.mjs'),
        'export const handler = async (event) => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ routeKey: event.routeKey, authorizer: event.requestContext.authorizer ?? null }) });\n',
      );
    } else if (entry.startsWith('asset.')) symlinkSync(from, to);
    else if (entry === 'Fixture-dev.template.json') {
      const t = JSON.parse(readFileSync(from, 'utf8')) as Template;
      Object.assign(t.Resources, {
        DashboardUsersPool: {
          Type: 'AWS::Cognito::UserPool',
          Properties: {
            AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
            UsernameAttributes: ['email'],
            Policies: {
              PasswordPolicy: {
                MinimumLength: 12,
                RequireLowercase: true,
                RequireNumbers: true,
                RequireSymbols: true,
                RequireUppercase: true,
                TemporaryPasswordValidityDays: 3,
              },
            },
          },
        },
        DashboardUsersPoolWeb: {
          Type: 'AWS::Cognito::UserPoolClient',
          Properties: {
            UserPoolId: { Ref: 'DashboardUsersPool' },
            ExplicitAuthFlows: [
              'ALLOW_USER_PASSWORD_AUTH',
              'ALLOW_USER_SRP_AUTH',
              'ALLOW_REFRESH_TOKEN_AUTH',
            ],
            GenerateSecret: false,
            PreventUserExistenceErrors: 'ENABLED',
            AccessTokenValidity: 60,
            IdTokenValidity: 60,
            RefreshTokenValidity: 10080,
            TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
          },
        },
        DashboardUsersPoolOther: {
          Type: 'AWS::Cognito::UserPoolClient',
          Properties: {
            UserPoolId: { Ref: 'DashboardUsersPool' },
            ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
            PreventUserExistenceErrors: 'LEGACY',
          },
        },
        ApiDashboardUsers: {
          Type: 'AWS::ApiGatewayV2::Authorizer',
          Properties: {
            ApiId: { Ref: 'Api' },
            AuthorizerType: 'JWT',
            IdentitySource: ['$request.header.Authorization'],
            JwtConfiguration: {
              Audience: [{ Ref: 'DashboardUsersPoolWeb' }],
              Issuer: {
                'Fn::Join': [
                  '',
                  [
                    'https://cognito-idp.',
                    { Ref: 'AWS::Region' },
                    '.amazonaws.com/',
                    { Ref: 'DashboardUsersPool' },
                  ],
                ],
              },
            },
            Name: 'DashboardUsers',
          },
        },
        RouteGetDashboardCampaigns: {
          Type: 'AWS::ApiGatewayV2::Route',
          Properties: {
            ApiId: { Ref: 'Api' },
            AuthorizationType: 'JWT',
            AuthorizerId: { Ref: 'ApiDashboardUsers' },
            RouteKey: 'GET /dashboard/campaigns',
            Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'ApiIntegration' }]] },
          },
        },
      });
      writeFileSync(to, JSON.stringify(t));
    } else copyFileSync(from, to);
  }
  return target;
}

const cdkOut = dashboardAssembly(path.join(work, 'cdk.out'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A call as web/src/auth.ts (or an unsigned SDK client) makes it. */
async function call(endpoint: string, action: string, body: unknown, origin?: string) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
      ...(origin ? { origin } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

/** A Cognito error answer: HTTP 400 with the type in `__type` and `x-amzn-errortype`. */
function expectError(answer: Awaited<ReturnType<typeof call>>, type: string, message?: string): void {
  expect(answer.status).toBe(400);
  expect(answer.headers.get('x-amzn-errortype')).toBe(type);
  expect(answer.json).toMatchObject({ __type: type, ...(message === undefined ? {} : { message }) });
}

const decode = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

interface Tokens {
  AccessToken: string;
  IdToken: string;
  RefreshToken?: string;
  ExpiresIn: number;
  TokenType: string;
}

describe('the local Cognito user pool (the protocol the dashboard signs in with)', () => {
  let model: DeployedModel;
  let cognito: LocalCognito;
  let server: { url: string; close(): Promise<void> };
  let now = Date.UTC(2026, 10, 29, 12);
  const dataDir = path.join(work, 'protocol');
  let poolId: string;
  let webClient: string;
  let otherClient: string;

  beforeAll(async () => {
    model = loadDeployedModel(cdkOut, { apiUrl: 'http://127.0.0.1:1' });
    poolId = model.userPools[0]?.id ?? '';
    webClient = model.userPoolClients.find((c) => c.logicalId === 'DashboardUsersPoolWeb')?.clientId ?? '';
    otherClient =
      model.userPoolClients.find((c) => c.logicalId === 'DashboardUsersPoolOther')?.clientId ?? '';
    cognito = new LocalCognito({
      pools: model.userPools,
      clients: model.userPoolClients,
      dataDir,
      now: () => now,
    });
    server = await serveService(cognito.handle);
  });
  afterAll(() => server.close());

  const admin = (action: string, body: Record<string, unknown>) =>
    call(server.url, action, { UserPoolId: poolId, ...body });
  const signIn = (username: string, password: string, clientId = webClient) =>
    call(server.url, 'InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    });

  it('reads the pool, its password policy and its clients from the template', () => {
    // Assess
    expect(poolId).toMatch(/^us-east-1_[0-9A-Za-z]{9}$/);
    expect(model.userPools[0]).toMatchObject({
      issuer: `https://cognito-idp.${REGION}.amazonaws.com/${poolId}`,
      usernameAttributes: ['email'],
      passwordPolicy: { minimumLength: 12, requireSymbols: true, temporaryPasswordValidityDays: 3 },
    });
    expect(model.userPoolClients.find((c) => c.clientId === webClient)).toMatchObject({
      preventUserExistenceErrors: true,
      accessTokenValiditySeconds: 3600,
      refreshTokenValiditySeconds: 7 * 86_400,
    });
    expect(model.jwtAuthorizers[0]).toMatchObject({
      issuer: `https://cognito-idp.${REGION}.amazonaws.com/${poolId}`,
      audience: [webClient],
      identitySource: ['$request.header.Authorization'],
    });
  });

  it('creates a user with a temporary password and asks for a new password at the first sign-in', async () => {
    // Act
    const created = await admin('AdminCreateUser', {
      Username: 'ana@example.com',
      TemporaryPassword: 'Temporary-Pass-1',
      MessageAction: 'SUPPRESS',
    });
    const first = await signIn('ana@example.com', 'Temporary-Pass-1');
    // Assess
    expect(created.status).toBe(200);
    const user = created.json.User as {
      Username: string;
      UserStatus: string;
      Attributes: { Name: string; Value: string }[];
    };
    expect(user.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    expect(user.Username).toMatch(/^[0-9a-f-]{36}$/); // email sign-in: Cognito generates the username
    expect(user.Attributes).toContainEqual({ Name: 'email', Value: 'ana@example.com' });
    expect(first.status).toBe(200);
    expect(first.json.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(first.json.AuthenticationResult).toBeUndefined();
    expect(first.json.ChallengeParameters).toMatchObject({ USER_ID_FOR_SRP: user.Username });
    expect(typeof first.json.Session).toBe('string');
  });

  it('refuses a new password the pool policy refuses, then takes a conforming one and signs the user in', async () => {
    // Prepare
    const first = await signIn('ana@example.com', 'Temporary-Pass-1');
    const respond = (password: string) =>
      call(server.url, 'RespondToAuthChallenge', {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        ClientId: webClient,
        Session: first.json.Session,
        ChallengeResponses: { USERNAME: 'ana@example.com', NEW_PASSWORD: password },
      });
    // Act
    const short = await respond('Short-1');
    const noSymbol = await respond('NoSymbolsHere123');
    const accepted = await respond('Ana-own-password-9');
    const again = await respond('Ana-own-password-9');
    const withNew = await signIn('ANA@example.com', 'Ana-own-password-9');
    const withTemporary = await signIn('ana@example.com', 'Temporary-Pass-1');
    // Assess
    expectError(
      short,
      'InvalidPasswordException',
      'Password does not conform to policy: Password not long enough',
    );
    expectError(
      noSymbol,
      'InvalidPasswordException',
      'Password does not conform to policy: Password must have symbol characters',
    );
    expect(accepted.status).toBe(200);
    expect((accepted.json.AuthenticationResult as Tokens).TokenType).toBe('Bearer');
    expectError(again, 'NotAuthorizedException'); // a session is used once
    expect(withNew.status).toBe(200);
    expect((withNew.json.AuthenticationResult as Tokens).ExpiresIn).toBe(3600);
    expectError(withTemporary, 'NotAuthorizedException', 'Incorrect username or password.');
  });

  it('answers a wrong password and an unknown user alike when the client prevents user-existence errors', async () => {
    // Act
    const wrong = await signIn('ana@example.com', 'Not-her-password-1');
    const unknown = await signIn('nobody@example.com', 'Whatever-pass-1');
    const unknownLegacy = await signIn('nobody@example.com', 'Whatever-pass-1', otherClient);
    const noClient = await signIn('ana@example.com', 'Ana-own-password-9', 'nosuchclient');
    // Assess
    expectError(wrong, 'NotAuthorizedException', 'Incorrect username or password.');
    expect(unknown.json).toEqual(wrong.json);
    expectError(unknownLegacy, 'UserNotFoundException', 'User does not exist.');
    expectError(noClient, 'ResourceNotFoundException');
  });

  it("issues RS256 tokens with Cognito's claims that the pool's JWKS verifies", async () => {
    // Prepare
    const tokens = (await signIn('ana@example.com', 'Ana-own-password-9')).json
      .AuthenticationResult as Tokens;
    // Act
    const res = await fetch(`${server.url}/${poolId}/.well-known/jwks.json`);
    const jwks = (await res.json()) as {
      keys: { kid: string; kty: string; n: string; e: string; alg: string }[];
    };
    const key = (jwt: string) => {
      const header = JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString()) as {
        kid: string;
        alg: string;
      };
      const jwk = jwks.keys.find((k) => k.kid === header.kid);
      return { header, publicKey: jwk ? createPublicKey({ key: jwk, format: 'jwk' }) : undefined };
    };
    const verifies = (jwt: string, publicKey?: KeyObject) => {
      const [h, p, s] = jwt.split('.');
      return (
        Boolean(publicKey) &&
        verify(
          'RSA-SHA256',
          Buffer.from(`${h}.${p}`),
          publicKey as KeyObject,
          Buffer.from(s ?? '', 'base64url'),
        )
      );
    };
    // Assess
    const issuer = `https://cognito-idp.${REGION}.amazonaws.com/${poolId}`;
    const access = decode(tokens.AccessToken);
    const id = decode(tokens.IdToken);
    expect(access).toMatchObject({
      iss: issuer,
      client_id: webClient,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
    });
    expect(access.username).toBe(access.sub);
    expect((access.exp as number) - (access.iat as number)).toBe(3600);
    expect(access.iat).toBe(Math.floor(now / 1000));
    expect(access.aud).toBeUndefined();
    expect(id).toMatchObject({
      iss: issuer,
      aud: webClient,
      token_use: 'id',
      email: 'ana@example.com',
      sub: access.sub,
    });
    expect(id['cognito:username']).toBe(access.username);
    const a = key(tokens.AccessToken);
    expect(a.header.alg).toBe('RS256');
    expect(verifies(tokens.AccessToken, a.publicKey)).toBe(true);
    expect(verifies(tokens.IdToken, key(tokens.IdToken).publicKey)).toBe(true);
    const [h, , s] = tokens.AccessToken.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...access, username: 'admin' })).toString('base64url')}.${s}`;
    expect(verifies(tampered, a.publicKey)).toBe(false);
  });

  it('refreshes tokens with the refresh token of the same client only', async () => {
    // Prepare
    const tokens = (await signIn('ana@example.com', 'Ana-own-password-9')).json
      .AuthenticationResult as Tokens;
    const refresh = (clientId: string) =>
      call(server.url, 'InitiateAuth', {
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: clientId,
        AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
      });
    // Act
    const ok = await refresh(webClient);
    const other = await refresh(otherClient);
    // Assess
    expect(ok.status).toBe(200);
    expect((ok.json.AuthenticationResult as Tokens).RefreshToken).toBeUndefined();
    expect(decode((ok.json.AuthenticationResult as Tokens).AccessToken).sub).toBe(
      decode(tokens.AccessToken).sub,
    );
    expect(other.json).toMatchObject({ __type: 'NotAuthorizedException', message: 'Invalid Refresh Token' });
  });

  it('refuses duplicate users, non-email usernames and temporary passwords the policy refuses', async () => {
    // Act
    const duplicate = await admin('AdminCreateUser', {
      Username: 'Ana@Example.com',
      TemporaryPassword: 'Temporary-Pass-2',
    });
    const notEmail = await admin('AdminCreateUser', {
      Username: 'ana',
      TemporaryPassword: 'Temporary-Pass-2',
    });
    const weak = await admin('AdminCreateUser', { Username: 'bo@example.com', TemporaryPassword: 'weak' });
    const noPool = await call(server.url, 'AdminCreateUser', {
      UserPoolId: 'us-east-1_nope',
      Username: 'x@example.com',
    });
    // Assess
    expectError(duplicate, 'UsernameExistsException', 'An account with the given email already exists.');
    expectError(notEmail, 'InvalidParameterException', 'Username should be an email.');
    expect(weak.json.__type).toBe('InvalidPasswordException');
    expectError(noPool, 'ResourceNotFoundException', 'User pool us-east-1_nope does not exist.');
    expect((await signIn('bo@example.com', 'weak')).json.__type).toBe('NotAuthorizedException');
  });

  it('expires a temporary password after the policy days and a challenge session after three minutes', async () => {
    // Prepare
    await admin('AdminCreateUser', { Username: 'cy@example.com', TemporaryPassword: 'Temporary-Pass-3' });
    const challenge = await signIn('cy@example.com', 'Temporary-Pass-3');
    // Act
    now += 3 * 60_000 + 1;
    const late = await call(server.url, 'RespondToAuthChallenge', {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      ClientId: webClient,
      Session: challenge.json.Session,
      ChallengeResponses: { USERNAME: 'cy@example.com', NEW_PASSWORD: 'Cy-own-password-1' },
    });
    now += 3 * 86_400_000;
    const expired = await signIn('cy@example.com', 'Temporary-Pass-3');
    const reset = await admin('AdminSetUserPassword', {
      Username: 'cy@example.com',
      Password: 'Cy-set-by-admin-1',
      Permanent: true,
    });
    const afterReset = await signIn('cy@example.com', 'Cy-set-by-admin-1');
    // Assess
    expectError(late, 'NotAuthorizedException', 'Invalid session for the user, session is expired.');
    expectError(
      expired,
      'NotAuthorizedException',
      'Temporary password has expired and must be reset by an administrator.',
    );
    expect(reset.status).toBe(200);
    expect(afterReset.json.AuthenticationResult).toBeDefined();
    expect(
      (await admin('AdminSetUserPassword', { Username: 'zed@example.com', Password: 'Zed-password-12' })).json
        .__type,
    ).toBe('UserNotFoundException');
  });

  it('keeps users (scrypt hashes, never the password) and signing keys in the data directory', async () => {
    // Prepare
    const before = await fetch(`${server.url}/${poolId}/.well-known/jwks.json`).then((r) => r.json());
    // Act
    const restarted = new LocalCognito({
      pools: model.userPools,
      clients: model.userPoolClients,
      dataDir,
      now: () => now,
    });
    const again = await serveService(restarted.handle);
    const signedIn = await signIn('ana@example.com', 'Ana-own-password-9').then(() =>
      call(again.url, 'InitiateAuth', {
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: webClient,
        AuthParameters: { USERNAME: 'ana@example.com', PASSWORD: 'Ana-own-password-9' },
      }),
    );
    const after = await fetch(`${again.url}/${poolId}/.well-known/jwks.json`).then((r) => r.json());
    await again.close();
    // Assess
    expect(signedIn.json.AuthenticationResult).toBeDefined();
    expect(after).toEqual(before);
    const stored = readFileSync(path.join(dataDir, 'cognito', 'users.json'), 'utf8');
    expect(stored).not.toContain('Ana-own-password-9');
    expect(stored).not.toContain('Temporary-Pass');
    expect(stored).toMatch(/"password": "scrypt\$/);
  });
});

describe('the dashboard routes as deployed (API Gateway JWT authorizer over the local user pool)', () => {
  let app: AsDeployed;
  let api: string;
  const dataDir = path.join(work, 'as-deployed');

  beforeAll(async () => {
    app = await startAsDeployed({ dataDir, cdkOut, schedules: false, resume: false, log: () => undefined });
    api = app.runtime.info.apiUrl;
  }, 60_000);
  afterAll(() => app?.stop());

  const campaigns = (authorization?: string) =>
    fetch(`${api}/dashboard/campaigns`, { headers: authorization ? { authorization } : {} });

  /** `bie users add`, then the dashboard's own first sign-in through the gateway. */
  async function invitedUser(email: string, clientId = app.dashboardAuth?.clientId) {
    const added = await addDashboardUser(dataDir, email);
    const endpoint = app.dashboardAuth?.endpoint ?? '';
    const first = await call(endpoint, 'InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: email, PASSWORD: added.temporaryPassword },
    });
    const done = await call(endpoint, 'RespondToAuthChallenge', {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      ClientId: clientId,
      Session: first.json.Session,
      ChallengeResponses: { USERNAME: email, NEW_PASSWORD: 'Reviewer-pass-2026' },
    });
    return { added, tokens: done.json.AuthenticationResult as Tokens };
  }

  it('names the local user pool, web client and Cognito endpoint for the dashboard', () => {
    // Assess
    const pool = app.model.userPools[0];
    const web = app.model.userPoolClients.find((c) => c.logicalId === 'DashboardUsersPoolWeb');
    expect(app.dashboardAuth).toEqual({
      region: REGION,
      userPoolId: pool?.id,
      clientId: web?.clientId,
      endpoint: `${app.awsEndpoint}/`,
    });
  });

  it('invites a user with `bie users add` and lets the browser sign in through the gateway (CORS)', async () => {
    // Act
    const { added, tokens } = await invitedUser('dee@example.com');
    const preflight = await fetch(app.dashboardAuth?.endpoint ?? '', {
      method: 'OPTIONS',
      headers: {
        origin: api,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-amz-target',
      },
    });
    const fromPage = await call(
      app.dashboardAuth?.endpoint ?? '',
      'InitiateAuth',
      {
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: app.dashboardAuth?.clientId,
        AuthParameters: { USERNAME: 'dee@example.com', PASSWORD: 'Reviewer-pass-2026' },
      },
      api,
    );
    const unsignedAdmin = await call(app.dashboardAuth?.endpoint ?? '', 'AdminCreateUser', {
      UserPoolId: added.userPoolId,
      Username: 'eve@example.com',
    });
    // Assess
    expect(added).toMatchObject({ email: 'dee@example.com', status: 'FORCE_CHANGE_PASSWORD' });
    expect(added.temporaryPassword).toHaveLength(20);
    expect(tokens.AccessToken).toBeDefined();
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-amz-target');
    expect(fromPage.status).toBe(200);
    expect(fromPage.headers.get('access-control-allow-origin')).toBe('*');
    expect(unsignedAdmin.status).toBe(400); // administrator operations need the operator's signature
    expect(app.denials().some((d) => d.principal === 'anonymous')).toBe(true);
  });

  it('answers 401 without a token, with a forged, an expired or another client’s token', async () => {
    // Prepare
    const { tokens } = await invitedUser('fay@example.com');
    const pool = app.model.userPools[0]?.id ?? '';
    const other = app.model.userPoolClients.find((c) => c.logicalId === 'DashboardUsersPoolOther')?.clientId;
    const otherTokens = (
      await call(app.dashboardAuth?.endpoint ?? '', 'InitiateAuth', {
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: other,
        AuthParameters: { USERNAME: 'fay@example.com', PASSWORD: 'Reviewer-pass-2026' },
      })
    ).json.AuthenticationResult as Tokens;
    const claims = decode(tokens.AccessToken);
    const header = JSON.parse(
      Buffer.from(tokens.AccessToken.split('.')[0] ?? '', 'base64url').toString(),
    ) as Record<string, unknown>;
    // Same claims and kid, another key: what an attacker without the pool's key can make.
    const forged = signJwt(header, claims, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    // The pool's own key (from the data directory), the token an hour old: only `exp` is wrong.
    const poolKey = createPrivateKey(
      (
        JSON.parse(readFileSync(path.join(dataDir, 'cognito', 'keys.json'), 'utf8')) as Record<
          string,
          { privateKeyPem: string }
        >
      )[pool]?.privateKeyPem ?? '',
    );
    const stale = { ...claims, iat: (claims.iat as number) - 7200, exp: (claims.iat as number) - 3600 };
    const expired = signJwt(header, stale, poolKey);
    const resigned = signJwt(header, claims, poolKey);
    // Act
    const answers = {
      none: await campaigns(),
      garbage: await campaigns('Bearer not-a-jwt'),
      forged: await campaigns(`Bearer ${forged}`),
      expired: await campaigns(`Bearer ${expired}`),
      otherClient: await campaigns(`Bearer ${otherTokens.AccessToken}`),
      resigned: await campaigns(`Bearer ${resigned}`),
    };
    // Assess
    for (const name of ['none', 'garbage', 'forged', 'expired', 'otherClient'] as const) {
      expect(answers[name].status, name).toBe(401);
      expect(await answers[name].json(), name).toEqual({ message: 'Unauthorized' });
    }
    expect(answers.forged.headers.get('www-authenticate')).toContain('invalid signature');
    expect(answers.expired.headers.get('www-authenticate')).toContain('expired');
    expect(answers.otherClient.headers.get('www-authenticate')).toContain('audience');
    expect(answers.resigned.status).toBe(200); // the key and claims are right: only what was changed is refused
  });

  it("answers 200 with a signed-in user's token and hands the handler the claims as API Gateway does", async () => {
    // Prepare
    const { added, tokens } = await invitedUser('gus@example.com');
    // Act
    const withBearer = await campaigns(`Bearer ${tokens.AccessToken}`);
    const bare = await campaigns(tokens.AccessToken);
    const idToken = await campaigns(`Bearer ${tokens.IdToken}`);
    // Assess
    expect(withBearer.status).toBe(200);
    const seen = (await withBearer.json()) as {
      routeKey: string;
      authorizer: { jwt: { claims: Record<string, string>; scopes: string[] | null } };
    };
    expect(seen.routeKey).toBe('GET /dashboard/campaigns');
    expect(seen.authorizer.jwt.claims).toMatchObject({
      client_id: app.dashboardAuth?.clientId,
      username: added.username,
      token_use: 'access',
      iss: `https://cognito-idp.${REGION}.amazonaws.com/${added.userPoolId}`,
    });
    expect(seen.authorizer.jwt.claims.exp).toMatch(/^\d+$/); // payload 2.0 passes every claim as a string
    expect(seen.authorizer.jwt.scopes).toBeNull();
    expect(bare.status).toBe(200);
    // API Gateway does not tell token kinds apart: an id token of the web client has the right `aud`.
    expect(idToken.status).toBe(200);
  });
});

describe('bie users add', () => {
  it('takes the new user’s email and the data directory', () => {
    // Act
    const cmd = parseCommand(['users', 'add', 'hal@example.com', '--data', 'd']);
    // Assess
    expect(cmd).toEqual({ kind: 'users-add', email: 'hal@example.com', data: 'd', json: false });
    expect(() => parseCommand(['users', 'add', 'hal'])).toThrow(UsageError);
    expect(() => parseCommand(['users', 'remove', 'hal@example.com'])).toThrow(UsageError);
  });

  it('refuses when no as-deployed runtime serves the data directory', async () => {
    // Act / Assess
    await expect(addDashboardUser(path.join(work, 'nothing-here'), 'hal@example.com')).rejects.toThrow(
      /no as-deployed runtime is serving/,
    );
  });
});

describe('the JWT authorizer (API Gateway’s checks, one at a time)', () => {
  const issuer = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test12345';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = {
    ...(publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string }),
    kid: 'k1',
  };
  const jwksFor = (iss: string) => (iss === issuer ? { keys: [jwk] } : undefined);
  const authorizer = { issuer, audience: ['client-a'], identitySource: ['$request.header.Authorization'] };
  const now = Date.UTC(2026, 10, 29, 12);
  const at = Math.floor(now / 1000);
  const token = (
    claims: Record<string, unknown>,
    header: Record<string, unknown> = { kid: 'k1', alg: 'RS256' },
  ) =>
    signJwt(header, { iss: issuer, client_id: 'client-a', iat: at, exp: at + 3600, ...claims }, privateKey);
  const check = (jwt: string, scopes: string[] = [], source = authorizer) =>
    authorizeJwt({ url: '/x', headers: { authorization: `Bearer ${jwt}` } }, source, scopes, jwksFor, now);

  it('passes a valid token and refuses each claim API Gateway checks', () => {
    // Act / Assess
    expect(check(token({})).ok).toBe(true);
    expect(check(token({ aud: 'client-a', client_id: 'other' })).ok).toBe(true); // aud wins over client_id
    expect(check(token({ aud: 'other', client_id: 'client-a' })).ok).toBe(false);
    expect(check(token({ iss: `${issuer}x` })).ok).toBe(false);
    expect(check(token({ exp: at })).ok).toBe(false);
    expect(check(token({ nbf: at + 60 })).ok).toBe(false);
    expect(check(token({ iat: at + 60 })).ok).toBe(false);
    expect(check(token({}, { kid: 'unknown', alg: 'RS256' })).ok).toBe(false);
    expect(check(token({}, { kid: 'k1', alg: 'HS256' })).ok).toBe(false);
    expect(check(token({}), [], { ...authorizer, issuer: 'https://elsewhere.example.com' }).ok).toBe(false);
  });

  it('requires one of the route’s scopes (403) and reads a query-string identity source', () => {
    // Act
    const missingScope = check(token({ scope: 'aws.cognito.signin.user.admin' }), ['campaigns/read']);
    const withScope = check(token({ scope: 'openid campaigns/read' }), ['campaigns/read']);
    const fromQuery = authorizeJwt(
      { url: `/x?token=${token({})}`, headers: {} },
      { ...authorizer, identitySource: ['$request.querystring.token'] },
      [],
      jwksFor,
      now,
    );
    // Assess
    expect(missingScope).toMatchObject({ ok: false, status: 403, message: 'Forbidden' });
    expect(withScope).toMatchObject({ ok: true, jwt: { scopes: ['openid', 'campaigns/read'] } });
    expect(fromQuery.ok).toBe(true);
  });

  it('authorizes administrator calls as cognito-idp actions on the pool', () => {
    // Act
    const needs = requestToAuthz(
      'cognito-idp',
      'POST',
      '/',
      { 'x-amz-target': 'AWSCognitoIdentityProviderService.AdminCreateUser' },
      Buffer.from(JSON.stringify({ UserPoolId: 'us-east-1_Test12345', Username: 'a@example.com' })),
    );
    // Assess
    expect(needs).toEqual([
      {
        action: 'cognito-idp:AdminCreateUser',
        resources: ['arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Test12345'],
      },
    ]);
  });
});
