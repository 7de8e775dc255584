import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { readVariable } from '../config/index.js';

/**
 * The single table. Keys are `pk`/`sk`; four sparse GSIs serve the access patterns that do not start
 * from a campaign: brand → campaigns, status → campaigns (and pending approvals), provider job id →
 * render job, approval id → approval. Plain data, used by the CDK stack and the embedded runtime alike.
 */
export const TABLE_DESIGN = {
  partitionKey: 'pk',
  /** Epoch seconds; DynamoDB deletes the item some time after (trends: 90 days). */
  timeToLiveAttribute: 'expires_at',
  sortKey: 'sk',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', purpose: 'brand → campaigns' },
    {
      name: 'gsi2',
      partitionKey: 'gsi2pk',
      sortKey: 'gsi2sk',
      purpose: 'status → campaigns; pending approvals',
    },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: undefined, purpose: 'provider job id → render job' },
    { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: undefined, purpose: 'approval id → approval' },
  ],
} as const;

export type IndexName = (typeof TABLE_DESIGN.indexes)[number]['name'];

export function createTableInput(tableName: string): CreateTableCommandInput {
  const attrs = new Set<string>([TABLE_DESIGN.partitionKey, TABLE_DESIGN.sortKey]);
  for (const i of TABLE_DESIGN.indexes) {
    attrs.add(i.partitionKey);
    if (i.sortKey) attrs.add(i.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: TABLE_DESIGN.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_DESIGN.sortKey, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [...attrs].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
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

const client = new DynamoDBClient({});
export const doc = DynamoDBDocumentClient.from(client, {
  marshallOptions: { removeUndefinedValues: true },
});

export const tableName = (): string => readVariable('TABLE_NAME');

/**
 * Creates the table if it is missing (embedded runtime and tests; on AWS the stack owns it) and returns
 * once it is ACTIVE: a new table is CREATING first and refuses every item until then (on DynamoDB for
 * seconds; on dynalite until a timer after the CreateTable response, which a loaded machine can lose).
 */
export async function ensureTable(): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName() }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(createTableInput(tableName())));
    await waitUntilTableExists(
      { client, maxWaitTime: 120, minDelay: 1, maxDelay: 2 },
      { TableName: tableName() },
    );
  }
}

export type Item = Record<string, unknown> & { pk: string; sk: string };

export const isConditionalFailure = (error: unknown): boolean =>
  (error as { name?: string })?.name === 'ConditionalCheckFailedException';

/** Writes an item; with `ifAbsent` an existing item is kept and `false` returned. */
/**
 * Puts an item. `ifAbsent`: only if no item has the key. `ifMatches`: only if the stored item has
 * these attribute values (an optimistic guard against overwriting what another writer changed since
 * it was read). Either way a failed condition returns false instead of throwing.
 */
export async function putItem(
  item: Item,
  opts: { ifAbsent?: boolean; ifMatches?: Record<string, string | number> } = {},
): Promise<boolean> {
  const guards = Object.entries(opts.ifMatches ?? {});
  const condition = opts.ifAbsent
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : guards.length
      ? {
          ConditionExpression: guards.map((_, i) => `#g${i} = :g${i}`).join(' AND '),
          ExpressionAttributeNames: Object.fromEntries(guards.map(([k], i) => [`#g${i}`, k])),
          ExpressionAttributeValues: Object.fromEntries(guards.map(([, v], i) => [`:g${i}`, v])),
        }
      : {};
  try {
    await doc.send(new PutCommand({ TableName: tableName(), Item: item, ...condition }));
    return true;
  } catch (error) {
    if ((opts.ifAbsent || guards.length) && isConditionalFailure(error)) return false;
    throw error;
  }
}

export async function getItem(pk: string, sk: string): Promise<Item | undefined> {
  const res = await doc.send(
    new GetCommand({ TableName: tableName(), Key: { pk, sk }, ConsistentRead: true }),
  );
  return res.Item as Item | undefined;
}

export async function deleteItem(pk: string, sk: string): Promise<void> {
  await doc.send(new DeleteCommand({ TableName: tableName(), Key: { pk, sk } }));
}

/** All items of a partition whose sort key starts with a prefix, following pagination. */
export async function queryPartition(
  pk: string,
  skPrefix = '',
  opts: { newestFirst?: boolean } = {},
): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await doc.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :sk)' : 'pk = :pk',
        ExpressionAttributeValues: skPrefix ? { ':pk': pk, ':sk': skPrefix } : { ':pk': pk },
        ExclusiveStartKey: start,
        ScanIndexForward: !opts.newestFirst,
        ConsistentRead: true,
      }),
    );
    items.push(...((res.Items ?? []) as Item[]));
    start = res.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function queryIndex(
  index: IndexName,
  value: string,
  opts: { newestFirst?: boolean; limit?: number } = {},
): Promise<Item[]> {
  const def = TABLE_DESIGN.indexes.find((i) => i.name === index);
  if (!def) throw new Error(`unknown index ${index}`);
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await doc.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: index,
        KeyConditionExpression: '#k = :v',
        ExpressionAttributeNames: { '#k': def.partitionKey },
        ExpressionAttributeValues: { ':v': value },
        ExclusiveStartKey: start,
        ScanIndexForward: !opts.newestFirst,
      }),
    );
    items.push(...((res.Items ?? []) as Item[]));
    start = res.LastEvaluatedKey;
  } while (start && (!opts.limit || items.length < opts.limit));
  return opts.limit ? items.slice(0, opts.limit) : items;
}

/** Writes many items, 25 per call, retrying unprocessed ones with backoff. */
export async function putMany(items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; batch.length; attempt++) {
      if (attempt > 8) throw new Error('BatchWrite kept returning unprocessed items');
      const res = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName()]: batch } }));
      batch = (res.UnprocessedItems?.[tableName()] ?? []) as typeof batch;
      if (batch.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}

export { UpdateCommand };

/** Strips the key attributes from a stored item. */
export function body<T>(item: Item): T {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _a,
    gsi1sk: _b,
    gsi2pk: _c,
    gsi2sk: _d,
    gsi3pk: _e,
    gsi4pk: _f,
    ...rest
  } = item;
  return rest as T;
}
