import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A table stays CREATING for a while after CreateTable answers (seconds on DynamoDB; a timer on dynalite,
// which a loaded machine can fire late): a CI run once lost its first write to that window.
let ddb: Server;

beforeAll(async () => {
  ddb = dynalite({ path: mkdtempSync(path.join(tmpdir(), 'bie-ensure-table-')), createTableMs: 1500 });
  await new Promise<void>((resolve) => ddb.listen(0, '127.0.0.1', () => resolve()));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(ddb.address() as AddressInfo).port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: 'ensure-table-test',
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => ddb.close(() => resolve()));
});

describe('ensureTable', () => {
  it('returns once a new table takes writes, and at once when the table exists', async () => {
    // Prepare
    const table = await import('../../lambdas/shared/data/table.js');

    // Act
    await table.ensureTable();
    const written = await table.putItem({ pk: 'P', sk: 'S', n: 1 });
    await table.ensureTable();

    // Assess
    expect(written).toBe(true);
    expect(await table.getItem('P', 'S')).toMatchObject({ n: 1 });
  });
});
