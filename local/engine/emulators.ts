import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { LocalEventBridge } from '../deployed/services/eventbridge.js';
import { serveService } from '../deployed/services/protocol.js';
import { close, listen } from './http-util.js';
import { mailboxRequestHandler } from './mailbox.js';
import { addAtomicObjectWrites } from './s3-atomic-writes.js';
import { addConditionalWrites } from './s3-conditional-writes.js';

interface StoredTable {
  TableStatus?: string;
  GlobalSecondaryIndexes?: { IndexStatus?: string }[];
}

/**
 * dynalite stores a new table as CREATING and marks it ACTIVE in a timer (createTableMs, 0 here); a
 * process killed between the two writes leaves the table CREATING for ever, refusing every request,
 * and the data directory unusable. Before dynalite opens its LevelDB (the caller holds the data
 * directory's lock, so nobody else is creating anything), such a table is finished as dynalite would
 * have finished it: a CREATING table never accepted an item, so there is nothing else to repair.
 * Returns the tables it repaired.
 */
export async function repairInterruptedTables(ddbDir: string): Promise<string[]> {
  if (!existsSync(path.join(ddbDir, 'CURRENT'))) return [];
  const dynaliteRequire = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level } = dynaliteRequire('level') as {
    Level: new (
      dir: string,
      opts: { valueEncoding: 'json' },
    ) => {
      open(): Promise<void>;
      close(): Promise<void>;
      put(key: string, value: unknown): Promise<void>;
      iterator(range: { gte: string; lt: string }): AsyncIterable<[string, StoredTable]>;
    };
  };
  const db = new Level(ddbDir, { valueEncoding: 'json' });
  await db.open();
  const repaired: string[] = [];
  try {
    const stuck: [string, StoredTable][] = [];
    for await (const [key, table] of db.iterator({ gte: 'table~', lt: 'table~\uffff' })) {
      const indexes = table.GlobalSecondaryIndexes ?? [];
      if (
        ['CREATING', 'UPDATING'].includes(table.TableStatus ?? '') ||
        indexes.some((i) => ['CREATING', 'UPDATING'].includes(i.IndexStatus ?? ''))
      )
        stuck.push([key, table]);
    }
    for (const [key, table] of stuck) {
      table.TableStatus = 'ACTIVE';
      for (const i of table.GlobalSecondaryIndexes ?? []) i.IndexStatus = 'ACTIVE';
      await db.put(key, table);
      repaired.push(key.slice('table~'.length));
    }
  } finally {
    await db.close();
  }
  return repaired;
}

export interface Emulators {
  env: Record<string, string>;
  /** Campaign lifecycle events put on the local bus (also in `<dataDir>/events/events.jsonl`). */
  events: LocalEventBridge;
  dynamodbUrl: string;
  s3Url: string;
  sesUrl: string;
  mailboxDir: string;
  stop(): Promise<void>;
}

/**
 * DynamoDB (dynalite, persisted under dataDir), S3 (s3rver, files under dataDir) and SES v2 (a
 * mailbox of .eml files). Returns the standard environment variables that point unchanged AWS SDK
 * clients at them; the caller applies them before importing handler modules.
 */
export const LOCAL_EVENT_BUS = 'bie-events';

export async function startEmulators(dataDir: string, buckets: string[]): Promise<Emulators> {
  const ddbDir = path.join(dataDir, 'dynamodb');
  const s3Dir = path.join(dataDir, 's3');
  const mailboxDir = path.join(dataDir, 'mailbox');
  for (const d of [ddbDir, s3Dir, mailboxDir]) mkdirSync(d, { recursive: true });

  const repaired = await repairInterruptedTables(ddbDir);
  if (repaired.length)
    process.stderr.write(
      `  finished creating table(s) ${repaired.join(', ')} left CREATING by a killed start\n`,
    );
  const ddb: Server = dynalite({ path: ddbDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    ddb.once('error', reject);
    ddb.listen(0, '127.0.0.1', () => resolve());
  });
  const dynamodbUrl = `http://127.0.0.1:${(ddb.address() as AddressInfo).port}`;

  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: s3Dir,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  addConditionalWrites(s3);
  addAtomicObjectWrites(s3);
  const s3Address = await s3.run();
  const s3Url = `http://127.0.0.1:${s3Address.port}`;

  const ses = await listen(mailboxRequestHandler(mailboxDir));
  const events = new LocalEventBridge({
    dataDir: path.join(dataDir, 'events'),
    region: 'us-east-1',
    account: '000000000000',
    buses: [
      { name: LOCAL_EVENT_BUS, arn: `arn:aws:events:us-east-1:000000000000:event-bus/${LOCAL_EVENT_BUS}` },
    ],
  });
  const eventbridge = await serveService(events.handle);

  const env: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    // s3rver knows one key pair (it does not check SigV4 signatures, only the key id).
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbUrl,
    AWS_ENDPOINT_URL_S3: s3Url,
    AWS_ENDPOINT_URL_SESV2: ses.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventbridge.url,
    // s3rver stores the aws-chunked framing of streamed uploads unless checksums are only sent when required.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
  return {
    env,
    events,
    dynamodbUrl,
    s3Url,
    sesUrl: ses.url,
    mailboxDir,
    async stop() {
      await eventbridge.close();
      await close(ses.server);
      await s3.close();
      await new Promise<void>((resolve) => ddb.close(() => resolve()));
    },
  };
}

/** s3rver's paginated listings need Node's legacy OpenSSL provider (DES continuation tokens). */
export const legacyOpenSslEnabled = (): boolean =>
  process.execArgv.includes('--openssl-legacy-provider') ||
  (process.env.NODE_OPTIONS ?? '').includes('--openssl-legacy-provider');
