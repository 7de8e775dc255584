import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

/**
 * A local server answering as the OpenAI REST API documents it (Chat Completions with json_schema
 * response formats, Embeddings with float or base64 encoding, error envelopes), so the real `openai`
 * client code runs against it unchanged. Replies to chat calls are queued by the test.
 */
export class FakeOpenAi {
  readonly requests: RecordedRequest[] = [];
  private readonly chatReplies: Reply[] = [];
  private server?: Server;
  url = '';

  queueChat(content: unknown, opts: { refusal?: string; status?: number; error?: string } = {}): void {
    if (opts.status && opts.status >= 400) {
      this.chatReplies.push({
        status: opts.status,
        body: {
          error: { message: opts.error ?? 'error', type: 'rate_limit_error', code: null, param: null },
        },
        headers: { 'retry-after-ms': '1' },
      });
      return;
    }
    this.chatReplies.push({
      status: 200,
      body: {
        id: `chatcmpl-${this.requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: 'gpt-4o-2024-08-06',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: opts.refusal ? null : JSON.stringify(content),
              refusal: opts.refusal ?? null,
            },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 120, completion_tokens: 80, total_tokens: 200 },
      },
    });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private send(res: ServerResponse, reply: Reply): void {
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'x-request-id': `req_${this.requests.length}`,
      ...(reply.headers ?? {}),
    });
    res.end(JSON.stringify(reply.body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    this.requests.push({ path: req.url ?? '', headers: req.headers, body });
    if (req.headers.authorization !== 'Bearer sk-test') {
      this.send(res, {
        status: 401,
        body: {
          error: {
            message: 'Incorrect API key provided',
            type: 'invalid_request_error',
            code: 'invalid_api_key',
            param: null,
          },
        },
      });
      return;
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      const reply = this.chatReplies.shift();
      this.send(
        res,
        reply ?? {
          status: 500,
          body: { error: { message: 'no reply queued', type: 'server_error', code: null, param: null } },
        },
      );
      return;
    }
    if (req.method === 'POST' && req.url === '/v1/embeddings') {
      const inputs = ([] as unknown[]).concat(body.input);
      const dims = Number(body.dimensions ?? 1536);
      const data = inputs.map((text, index) => {
        const v = new Float32Array(dims).map((_, i) => Math.sin((String(text).length + 1) * (i + 1)));
        const embedding =
          body.encoding_format === 'base64' ? Buffer.from(v.buffer).toString('base64') : Array.from(v);
        return { object: 'embedding', index, embedding };
      });
      this.send(res, {
        status: 200,
        body: {
          object: 'list',
          data,
          model: body.model,
          usage: { prompt_tokens: inputs.length * 5, total_tokens: inputs.length * 5 },
        },
      });
      return;
    }
    this.send(res, {
      status: 404,
      body: {
        error: {
          message: `Unknown request URL: ${req.method} ${req.url}`,
          type: 'invalid_request_error',
          code: 'unknown_url',
          param: null,
        },
      },
    });
  }
}
