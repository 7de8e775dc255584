import { z } from 'zod';
import type { Platform } from '../../contracts/index.js';
import {
  type EngagementFetcher,
  type EngagementSnapshot,
  ProviderRetryableError,
} from '../../ports/index.js';

/**
 * What every platform adapter shares: bearer tokens refreshed once on 401, 429 answered by waiting
 * (Retry-After), and errors that name the platform. The adapters speak plain `fetch` so the same code
 * talks to the platforms and to the local servers of the contract tests.
 */

export type PlatformName = Platform | 'blotato';

/** The platform refused the post for good (bad request, policy, quota): retrying will not help. */
export class PlatformPublishError extends Error {
  constructor(
    readonly platform: PlatformName,
    message: string,
    readonly status?: number,
    /** The platform's whole answer, for callers that read its error codes. */
    readonly body?: string,
  ) {
    super(`${platform}: ${message}`);
    this.name = 'PlatformPublishError';
  }
}

/** The platform rejected the credentials even after a token refresh: a person must re-authorize. */
export class PlatformAuthError extends Error {
  constructor(
    readonly platform: PlatformName,
    message: string,
  ) {
    super(`${platform}: ${message}`);
    this.name = 'PlatformAuthError';
  }
}

/** A bearer token that can be renewed (OAuth refresh grant) when the platform says it expired. */
export interface AccessToken {
  token(): Promise<string>;
  /** A new token, or an error saying why none can be had. */
  refresh(): Promise<string>;
}

/** What Secrets Manager (or the local environment) holds per platform for the refresh grant. */
export const OAuthClient = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  /** The refresh token (Meta: the long-lived user token that `fb_exchange_token` renews). */
  refresh_token: z.string().min(1),
  /** A current access token, if one was stored with the client. */
  access_token: z.string().min(1).optional(),
});
export type OAuthClient = z.infer<typeof OAuthClient>;

export type FetchLike = typeof fetch;
export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** How each platform's token endpoint takes a refresh grant (all answer JSON with `access_token`). */
function refreshRequest(platform: PlatformName, tokenUrl: string, c: OAuthClient): [string, RequestInit] {
  const form = (fields: Record<string, string>): [string, RequestInit] => [
    tokenUrl,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    },
  ];
  switch (platform) {
    case 'tiktok':
      // TikTok names the client id `client_key` (POST /v2/oauth/token/).
      return form({
        client_key: c.client_id,
        client_secret: c.client_secret,
        grant_type: 'refresh_token',
        refresh_token: c.refresh_token,
      });
    case 'instagram': {
      // Meta renews a long-lived user token by exchanging it (GET /oauth/access_token).
      const url = new URL(tokenUrl);
      url.searchParams.set('grant_type', 'fb_exchange_token');
      url.searchParams.set('client_id', c.client_id);
      url.searchParams.set('client_secret', c.client_secret);
      url.searchParams.set('fb_exchange_token', c.refresh_token);
      return [url.toString(), { method: 'GET' }];
    }
    default:
      // Google (oauth2.googleapis.com/token) and LinkedIn (/oauth/v2/accessToken): RFC 6749 §6.
      return form({
        grant_type: 'refresh_token',
        refresh_token: c.refresh_token,
        client_id: c.client_id,
        client_secret: c.client_secret,
      });
  }
}

/** What a token endpoint answers to a refresh grant (TikTok and LinkedIn also name the refresh token). */
const GrantAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
});

/** How long a refused grant waits for another container's rotation to reach the secret (ms, in turn). */
const ROTATION_WAITS_MS = [0, 1_000, 2_000];

/**
 * A token from configuration (an access token locally; the OAuth client and refresh token from Secrets
 * Manager on AWS). Without a stored access token the first call refreshes; a refresh without a client
 * is a clear error naming the platform.
 *
 * Refresh tokens rotate (TikTok: the one sent stops working once a new one is issued; Meta: the exchange
 * returns the next long-lived token), so every grant stores the new tokens with the client (`store`), and
 * a grant is made with the client read afresh. A grant refused because another container rotated the
 * refresh token meanwhile is made again with the rotated one.
 */
export class OAuthAccessToken implements AccessToken {
  private current?: Promise<string>;

  constructor(
    private readonly platform: PlatformName,
    private readonly opts: {
      accessToken?: string;
      /** The stored client; `fresh`: read it again, not from a cache. */
      client?: (opts?: { fresh?: boolean }) => Promise<OAuthClient | undefined>;
      /** Keeps the client with the tokens of the last grant (Secrets Manager on AWS). */
      store?: (client: OAuthClient) => Promise<void>;
      tokenUrl: string;
      fetch?: FetchLike;
      sleep?: Sleep;
    },
  ) {
    if (opts.accessToken) this.current = Promise.resolve(opts.accessToken);
  }

  token(): Promise<string> {
    if (!this.current) {
      const first = this.client().then((c) => c.access_token ?? this.refresh());
      this.current = first;
      // A failure is not kept: the next call (a secret set meanwhile) tries again.
      first.catch(() => {
        if (this.current === first) this.current = undefined;
      });
    }
    return this.current;
  }

  async refresh(): Promise<string> {
    const next = this.renew();
    this.current = next;
    next.catch(() => {
      if (this.current === next) this.current = undefined;
    });
    return next;
  }

  private async client(fresh = false): Promise<OAuthClient> {
    const c = await this.opts.client?.({ fresh });
    if (!c) {
      throw new PlatformAuthError(
        this.platform,
        'the access token was refused or is missing and no OAuth client with a refresh token is configured',
      );
    }
    return c;
  }

  private async renew(): Promise<string> {
    let client = await this.client(true);
    let answer = await this.grant(client);
    // Refused: another container may have just rotated the refresh token (its write lands in a moment).
    for (const wait of ROTATION_WAITS_MS) {
      if (answer.ok) break;
      await (this.opts.sleep ?? realSleep)(wait);
      const stored = await this.client(true);
      if (stored.refresh_token === client.refresh_token) continue;
      client = stored;
      answer = await this.grant(client);
    }
    if (!answer.ok) {
      throw new PlatformAuthError(
        this.platform,
        `refreshing the access token failed (HTTP ${answer.status}): ${answer.text.slice(0, 300)}`,
      );
    }
    const { access_token, refresh_token } = answer.tokens;
    // Meta's exchange answers the next long-lived token, which is also what renews it next time.
    const next: OAuthClient = {
      ...client,
      access_token,
      refresh_token: refresh_token ?? (this.platform === 'instagram' ? access_token : client.refresh_token),
    };
    await this.opts.store?.(next);
    return access_token;
  }

  private async grant(
    client: OAuthClient,
  ): Promise<
    { ok: true; tokens: z.infer<typeof GrantAnswer> } | { ok: false; status: number; text: string }
  > {
    const [url, init] = refreshRequest(this.platform, this.opts.tokenUrl, client);
    const res = await (this.opts.fetch ?? fetch)(url, init);
    const text = await res.text();
    const parsed = GrantAnswer.safeParse(safeJson(text));
    return res.ok && parsed.success
      ? { ok: true, tokens: parsed.data }
      : { ok: false, status: res.status, text };
  }
}

export const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

export interface CallOptions {
  /** Send the bearer token (default true; upload URLs that carry their own signature say false). */
  auth?: boolean;
  /** Statuses the caller handles itself (e.g. YouTube's 308, 404 of a lost session). */
  accept?: number[];
  /**
   * Not idempotent (creating a post): a 5xx may have created it, so it is not repeated here; the
   * caller's progress decides on the next attempt. 429 is still waited out (nothing was done).
   */
  once?: boolean;
}

export interface PlatformHttpOptions {
  fetch?: FetchLike;
  sleep?: Sleep;
  /** 429 and 5xx answers waited out before giving up with a retryable error (default 3). */
  retries?: number;
  /** Longest wait honoured inside one call; a longer Retry-After goes back to the caller (default 60 s). */
  maxWaitSeconds?: number;
  /** Extra headers of every call (LinkedIn-Version, ...). */
  headers?: Record<string, string>;
  /** A refused token that is not a 401 (Meta answers 400 with OAuthException code 190). */
  authFailure?: (status: number, body: string) => boolean;
  /** How the credential travels (default `Authorization: Bearer`). */
  authHeader?: (token: string) => Record<string, string>;
}

/** One platform's HTTP client: auth, refresh-once-on-401, 429/5xx back-off, errors naming the platform. */
export class PlatformHttp {
  private readonly fetch: FetchLike;
  private readonly sleep: Sleep;

  constructor(
    readonly platform: PlatformName,
    private readonly credentials: AccessToken,
    private readonly opts: PlatformHttpOptions = {},
  ) {
    this.fetch = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? realSleep;
  }

  /** A call whose JSON answer is parsed with `schema`. */
  async json<S extends z.ZodType>(
    url: string,
    init: RequestInit & { json?: unknown },
    schema: S,
    opts: CallOptions = {},
  ): Promise<z.infer<S>> {
    const res = await this.call(url, init, opts);
    return this.parse(res, schema);
  }

  async parse<S extends z.ZodType>(res: Response, schema: S): Promise<z.infer<S>> {
    const text = await res.text();
    const parsed = schema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new PlatformPublishError(
        this.platform,
        `unexpected answer from ${new URL(res.url || 'http://x/').pathname} (HTTP ${res.status}): ${text.slice(0, 300)}`,
        res.status,
      );
    }
    return parsed.data as z.infer<S>;
  }

  /**
   * Sends one request. 401: the token is refreshed once and the request repeated; a second 401 is a
   * PlatformAuthError. 429/5xx: waits (Retry-After, else exponential) and repeats, then gives up with a
   * ProviderRetryableError. Other non-2xx answers not in `accept`: PlatformPublishError.
   */
  async call(url: string, init: RequestInit & { json?: unknown }, opts: CallOptions = {}): Promise<Response> {
    const retries = this.opts.retries ?? 3;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {
        ...this.opts.headers,
        ...(init.headers as Record<string, string>),
      };
      if (opts.auth !== false) {
        const token = await this.credentials.token();
        Object.assign(
          headers,
          this.opts.authHeader ? this.opts.authHeader(token) : { authorization: `Bearer ${token}` },
        );
      }
      let body = init.body;
      if (init.json !== undefined) {
        headers['content-type'] = 'application/json; charset=UTF-8';
        body = JSON.stringify(init.json);
      }
      let res: Response;
      try {
        res = await this.fetch(url, { ...init, headers, body });
      } catch (error) {
        throw new ProviderRetryableError(`${this.platform}: ${String((error as Error).message ?? error)}`);
      }
      if (res.ok || opts.accept?.includes(res.status)) return res;
      const text = await res.text();
      const authFailed = res.status === 401 || (this.opts.authFailure?.(res.status, text) ?? false);
      if (authFailed && opts.auth !== false) {
        if (refreshed) {
          throw new PlatformAuthError(this.platform, 'the access token was refused again after a refresh');
        }
        refreshed = true;
        await this.credentials.refresh();
        attempt--;
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        const wait = retryAfterSeconds(res.headers.get('retry-after')) ?? 2 ** attempt;
        const stop = opts.once === true && res.status >= 500;
        if (stop || attempt >= retries || wait > (this.opts.maxWaitSeconds ?? 60)) {
          throw new ProviderRetryableError(
            `${this.platform}: HTTP ${res.status} from ${new URL(url).pathname}: ${text.slice(0, 200)}`,
            wait,
          );
        }
        await this.sleep(wait * 1000);
        continue;
      }
      throw new PlatformPublishError(
        this.platform,
        `HTTP ${res.status} from ${init.method ?? 'GET'} ${new URL(url).pathname}: ${text.slice(0, 300)}`,
        res.status,
        text,
      );
    }
  }
}

/** Retry-After in seconds (delta-seconds or an HTTP date). */
export function retryAfterSeconds(value: string | null): number | undefined {
  if (!value) return undefined;
  const n = Number(value);
  if (Number.isFinite(n)) return Math.max(0, n);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - Date.now()) / 1000)) : undefined;
}

/** Polls `check` until it returns a value, waiting `intervalMs` between tries, at most `attempts` times. */
export async function poll<T>(
  sleep: Sleep | undefined,
  intervalMs: number,
  attempts: number,
  check: () => Promise<T | undefined>,
): Promise<T | undefined> {
  for (let i = 0; i < attempts; i++) {
    const value = await check();
    if (value !== undefined) return value;
    if (i < attempts - 1) await (sleep ?? realSleep)(intervalMs);
  }
  return undefined;
}

/** A platform's metrics API read through its client; `baseUrl` is the API base the platform's paths hang off. */
export abstract class ApiEngagement implements EngagementFetcher {
  abstract readonly platform: Platform;

  constructor(
    protected readonly http: PlatformHttp,
    protected readonly baseUrl: string,
    protected readonly now: () => Date = () => new Date(),
  ) {}

  abstract fetch(platformPostIds: string[]): Promise<EngagementSnapshot[]>;
}
