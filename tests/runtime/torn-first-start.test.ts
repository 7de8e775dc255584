import { appendFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import { describe, expect, it } from 'vitest';
import { startEmulators } from '../../local/engine/emulators.js';
import { ExecutionStore } from '../../local/engine/execution-store.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'bie-torn-'));
const local = { region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };

describe('a first start killed half-way', () => {
  it('finishes a table a killed start left CREATING, so the data directory works again', async () => {
    // Prepare: dynalite writes CREATING, then ACTIVE in a timer; a kill in between is a process that
    // closes before the timer fires (here: a long createTableMs).
    const dataDir = dir();
    const ddbDir = path.join(dataDir, 'dynamodb');
    const killed = dynalite({ path: ddbDir, createTableMs: 60_000 });
    await new Promise<void>((r) => killed.listen(0, '127.0.0.1', () => r()));
    const port = (killed.address() as { port: number }).port;
    const early = new DynamoDBClient({ ...local, endpoint: `http://127.0.0.1:${port}` });
    await early.send(
      new CreateTableCommand({
        TableName: 'bie',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
    early.destroy();
    await new Promise<void>((r) => killed.close(() => r()));

    // Act
    const emulators = await startEmulators(dataDir, ['bie-media']);
    const ddb = new DynamoDBClient({ ...local, endpoint: emulators.dynamodbUrl });
    try {
      const table = await ddb.send(new DescribeTableCommand({ TableName: 'bie' }));
      await ddb.send(new PutItemCommand({ TableName: 'bie', Item: { pk: { S: 'works' } } }));

      // Assess
      expect(table.Table?.TableStatus).toBe('ACTIVE');
    } finally {
      ddb.destroy();
      await emulators.stop();
    }
  });

  it('never shows an object whose upload was cut off, and lets it be written again', async () => {
    // Prepare: an upload announces 1 MiB, sends 64 KiB and its connection dies (the uploader was killed).
    const dataDir = dir();
    const emulators = await startEmulators(dataDir, ['bie-media']);
    const s3 = new S3Client({ ...local, endpoint: emulators.s3Url, forcePathStyle: true });
    try {
      const url = new URL(`${emulators.s3Url}/bie-media/clips/scene-1.mp4`);
      await new Promise<void>((resolve) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'PUT',
            headers: { 'content-length': String(1024 * 1024), 'content-type': 'video/mp4' },
          },
          () => resolve(),
        );
        req.on('error', () => resolve());
        req.write(Buffer.alloc(64 * 1024, 1));
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 300);
      });
      await new Promise((r) => setTimeout(r, 300));

      // Act
      const head = await s3
        .send(new HeadObjectCommand({ Bucket: 'bie-media', Key: 'clips/scene-1.mp4' }))
        .then(
          () => 'present',
          (e: Error) => e.name,
        );
      await s3.send(
        new PutObjectCommand({
          Bucket: 'bie-media',
          Key: 'clips/scene-1.mp4',
          Body: Buffer.alloc(2048, 2),
          IfNoneMatch: '*',
        }),
      );
      const written = await s3.send(new HeadObjectCommand({ Bucket: 'bie-media', Key: 'clips/scene-1.mp4' }));

      // Assess
      expect(head).toBe('NotFound');
      expect(written.ContentLength).toBe(2048);
    } finally {
      s3.destroy();
      await emulators.stop();
    }
  });

  it('gives a read that races an overwrite one whole version of the object', async () => {
    // Prepare: a status object rewritten longer and longer, as the offline renderer does.
    const emulators = await startEmulators(dir(), ['bie-media']);
    const s3 = new S3Client({ ...local, endpoint: emulators.s3Url, forcePathStyle: true });
    const Key = 'provider-renders/offline/status.json';
    const version = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(n * 40) });
    try {
      await s3.send(new PutObjectCommand({ Bucket: 'bie-media', Key, Body: version(0) }));

      // Act
      const writes = (async () => {
        for (let n = 1; n <= 40; n++)
          await s3.send(new PutObjectCommand({ Bucket: 'bie-media', Key, Body: version(n) }));
      })();
      const reads: string[] = [];
      let writing = true;
      void writes.finally(() => {
        writing = false;
      });
      while (writing) {
        const res = await s3.send(new GetObjectCommand({ Bucket: 'bie-media', Key }));
        reads.push(await (res.Body as { transformToString(): Promise<string> }).transformToString());
      }
      await writes;

      // Assess
      expect(reads.length).toBeGreaterThan(0);
      for (const r of reads) expect(() => JSON.parse(r), r).not.toThrow();
    } finally {
      s3.destroy();
      await emulators.stop();
    }
  });

  it('keeps journaling after a line torn by a kill, without losing the next step', () => {
    // Prepare: a journal whose last line was cut off mid-write.
    const dataDir = dir();
    const arn = 'arn:aws:states:us-east-1:000000000000:execution:m:e';
    const first = new ExecutionStore(dataDir);
    first.create({
      executionArn: arn,
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
      name: 'e',
      input: {},
      status: 'RUNNING',
      startDate: new Date().toISOString(),
    });
    first.appendStep(arn, 'A:1:0', { a: 1 });
    const [file] = readdirSync(dataDir);
    appendFileSync(path.join(dataDir, file as string), '{"t":"step","key":"B:1:0","outp');

    // Act: the next process appends the step it finished.
    const next = new ExecutionStore(dataDir);
    next.appendStep(arn, 'C:1:0', { c: 3 });

    // Assess
    const loaded = next.load(arn);
    expect([...(loaded?.steps.keys() ?? [])]).toEqual(['A:1:0', 'C:1:0']);
    expect(loaded?.record.status).toBe('RUNNING');
  });
});
