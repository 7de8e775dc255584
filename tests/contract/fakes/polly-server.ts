import {
  createServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { AddressInfo } from 'node:net';

/**
 * A local Amazon Polly speaking its REST-JSON protocol over HTTP/2 cleartext (the SDK's Polly client,
 * which also streams, uses an HTTP/2 handler): `POST /v1/speech` answering audio (pcm → raw
 * 16-bit samples, audio/pcm) or speech marks (json → newline-delimited JSON, application/x-json-stream)
 * with the `x-amzn-RequestCharacters` header, and Polly's error shapes.
 */
export class FakePolly {
  readonly calls: Record<string, unknown>[] = [];
  private server?: Http2Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
      Text?: string;
      OutputFormat?: string;
      SampleRate?: string;
      SpeechMarkTypes?: string[];
      VoiceId?: string;
      Engine?: string;
    };
    this.calls.push(body);
    if (req.url !== '/v1/speech' || req.method !== 'POST') {
      res.writeHead(404, { 'x-amzn-errortype': 'UnknownOperationException' }).end('{}');
      return;
    }
    const text = body.Text ?? '';
    if (text.length > 3000) {
      res
        .writeHead(400, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'TextLengthExceededException',
        })
        .end(JSON.stringify({ message: 'Maximum text length has been exceeded' }));
      return;
    }
    const chars = String(text.length);
    // 0.3 s per word at the requested rate.
    const words = [...text.matchAll(/\S+/g)];
    if (body.OutputFormat === 'json') {
      const bytesBefore = (i: number) => Buffer.byteLength(text.slice(0, i), 'utf8');
      const lines = words.map((m, i) =>
        JSON.stringify({
          time: i * 300,
          type: 'word',
          start: bytesBefore(m.index ?? 0),
          end: bytesBefore((m.index ?? 0) + m[0].length),
          value: m[0],
        }),
      );
      res
        .writeHead(200, { 'content-type': 'application/x-json-stream', 'x-amzn-requestcharacters': chars })
        .end(`${lines.join('\n')}\n`);
      return;
    }
    const rate = Number(body.SampleRate ?? 16000);
    const samples = new Int16Array(Math.round(words.length * 0.3 * rate)).map((_, i) =>
      Math.round(8000 * Math.sin(i / 20)),
    );
    res
      .writeHead(200, { 'content-type': 'audio/pcm', 'x-amzn-requestcharacters': chars })
      .end(Buffer.from(samples.buffer));
  }
}
