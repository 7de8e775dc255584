import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Secrets Manager speaking its JSON 1.1 protocol (`POST /`, `x-amz-target:
 * secretsmanager.GetSecretValue`), enough for the unchanged SecretsManagerClient to read secrets by
 * ARN: unknown ARNs answer ResourceNotFoundException as the service does.
 */
export class FakeSecretsManager {
  readonly reads: string[] = [];
  private readonly secrets = new Map<string, string>();
  private server?: Server;
  url = '';

  put(arn: string, value: string): void {
    this.secrets.set(arn, value);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const reply = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(body));
        };
        if (target !== 'secretsmanager.GetSecretValue')
          return reply(400, { __type: 'UnknownOperationException', message: target });
        const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId: string };
        this.reads.push(SecretId);
        const value = this.secrets.get(SecretId);
        if (value === undefined)
          return reply(400, {
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret.",
          });
        reply(200, {
          ARN: SecretId,
          Name: SecretId.split(':').pop(),
          SecretString: value,
          VersionId: '00000000-0000-4000-8000-000000000001',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: 1_700_000_000,
        });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
