import { existsSync } from 'node:fs';
import path from 'node:path';
import { CfnOutput, type RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MEDIA_PROFILES, type MediaProfile } from '../../lambdas/shared/config/index.js';
import { CampaignApi } from '../constructs/api.js';
import { Approvals } from '../constructs/approvals.js';
import { DashboardSite, DashboardUsers } from '../constructs/dashboard.js';
import { FfmpegLayer } from '../constructs/ffmpeg-layer.js';
import { type EntryResolver, PillarFunctions, type Providers } from '../constructs/functions.js';
import { Observability } from '../constructs/observability.js';
import { Scheduling } from '../constructs/scheduling.js';
import { PillarStateMachines } from '../constructs/state-machines.js';
import { Storage } from '../constructs/storage.js';
import { WebhookSigning } from '../constructs/webhooks.js';

export interface BrandInfinityStackProps extends StackProps {
  stage: string;
  /** Approval mail sender address (SES email identity). */
  senderEmail?: string;
  /** Approval mail sender domain (SES domain identity). */
  senderDomain?: string;
  /** Default approver of new campaigns. */
  approverEmail?: string;
  /** Alarm notifications go to this address. */
  alarmEmail?: string;
  /** Which adapters serve the ports; offline by default. */
  providers?: Providers;
  /** Table and buckets: RETAIN unless a throwaway stage asks for DESTROY. */
  dataRemovalPolicy?: RemovalPolicy;
  /** Where each catalog entry's handler file is (tests: a fixture for entries not written yet). */
  entryResolver?: EntryResolver;
  /** Minify function bundles (default true). */
  minify?: boolean;
  /**
   * Master size, rendition scale and x264 preset (context `mediaProfile`): `full` (default, 1080×1920
   * masters, platform-size renditions) or `preview` (small and fast: rehearsals and as-deployed tests).
   */
  mediaProfile?: MediaProfile;
  /** The built review dashboard (web/dist), served from S3 behind CloudFront. */
  webDist?: string;
}

export { MEDIA_PROFILES, type MediaProfile };

/** The built dashboard (`npm run build:web`, run before synth and tests). */
export function webDistDir(): string {
  const dir = path.resolve(import.meta.dirname, '../../web/dist');
  if (!existsSync(path.join(dir, 'index.html')))
    throw new Error(`the review dashboard is not built (${dir}): run "npm run build:web" first`);
  return dir;
}

/** Composes the constructs; every resource is defined in infra/constructs. */
export class BrandInfinityStack extends Stack {
  readonly storage: Storage;
  readonly approvals: Approvals;
  readonly functions: PillarFunctions;
  readonly machines: PillarStateMachines;
  readonly api: CampaignApi;
  readonly scheduling: Scheduling;
  readonly observability: Observability;
  readonly dashboardUsers: DashboardUsers;
  readonly dashboard: DashboardSite;

  constructor(scope: Construct, id: string, props: BrandInfinityStackProps) {
    super(scope, id, props);
    Tags.of(this).add('project', 'brand-infinity-engine');
    Tags.of(this).add('stage', props.stage);
    const namePrefix = `${id}-`;
    const providers = props.providers ?? {};

    this.storage = new Storage(this, 'Storage', { removalPolicy: props.dataRemovalPolicy });
    this.approvals = new Approvals(this, 'Approvals', {
      senderEmail: props.senderEmail,
      senderDomain: props.senderDomain,
      approverEmail: props.approverEmail,
    });
    const webhooks = new WebhookSigning(this, 'Webhooks');
    const ffmpeg = new FfmpegLayer(this, 'Ffmpeg');
    this.scheduling = new Scheduling(this, 'Scheduling');

    this.functions = new PillarFunctions(this, 'Functions', {
      table: this.storage.table,
      bucket: this.storage.bucket,
      ffmpegLayer: ffmpeg.layer,
      approvals: this.approvals,
      webhooks,
      asyncDeadLetters: this.scheduling.deadLetters,
      entryResolver: props.entryResolver,
      minify: props.minify,
      environment: {
        APPROVER_EMAIL: this.approvals.approverEmail,
        BIE_TEXT_MODEL: providers.textModel ?? 'offline',
        BIE_EMBEDDER: providers.embedder ?? 'offline',
        BIE_VOICE: providers.voice ?? 'offline',
        BIE_VIDEO_PROVIDER: providers.videoProvider ?? 'offline',
        ...MEDIA_PROFILES[props.mediaProfile ?? 'full'],
      },
    });
    this.machines = new PillarStateMachines(this, 'StateMachines', {
      functions: this.functions,
      namePrefix,
    });
    this.functions.grantStateMachines(this.machines);
    this.functions.grantProviders(providers);

    this.dashboardUsers = new DashboardUsers(this, 'DashboardUsers', {
      removalPolicy: props.dataRemovalPolicy,
    });
    this.api = new CampaignApi(this, 'Api', { functions: this.functions, users: this.dashboardUsers });
    this.functions.connectApi(this.api.url);
    this.dashboard = new DashboardSite(this, 'Dashboard', {
      api: this.api.api,
      apiUrl: this.api.url,
      users: this.dashboardUsers,
      webDist: props.webDist ?? webDistDir(),
    });
    this.functions.setVariable('DASHBOARD_URL', this.dashboard.url);
    this.scheduling.attach(this.functions);

    this.observability = new Observability(this, 'Observability', {
      functions: this.functions,
      machines: this.machines,
      deadLetters: this.scheduling.deadLetters,
      alarmEmail: props.alarmEmail,
      namePrefix,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'CampaignStateMachineArn', {
      value: this.machines.get('Campaign').stateMachineArn,
    });
    new CfnOutput(this, 'TableName', { value: this.storage.table.tableName });
    new CfnOutput(this, 'MediaBucketName', { value: this.storage.bucket.bucketName });
    new CfnOutput(this, 'DashboardUrl', { value: this.dashboard.url });
    new CfnOutput(this, 'DashboardUserPoolId', { value: this.dashboardUsers.pool.userPoolId });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.topic.topicArn });
  }
}
