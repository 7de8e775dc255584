import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type LifecycleRule,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
// The table design is shared with the embedded runtime, which creates the same table in dynalite.
import { TABLE_DESIGN } from '../../lambdas/shared/data/table.js';

/** Prefixes of rendered media; each ages through the storage tiers. */
export const MEDIA_PREFIXES = [
  'renders/',
  'masters/',
  'renditions/',
  'thumbnails/',
  'captions/',
  'audio/',
  // What the offline publisher posted: the record of a campaign's posts, aged like the media it holds.
  'outbox/',
] as const;

/** Media tiering: hot for the campaign's launch month, warm for the quarter, then archived. */
export const MEDIA_TRANSITIONS = [
  { storageClass: StorageClass.INFREQUENT_ACCESS, days: 30 },
  { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, days: 90 },
  { storageClass: StorageClass.DEEP_ARCHIVE, days: 180 },
] as const;

export interface StorageProps {
  /**
   * What happens to the table and the buckets when they leave the stack. RETAIN by default: campaign
   * records and media outlive a stack. Throwaway stages (context `ephemeral=true`) use DESTROY, which
   * deletes the table and only empty buckets.
   */
  removalPolicy?: RemovalPolicy;
}

/** The single table and the media bucket (with its access-log bucket). */
export class Storage extends Construct {
  readonly table: TableV2;
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE_DESIGN.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_DESIGN.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
      // Items with this epoch-seconds attribute expire (trends after 90 days); readers skip expired ones.
      timeToLiveAttribute: TABLE_DESIGN.timeToLiveAttribute,
      // TableV2 projects ALL attributes by default: the indexes serve whole items.
      globalSecondaryIndexes: TABLE_DESIGN.indexes.map((i) => ({
        indexName: i.name,
        partitionKey: { name: i.partitionKey, type: AttributeType.STRING },
        ...(i.sortKey ? { sortKey: { name: i.sortKey, type: AttributeType.STRING } } : {}),
      })),
    });

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Server access logs can only be delivered to an SSE-S3 bucket.
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      removalPolicy,
    });

    this.bucket = new Bucket(this, 'Media', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'media/',
      removalPolicy,
      lifecycleRules: mediaLifecycle(),
    });
  }
}

function mediaLifecycle(): LifecycleRule[] {
  return [
    ...MEDIA_PREFIXES.map(
      (prefix): LifecycleRule => ({
        id: `tier-${prefix.slice(0, -1)}`,
        prefix,
        transitions: MEDIA_TRANSITIONS.map((t) => ({
          storageClass: t.storageClass,
          transitionAfter: Duration.days(t.days),
        })),
        // Re-renders overwrite keys; a replaced version is only needed for a short rollback window.
        noncurrentVersionExpiration: Duration.days(30),
      }),
    ),
    // Strategist: raw trend-feed snapshots stop mattering quickly. The ranking's recency weight is zero
    // for trends older than 30 days (lambdas/strategist/domain/trends.ts), so after a quarter a snapshot
    // can no longer influence a brief: delete it at 90 days instead of paying to archive it.
    {
      id: 'expire-trends',
      prefix: 'trends/',
      expiration: Duration.days(90),
      noncurrentVersionExpiration: Duration.days(1),
    },
    // A provider's clip is copied into renders/ when its job completes; the provider-side copy (and its
    // status object) is only needed until then, and by a replay within the week.
    {
      id: 'expire-provider-renders',
      prefix: 'provider-renders/',
      expiration: Duration.days(7),
      noncurrentVersionExpiration: Duration.days(1),
    },
    // Brand guidelines and brand assets are the input of every campaign of the brand (retrieved for each
    // brief), so they never expire or tier down; replaced versions are kept 90 days to undo an upload.
    { id: 'brand-versions', prefix: 'brands/', noncurrentVersionExpiration: Duration.days(90) },
    { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
  ];
}
