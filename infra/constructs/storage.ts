import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLE_DESIGN } from '../../lambdas/shared/data/table.js';

/** Prefixes whose media ages through the storage tiers (seed: hot < 30 d, warm 30–90 d, cold > 90 d). */
export const MEDIA_PREFIXES = [
  'renders/',
  'masters/',
  'renditions/',
  'thumbnails/',
  'captions/',
  'audio/',
] as const;

/** The single table and the media bucket. */
export class Storage extends Construct {
  readonly table: TableV2;
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: { retain: boolean }) {
    super(scope, id);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE_DESIGN.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_DESIGN.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: props.retain,
      removalPolicy,
      globalSecondaryIndexes: TABLE_DESIGN.indexes.map((i) => ({
        indexName: i.name,
        partitionKey: { name: i.partitionKey, type: AttributeType.STRING },
        ...(i.sortKey ? { sortKey: { name: i.sortKey, type: AttributeType.STRING } } : {}),
      })),
    });
    const accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy,
    });
    this.bucket = new Bucket(this, 'Media', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'media/',
      removalPolicy,
      lifecycleRules: [
        ...MEDIA_PREFIXES.map((prefix) => ({
          id: `tier-${prefix.replace('/', '')}`,
          prefix,
          transitions: [
            { storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
            { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) },
            { storageClass: StorageClass.DEEP_ARCHIVE, transitionAfter: Duration.days(180) },
          ],
          noncurrentVersionExpiration: Duration.days(30),
        })),
        // Seed: trend data is kept 90 days; scraped feeds are not needed after that.
        { id: 'expire-trends', prefix: 'trends/', expiration: Duration.days(90) },
        { id: 'abort-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
  }
}
