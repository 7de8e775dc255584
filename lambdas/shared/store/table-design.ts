import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { dynamo, tableName } from './db.js';

/**
 * The single table as plain data: the CDK stack (TableV2) and the embedded runtime (CreateTable against
 * dynalite) both build the table from this, so they cannot drift.
 *
 * Base table: `pk` / `sk` (strings). Partitions:
 *   CAMPAIGN#{id}   META, VARIANT#{id}, BRIEF#{id}, SCRIPT#{script_id}#V{0001}, HOOK#{script_id}#{0001},
 *                   VIDEO#{id}, JOB#{job_id}, LEDGER#{entry_id}, ASSET#{type}#{id}, AUDIT#{ts}#{seq},
 *                   APPROVAL#{id}, PUB#{id}, POST#{platform}#{post_id}, METRIC#{post_id}#{ts}
 *   BRAND#{id}      PROFILE, CHUNK#{0000}
 *   TRENDS#{cat}    TREND#{url hash}
 *   IDEMP#{key}     IDEMP
 *
 * Sparse GSIs (projection ALL): only items that carry the index's partition-key attribute are indexed.
 *   gsi1  BRAND#{brand_id}            / CAMPAIGN#{created_at}   brand → campaigns
 *   gsi2  STATUS#{status}             / {created_at}            status → campaigns
 *         APPROVALS#pending           / {created_at}            pending approvals (removed on decision)
 *         RENDERS#{queued|processing} / {created_at}            render jobs in flight (for the poller)
 *   gsi3  PJOB#{provider}#{provider_job_id}                     provider job id → render job
 *   gsi4  APPROVAL#{approval_id}                                approval id (the id in a mailed link) → approval
 *
 * `ttl` (epoch seconds) is the TTL attribute for items that may age out (idempotency records, trends).
 * Enabling TTL is the stack's job (dynalite has no UpdateTimeToLive; expired items are merely kept there).
 */
export const TABLE_DESIGN = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', purpose: 'brand → campaigns' },
    {
      name: 'gsi2',
      partitionKey: 'gsi2pk',
      sortKey: 'gsi2sk',
      purpose: 'status → campaigns; pending approvals; render jobs in flight',
    },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: undefined, purpose: 'provider job id → render job' },
    { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: undefined, purpose: 'approval id → approval' },
  ],
} as const;

export type IndexName = (typeof TABLE_DESIGN.indexes)[number]['name'];
export type IndexDesign = (typeof TABLE_DESIGN.indexes)[number];

/** Every key attribute (table and indexes); none of them is part of a contract. */
export const KEY_ATTRIBUTES: readonly string[] = [
  TABLE_DESIGN.partitionKey,
  TABLE_DESIGN.sortKey,
  ...TABLE_DESIGN.indexes.flatMap((i) => (i.sortKey ? [i.partitionKey, i.sortKey] : [i.partitionKey])),
];

export function indexDesign(name: IndexName): IndexDesign {
  const found = TABLE_DESIGN.indexes.find((i) => i.name === name);
  if (!found) throw new Error(`unknown index ${name}`);
  return found;
}

/** CreateTable input for the embedded runtime and tests (on AWS the CDK stack creates the table). */
export function createTableInput(name: string = tableName()): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: TABLE_DESIGN.billingMode,
    KeySchema: [
      { AttributeName: TABLE_DESIGN.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_DESIGN.sortKey, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [...new Set(KEY_ATTRIBUTES)].map((AttributeName) => ({
      AttributeName,
      AttributeType: 'S' as const,
    })),
    GlobalSecondaryIndexes: TABLE_DESIGN.indexes.map((i) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
        ...(i.sortKey ? [{ AttributeName: i.sortKey, KeyType: 'RANGE' as const }] : []),
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}

/**
 * Creates the table when it is missing and waits until it is ACTIVE (embedded runtime and tests).
 * Safe to call concurrently: a lost creation race (ResourceInUseException) counts as success.
 */
export async function ensureTable(name: string = tableName(), timeoutMs = 30_000): Promise<void> {
  const client = dynamo();
  const describe = async (): Promise<string | undefined> => {
    try {
      const res = await client.send(new DescribeTableCommand({ TableName: name }));
      return res.Table?.TableStatus ?? 'UNKNOWN';
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  };
  let status = await describe();
  if (status === undefined) {
    try {
      await client.send(new CreateTableCommand(createTableInput(name)));
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    }
    status = await describe();
  }
  const deadline = Date.now() + timeoutMs;
  while (status !== 'ACTIVE') {
    if (Date.now() > deadline) throw new Error(`table ${name} is still ${status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
    status = await describe();
  }
}
