import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { FUNCTIONS, type FunctionSpec } from '../../lambdas/catalog.js';
import { CampaignApi } from '../constructs/api.js';
import { Approvals } from '../constructs/approvals.js';
import { FfmpegLayer } from '../constructs/ffmpeg-layer.js';
import { PillarFunctions } from '../constructs/functions.js';
import { Observability } from '../constructs/observability.js';
import { Scheduling } from '../constructs/scheduling.js';
import { PillarStateMachines } from '../constructs/state-machines.js';
import { Storage } from '../constructs/storage.js';

export interface BrandInfinityStackProps extends StackProps {
  stage: string;
  senderEmail?: string;
  approverEmail?: string;
  alarmEmail?: string;
  entryResolver?: (spec: FunctionSpec) => string;
  /** Which adapters serve the ports (context `textModel`, `embedder`, `voice`); offline by default. */
  providers?: {
    textModel?: 'offline' | 'bedrock';
    embedder?: 'offline' | 'titan';
    voice?: 'offline' | 'polly';
  };
}

/** Composes the constructs; no resources are defined here directly. */
export class BrandInfinityStack extends Stack {
  readonly storage: Storage;
  readonly functions: PillarFunctions;
  readonly machines: PillarStateMachines;
  readonly api: CampaignApi;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: BrandInfinityStackProps) {
    super(scope, id, props);
    const prefix = `${id}-`;
    this.storage = new Storage(this, 'Storage', { retain: props.stage === 'prod' });
    const approvals = new Approvals(this, 'Approvals', { senderEmail: props.senderEmail });
    const ffmpeg = new FfmpegLayer(this, 'Ffmpeg');
    this.functions = new PillarFunctions(this, 'Functions', {
      table: this.storage.table,
      bucket: this.storage.bucket,
      ffmpegLayer: ffmpeg.layer,
      signingSecret: approvals.signingSecret,
      stateMachinePrefix: prefix,
      entryResolver: props.entryResolver,
      environment: {
        TABLE_NAME: this.storage.table.tableName,
        BUCKET_NAME: this.storage.bucket.bucketName,
        MAIL_FROM: props.senderEmail ?? 'approvals@example.com',
        APPROVER_EMAIL: props.approverEmail ?? 'brand-manager@example.com',
        BIE_TEXT_MODEL: props.providers?.textModel ?? 'offline',
        BIE_EMBEDDER: props.providers?.embedder ?? 'offline',
        BIE_VOICE: props.providers?.voice ?? 'offline',
      },
    });
    this.machines = new PillarStateMachines(this, 'StateMachines', {
      functions: this.functions,
      namePrefix: prefix,
    });
    this.api = new CampaignApi(this, 'Api', { functions: this.functions });
    const scheduling = new Scheduling(this, 'Scheduling', { functions: this.functions });
    this.observability = new Observability(this, 'Observability', {
      functions: this.functions,
      machines: this.machines,
      alarmEmail: props.alarmEmail,
    });

    const campaign = this.machines.get('Campaign');
    const campaignsApi = this.functions.get('CampaignsApi');
    campaign.grantStartExecution(campaignsApi);
    campaignsApi.addEnvironment('CAMPAIGN_STATE_MACHINE_ARN', campaign.stateMachineArn);
    const apiUrl = this.api.api.apiEndpoint;
    for (const fn of this.functions.byId.values()) {
      fn.addEnvironment('EVENT_BUS_NAME', scheduling.bus.eventBusName);
    }
    for (const id of ['RequestApproval', 'ApprovalsApi', 'SubmitRender']) {
      const fn = this.functions.get(id);
      fn.addEnvironment('APPROVAL_BASE_URL', apiUrl);
      fn.addEnvironment('WEBHOOK_BASE_URL', apiUrl);
    }
    if (approvals.identity) approvals.identity.grantSendEmail(this.functions.get('RequestApproval'));
    this.grantProviders(props.providers ?? {});
    new CfnOutput(this, 'ApiUrl', { value: apiUrl });
    new CfnOutput(this, 'CampaignStateMachineArn', { value: campaign.stateMachineArn });
  }

  /** Model and voice permissions only for the providers chosen, only for the functions that call them. */
  private grantProviders(p: NonNullable<BrandInfinityStackProps['providers']>): void {
    const modelUsers = FUNCTIONS.filter(
      (f) => f.pillar === 'strategist' || f.pillar === 'copywriter' || f.id === 'BrandsApi',
    ).map((f) => this.functions.get(f.id));
    if (p.textModel === 'bedrock' || p.embedder === 'titan') {
      for (const fn of modelUsers) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['bedrock:InvokeModel'],
            resources: [
              `arn:aws:bedrock:*::foundation-model/*`,
              `arn:aws:bedrock:${this.region}:${this.account}:inference-profile/*`,
            ],
          }),
        );
      }
    }
    if (p.voice === 'polly') {
      this.functions
        .get('SynthesizeVoiceover')
        .addToRolePolicy(new PolicyStatement({ actions: ['polly:SynthesizeSpeech'], resources: ['*'] }));
    }
  }
}
