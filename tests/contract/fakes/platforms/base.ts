import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The JSON body, or the form fields of a urlencoded body. */
  json: () => unknown;
  form: () => URLSearchParams;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ScriptedFailure {
  /** Method and path prefix the failure applies to (e.g. `POST /v2/post/publish/video/init/`). */
  match: string;
  reply?: Reply;
  /** Destroy the connection after reading the request (a network interruption). */
  drop?: boolean;
  /** Carry the request out, then drop the connection: the caller never learns it succeeded. */
  lose?: boolean;
  /** Matching requests let through (answered normally) before this one applies. */
  after?: number;
}

/** OAuth 2 refresh grant as the platform's token endpoint speaks it. */
export interface TokenEndpoint {
  method: 'POST' | 'GET';
  path: string;
  clientIdField: string;
  client: { client_id: string; client_secret: string; refresh_token: string };
  /**
   * What a grant answers of the refresh token: `rotate` a new one (the one sent stops working: TikTok),
   * `same` the one sent (LinkedIn), `exchange` none, but the new access token renews next time (Meta's
   * long-lived token exchange), `none` (Google).
   */
  refreshToken?: 'rotate' | 'same' | 'exchange' | 'none';
}

/**
 * What every fake platform server shares: bearer tokens (expire one to make the platform answer 401),
 * a token endpoint that issues new ones for the right client and refresh token, scripted failures
 * (429 with Retry-After, 5xx, dropped connections) and a log of requests.
 */
export abstract class FakePlatformServer {
  readonly requests: { method: string; path: string; headers: IncomingMessage['headers'] }[] = [];
  readonly validTokens = new Set<string>(['token-1']);
  readonly refreshes: URLSearchParams[] = [];
  /** Long-lived tokens a Meta exchange issued (each renews in turn, as the configured one does). */
  private readonly exchanged = new Set<string>();
  private readonly failures: ScriptedFailure[] = [];
  private server?: Server;
  base = '';

  protected abstract route(req: FakeRequest): Promise<Reply | 'drop'> | Reply | 'drop';
  protected abstract readonly tokenEndpoint: TokenEndpoint;
  /** How the platform words a refused token. */
  protected unauthorized(): Reply {
    return { status: 401, body: { error: { code: 401, message: 'Invalid Credentials' } } };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The current tokens stop working (they expired); the token endpoint issues the next one. */
  expireTokens(): void {
    this.validTokens.clear();
  }

  script(...f: ScriptedFailure[]): void {
    this.failures.push(...f);
  }

  count(match: string): number {
    return this.requests.filter((r) => `${r.method} ${r.path}`.startsWith(match)).length;
  }

  /** The OAuth client the token endpoint accepts (what the platform's secret would hold). */
  get oauthClient(): TokenEndpoint['client'] {
    return { ...this.tokenEndpoint.client };
  }

  get tokenUrl(): string {
    return `${this.base}${this.tokenEndpoint.path}`;
  }

  /** Does this request carry a live token? Platforms read it from different headers. */
  protected tokenOf(req: FakeRequest): string | undefined {
    return /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
  }

  protected authorized(req: FakeRequest): boolean {
    const token = this.tokenOf(req);
    return token !== undefined && this.validTokens.has(token);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.base);
    const r: FakeRequest = {
      method: req.method ?? 'GET',
      url,
      headers: req.headers,
      body,
      json: () => JSON.parse(body.toString('utf8') || '{}'),
      form: () => new URLSearchParams(body.toString('utf8')),
    };
    this.requests.push({ method: r.method, path: url.pathname, headers: req.headers });
    const i = this.failures.findIndex((f) => `${r.method} ${url.pathname}`.startsWith(f.match));
    const pending = this.failures[i];
    let applies = pending !== undefined;
    if (pending?.after) {
      pending.after--;
      applies = false;
    }
    let reply: Reply | 'drop';
    if (applies && pending?.lose) {
      this.failures.splice(i, 1);
      await this.route(r);
      reply = 'drop';
    } else if (applies) {
      const [f] = this.failures.splice(i, 1);
      reply = f?.drop ? 'drop' : (f?.reply ?? { status: 500 });
    } else if (url.pathname === this.tokenEndpoint.path && r.method === this.tokenEndpoint.method) {
      reply = this.refresh(r);
    } else {
      reply = await this.route(r);
    }
    if (reply === 'drop') {
      req.socket.destroy();
      return;
    }
    const json = reply.body !== undefined && typeof reply.body !== 'string';
    res.writeHead(reply.status, {
      ...(json ? { 'content-type': 'application/json; charset=UTF-8' } : {}),
      ...reply.headers,
    });
    res.end(json ? JSON.stringify(reply.body) : (reply.body as string | undefined));
  }

  private refresh(req: FakeRequest): Reply {
    const fields = this.tokenEndpoint.method === 'GET' ? req.url.searchParams : req.form();
    this.refreshes.push(fields);
    const e = this.tokenEndpoint;
    const c = e.client;
    const sent = fields.get('refresh_token') ?? fields.get('fb_exchange_token') ?? '';
    const grantOk =
      fields.get(e.clientIdField) === c.client_id &&
      fields.get('client_secret') === c.client_secret &&
      (sent === c.refresh_token || this.exchanged.has(sent));
    if (!grantOk) return { status: 400, body: { error: 'invalid_grant', error_description: 'Bad Request' } };
    const token = `token-${randomBytes(4).toString('hex')}`;
    this.validTokens.add(token);
    const body: Record<string, unknown> = { access_token: token, expires_in: 3599, token_type: 'Bearer' };
    switch (e.refreshToken ?? 'none') {
      case 'rotate':
        c.refresh_token = `rft.${randomBytes(6).toString('hex')}`;
        Object.assign(body, { refresh_token: c.refresh_token, refresh_expires_in: 15_552_000 });
        break;
      case 'same':
        Object.assign(body, { refresh_token: c.refresh_token, refresh_token_expires_in: 31_536_000 });
        break;
      case 'exchange':
        this.exchanged.add(token);
        break;
    }
    return { status: 200, body };
  }
}
