import { createPublicKey, verify } from 'node:crypto';
import type { DeployedJwtAuthorizer } from './model.js';

/**
 * API Gateway's HTTP API JWT authorizer, as its documentation describes the check: the token from the
 * identity source (with or without `Bearer `), an RSA signature by a key of the configured issuer's
 * JWKS (matched by `kid`), `iss` equal to the issuer, `aud` — or `client_id` when there is no `aud` —
 * in the audience list, `exp` after now, `nbf` and `iat` not after now, and one of the route's scopes
 * (`scope`/`scp`) when the route names any. Like API Gateway it does not look at `token_use`: an id
 * token with the right `aud` passes too. A refusal is 401 `{"message":"Unauthorized"}` with a
 * `www-authenticate` header saying why (403 `Forbidden` for a missing scope); a pass hands the claims (as strings) and scopes to the handler.
 */

export interface JwkKey {
  kid?: string;
  kty: string;
  n?: string;
  e?: string;
  alg?: string;
}

export type JwksFor = (issuer: string) => { keys: JwkKey[] } | undefined;

export type JwtCheck =
  | { ok: true; jwt: { claims: Record<string, string>; scopes: string[] | null } }
  | { ok: false; status: 401 | 403; message: 'Unauthorized' | 'Forbidden'; headers: Record<string, string> };

const ALGORITHMS: Record<string, string> = { RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512' };

/** The identity source's value: `$request.header.X` or `$request.querystring.x`. */
function identity(source: string, headers: Record<string, string>, url: string): string | undefined {
  const header = /^\$request\.header\.(.+)$/.exec(source)?.[1];
  if (header) return headers[header.toLowerCase()];
  const query = /^\$request\.querystring\.(.+)$/.exec(source)?.[1];
  if (query) return new URL(url, 'http://local').searchParams.get(query) ?? undefined;
  return undefined;
}

/** A claim as API Gateway passes it in payload 2.0: every value a string (arrays as `[a b]`). */
function claimString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(claimString).join(' ')}]`;
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function authorizeJwt(
  request: { url: string; headers: Record<string, string> },
  authorizer: Pick<DeployedJwtAuthorizer, 'issuer' | 'audience' | 'identitySource'>,
  routeScopes: readonly string[],
  jwksFor: JwksFor,
  now = Date.now(),
): JwtCheck {
  const deny = (description?: string): JwtCheck => ({
    ok: false,
    status: 401,
    message: 'Unauthorized',
    headers: description
      ? {
          'www-authenticate': `Bearer scope="${routeScopes.join(' ')}" error="invalid_token" error_description="${description}"`,
        }
      : {},
  });
  const sources = authorizer.identitySource.length
    ? authorizer.identitySource
    : ['$request.header.Authorization'];
  const values = sources.map((s) => identity(s, request.headers, request.url));
  const raw = values[0];
  // No token at all: API Gateway answers 401 without looking further (and without www-authenticate).
  if (!raw || values.some((v) => !v)) return deny();
  const token = raw.replace(/^Bearer\s+/i, '').trim();
  const parts = token.split('.');
  if (parts.length !== 3) return deny('the token is not a valid JWT');
  let header: { alg?: unknown; kid?: unknown };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString('utf8')) as typeof header;
    claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return deny('the token is not a valid JWT');
  }
  if (typeof claims !== 'object' || claims === null) return deny('the token is not a valid JWT');
  const algorithm = typeof header.alg === 'string' ? ALGORITHMS[header.alg] : undefined;
  if (!algorithm) return deny(`signing method ${String(header.alg)} is invalid`);
  const jwk = jwksFor(authorizer.issuer)?.keys.find((k) => k.kid === header.kid);
  if (!jwk) return deny('the token has an unknown kid');
  let signed = false;
  try {
    signed = verify(
      algorithm,
      Buffer.from(`${parts[0]}.${parts[1]}`),
      createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }),
      Buffer.from(parts[2] as string, 'base64url'),
    );
  } catch {
    signed = false;
  }
  if (!signed) return deny('the token has an invalid signature');
  if (claims.iss !== authorizer.issuer) return deny('the token does not have a valid issuer');
  const audiences =
    claims.aud !== undefined ? [claims.aud].flat() : claims.client_id !== undefined ? [claims.client_id] : [];
  if (!audiences.some((a) => typeof a === 'string' && authorizer.audience.includes(a)))
    return deny('the token does not have a valid audience');
  const seconds = now / 1000;
  if (typeof claims.exp !== 'number' || claims.exp <= seconds) return deny('the token has expired');
  if (typeof claims.nbf === 'number' && claims.nbf > seconds) return deny('the token is not valid yet');
  if (typeof claims.iat === 'number' && claims.iat > seconds)
    return deny('the token was issued in the future');
  const tokenScopes = [
    ...(typeof claims.scope === 'string' ? claims.scope.split(' ') : []),
    ...(Array.isArray(claims.scp)
      ? claims.scp.map(String)
      : typeof claims.scp === 'string'
        ? claims.scp.split(' ')
        : []),
  ].filter(Boolean);
  if (routeScopes.length && !routeScopes.some((s) => tokenScopes.includes(s)))
    return {
      ok: false,
      status: 403,
      message: 'Forbidden',
      headers: {
        'www-authenticate': `Bearer scope="${routeScopes.join(' ')}" error="insufficient_scope" error_description="the token does not have a valid scope"`,
      },
    };
  return {
    ok: true,
    jwt: {
      claims: Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, claimString(v)])),
      scopes: routeScopes.length ? tokenScopes : null,
    },
  };
}
