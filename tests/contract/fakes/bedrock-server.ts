import {
  createServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface BedrockCall {
  path: string;
  modelId: string;
  body: Record<string, unknown>;
  authorization: string;
}

/**
 * A local Bedrock Runtime speaking its REST-JSON protocol over HTTP/2 cleartext (the SDK's Bedrock
 * client uses an HTTP/2 handler): `POST /model/{modelId}/converse` and
 * `POST /model/{modelId}/invoke` (Titan embeddings), errors with the `x-amzn-errortype` header.
 * Converse replies are queued by the test; the unchanged BedrockRuntimeClient is pointed here.
 */
export class FakeBedrock {
  readonly calls: BedrockCall[] = [];
  private readonly converseReplies: { status: number; body: unknown; errorType?: string }[] = [];
  private server?: Http2Server;
  url = '';

  queueToolUse(toolName: string, input: unknown): void {
    this.converseReplies.push({
      status: 200,
      body: {
        output: {
          message: {
            role: 'assistant',
            content: [
              { text: 'Here it is.' },
              { toolUse: { toolUseId: 'tooluse_1', name: toolName, input } },
            ],
          },
        },
        stopReason: 'tool_use',
        usage: { inputTokens: 300, outputTokens: 150, totalTokens: 450 },
        metrics: { latencyMs: 420 },
      },
    });
  }

  queueError(status: number, errorType: string, message: string): void {
    this.converseReplies.push({ status, body: { message }, errorType });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private reply(res: Http2ServerResponse, status: number, body: unknown, errorType?: string): void {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-requestid': `req-${this.calls.length}`,
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(JSON.stringify(body));
  }

  private async handle(req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const m = /^\/model\/([^/]+)\/(converse|invoke)$/.exec(req.url ?? '');
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    if (!m || req.method !== 'POST') {
      this.reply(res, 404, { message: `no route ${req.method} ${req.url}` }, 'UnknownOperationException');
      return;
    }
    const modelId = decodeURIComponent(m[1] as string);
    this.calls.push({
      path: req.url ?? '',
      modelId,
      body,
      authorization: String(req.headers.authorization ?? ''),
    });
    if (m[2] === 'converse') {
      const next = this.converseReplies.shift();
      if (!next) this.reply(res, 500, { message: 'no reply queued' }, 'InternalServerException');
      else this.reply(res, next.status, next.body, next.errorType);
      return;
    }
    if (modelId !== 'amazon.titan-embed-text-v2:0') {
      this.reply(res, 400, { message: `model ${modelId} is not an embedding model` }, 'ValidationException');
      return;
    }
    const dims = Number(body.dimensions ?? 1024);
    const text = String(body.inputText ?? '');
    const raw = Array.from({ length: dims }, (_, i) => Math.cos((text.length + 1) * (i + 1)));
    const norm = Math.sqrt(raw.reduce((t, x) => t + x * x, 0));
    this.reply(res, 200, {
      embedding: raw.map((x) => x / norm),
      inputTextTokenCount: text.split(/\s+/).length,
      embeddingsByType: {},
    });
  }
}
