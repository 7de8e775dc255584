import { existsSync } from 'node:fs';
import path from 'node:path';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTIONS, type FunctionSpec, RUNTIME_PACKAGES, STATE_MACHINES } from '../../lambdas/catalog.js';
import { LUMA_RAY_2 } from '../../lambdas/shared/adapters/bedrock/bedrock-video-model.js';
import {
  declaredEnvironment,
  defaultValue,
  ENV_ROLES,
  ENVIRONMENT,
  type EnvName,
  modelUsers,
} from '../../lambdas/shared/config/index.js';
import MODELS from '../../lambdas/shared/config/models.json' with { type: 'json' };
import { ROOT } from '../asl.js';
import { acknowledge, wildcardResourceFinding } from '../nag.js';
import type { Approvals } from './approvals.js';
import { BaseFunction, LAYER_BIN } from './base-function.js';
import type { MachineId, PillarStateMachines } from './state-machines.js';
import { geminiApiKeySecret, grantBedrockVideo } from './video-providers.js';
import type { WebhookSigning } from './webhooks.js';

/**
 * Resolves a catalog entry to the handler file to bundle. The default is the catalog's own `entry`;
 * tests pass one that falls back to a fixture for handlers not written yet.
 */
export type EntryResolver = (spec: FunctionSpec, catalogEntry: string) => string;

/**
 * What functions do beyond the catalog's flags. Each list names catalog ids; an id missing from the
 * catalog fails synthesis (see `checkRoleIds`).
 */
export const FUNCTION_ROLES = {
  /** Sign (RequestApproval) or verify (ApprovalsApi) approval links: the signing key and APPROVAL_BASE_URL. */
  linkSigners: ENV_ROLES.linkSigners,
  /** Mail approval requests through SES. */
  mailSenders: ENV_ROLES.mailSenders,
  /** Sign (the offline video model's renderer) or verify (WebhooksApi) render callbacks. */
  webhookParties: ENV_ROLES.webhookParties,
  /** Give providers a callback URL (WEBHOOK_BASE_URL). */
  webhookCallers: ENV_ROLES.webhookCallers,
  /**
   * Task tokens a function answers for another one: ApprovalsApi completes the tokens RequestApproval
   * parked; WebhooksApi and PollRenders complete the render tokens SubmitRender parked; BudgetsApi
   * completes the budget checkpoint tokens RequestBudgetRaise parked.
   */
  tokenRelays: {
    ApprovalsApi: 'RequestApproval',
    WebhooksApi: 'SubmitRender',
    PollRenders: 'SubmitRender',
    BudgetsApi: 'RequestBudgetRaise',
  },
  /** Call the text model / embedder when a Bedrock provider is chosen. */
  modelUsers,
  /** Calls the voice provider when Polly is chosen. */
  voiceUsers: ['SynthesizeVoiceover'],
  /**
   * Functions invoked asynchronously (catalog `invokedBy`) → the variable that tells their invoker
   * their name. The invoker may invoke that function and nothing else; the invoked function gets the
   * dead-letter queue of asynchronous invocations.
   */
  asyncTargetNames: { RenderOfflineScene: 'OFFLINE_RENDERER_FUNCTION_NAME' },
} as const;

/** Bedrock's embedding model id (lambdas/shared/adapters/bedrock/titan-embedder.ts). */
const TITAN_EMBEDDING_MODEL = 'amazon.titan-embed-text-v2:0';
/** Cross-region inference profile ids start with their geography. */
const INFERENCE_PROFILE = /^(us|eu|apac|jp|au|ca|us-gov|global)\.(.+)$/;

export interface Providers {
  textModel?: 'offline' | 'bedrock' | 'openai';
  embedder?: 'offline' | 'titan' | 'openai';
  voice?: 'offline' | 'polly';
  /** Publisher per platform (BIE_PUBLISH_<PLATFORM>); absent platforms use the outbox. */
  publish?: Partial<Record<'youtube' | 'tiktok' | 'instagram' | 'linkedin', 'api' | 'blotato' | 'outbox'>>;
  /** BIE_VIDEO_PROVIDER: `offline`, or a comma list of the real providers (`fal`, `fal,bedrock,gemini`). */
  videoProvider?: string;
}

export interface PillarFunctionsProps {
  table: ITableV2;
  bucket: IBucket;
  ffmpegLayer: ILayerVersion;
  approvals: Approvals;
  webhooks: WebhookSigning;
  /** Dead-letter queue of the asynchronously invoked (scheduled) functions. */
  asyncDeadLetters: IQueue;
  /**
   * Variables of lambdas/shared/config's ENVIRONMENT known when the functions are built (provider
   * choices, the default approver); each goes only to the functions that use it.
   */
  environment: Partial<Record<EnvName, string>>;
  entryResolver?: EntryResolver;
  /** Minify bundles (default true). */
  minify?: boolean;
}

/** A function per catalog entry, with the grants its flags and roles ask for and nothing more. */
export class PillarFunctions extends Construct {
  readonly byId = new Map<string, NodejsFunction>();
  private readonly mediaBucket: IBucket;

  constructor(scope: Construct, id: string, props: PillarFunctionsProps) {
    super(scope, id);
    this.mediaBucket = props.bucket;
    checkRoleIds();
    const entries = resolveEntries(props.entryResolver);
    for (const spec of FUNCTIONS) {
      const base = new BaseFunction(this, spec.id, {
        spec,
        entry: entries.get(spec.id) as string,
        ffmpegLayer: spec.ffmpeg ? props.ffmpegLayer : undefined,
        deadLetterQueue: spec.schedule || spec.invokedBy ? props.asyncDeadLetters : undefined,
        minify: props.minify,
      });
      const fn = base.fn;
      this.byId.set(spec.id, fn);
      props.table.grantReadWriteData(fn);
      props.bucket.grantReadWrite(fn);
      if (has(FUNCTION_ROLES.linkSigners, spec.id)) props.approvals.grantLinkSigning(fn);
      if (has(FUNCTION_ROLES.mailSenders, spec.id)) props.approvals.grantSendMail(fn);
      if (has(FUNCTION_ROLES.webhookParties, spec.id)) props.webhooks.grant(fn);

      acknowledge(
        base,
        'AwsSolutions-IAM5[Resource::*]',
        'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) supports no resource-level ' +
          'permissions. tests/infra asserts these are the only actions granted on "*".',
      );
      if (!spec.schedule && !spec.invokedBy) {
        acknowledge(
          base,
          'Serverless-LambdaDLQ',
          'Invoked synchronously only (Step Functions lambda:invoke, or API Gateway), where a dead-letter ' +
            'queue never receives anything: failures return to the caller, and the state machines catch ' +
            'them into RecordFailure.',
        );
      }
    }
    this.setVariable('TABLE_NAME', props.table.tableName);
    this.setVariable('BUCKET_NAME', props.bucket.bucketName);
    // Every setting a function reads is declared in its template: the stack's value, else the default.
    const given: Partial<Record<EnvName, string>> = {
      BIE_FFMPEG_PATH: `${LAYER_BIN}/ffmpeg`,
      BIE_FFPROBE_PATH: `${LAYER_BIN}/ffprobe`,
      // Where BaseFunction copies the fonts package (Lambda's task root is /var/task).
      BIE_FONT_PATH: `/var/task/node_modules/${RUNTIME_PACKAGES.fonts}/ttf/DejaVuSans-Bold.ttf`,
      APPROVAL_SIGNING_SECRET_ARN: props.approvals.signingSecret.secretArn,
      WEBHOOK_SECRET_ARN: props.webhooks.secret.secretArn,
      // Empty: no sender, approvals are API-only (declared, so the function's template says so).
      MAIL_FROM: props.approvals.mailFrom ?? '',
      ...props.environment,
    };
    for (const name of Object.keys(ENVIRONMENT) as EnvName[]) {
      const def = ENVIRONMENT[name] as { usedBy?: unknown; required?: true };
      if (!def.usedBy) continue;
      const value = given[name] ?? (def.required ? undefined : defaultValue(name));
      if (value !== undefined) this.setVariable(name, value);
    }
    for (const name of Object.keys(props.environment)) {
      if (!(ENVIRONMENT[name as EnvName] as { usedBy?: unknown } | undefined)?.usedBy)
        throw new Error(`${name} is not a variable the stack sets (lambdas/shared/config ENVIRONMENT)`);
    }
    for (const spec of FUNCTIONS.filter((f) => f.invokedBy)) {
      const invoker = this.get(spec.invokedBy as string);
      const fn = this.get(spec.id);
      // The unqualified ARN only (no `:*` for versions, which grantInvoke would add).
      invoker.addToRolePolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
      );
      const names = FUNCTION_ROLES.asyncTargetNames as Record<string, EnvName>;
      this.setVariable(names[spec.id] as EnvName, fn.functionName);
    }

    // Findings every function shares, caused by the two grants above.
    acknowledge(
      this,
      wildcardResourceFinding(this, `${props.table.tableArn}/index/*`),
      'grantReadWriteData on the single table includes its four GSIs (gsi1..gsi4), which the data layer ' +
        'queries (brand→campaigns, status→campaigns, provider job→render, approval id→approval).',
    );
    acknowledge(
      this,
      wildcardResourceFinding(this, `${props.bucket.bucketArn}/*`),
      'grantReadWrite on the media bucket: object keys are generated per campaign/variant/scene under ' +
        'the media prefixes, so access is to the objects of this one bucket.',
    );
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
      acknowledge(
        this,
        `AwsSolutions-IAM5[Action::${action}]`,
        `${action} comes from bucket.grantReadWrite on the media bucket only (object versions, tags and ` +
          'multipart uploads of the media the pipeline writes and replaces).',
      );
    }
    acknowledge(
      this,
      'AwsSolutions-L1',
      'Node.js 22 is the project runtime (package.json engines, the embedded runtime, CI); Lambda supports ' +
        'nodejs22.x until 2027. Moving to Node 24 is a project-wide decision, not an infra one.',
    );
    acknowledge(
      this,
      'Serverless-LambdaLatestVersion',
      'Node.js 22 is the project runtime (package.json engines, the embedded runtime, CI); Lambda supports ' +
        'nodejs22.x until 2027. Moving to Node 24 is a project-wide decision, not an infra one.',
    );
  }

  /**
   * Sets a variable of lambdas/shared/config's ENVIRONMENT on exactly the functions its definition
   * says read it. The only way infra sets a function's environment, so the stack and the handlers
   * share one definition (a later value replaces an earlier one, e.g. a default).
   */
  setVariable(name: EnvName, value: string): void {
    const targets = FUNCTIONS.filter((f) => declaredEnvironment(f).includes(name));
    if (targets.length === 0) throw new Error(`${name} is read by no function: it is never set by the stack`);
    for (const spec of targets) this.get(spec.id).addEnvironment(name, value);
  }

  get(id: string): NodejsFunction {
    const fn = this.byId.get(id);
    if (!fn) throw new Error(`no function ${id} in the catalog`);
    return fn;
  }

  /**
   * Task-token and start-execution grants. Machines are referenced by name (see
   * PillarStateMachines.byName): they invoke these same functions, so references would form a cycle.
   */
  grantStateMachines(machines: PillarStateMachines): void {
    const campaign = STATE_MACHINES.find((m) => !m.nested);
    if (!campaign) throw new Error('the catalog has no top-level (non-nested) state machine');
    for (const spec of FUNCTIONS) {
      const fn = this.get(spec.id);
      if (spec.sendsTaskResults) {
        const relays = FUNCTION_ROLES.tokenRelays as Record<string, string>;
        const issuers = [spec.id, ...(relays[spec.id] ? [relays[spec.id] as string] : [])];
        const machineIds = [...new Set(issuers.flatMap((i) => machines.parkingTokensWith(i)))];
        if (machineIds.length === 0) {
          throw new Error(
            `${spec.id} sends task results, but no state machine hands a task token to it or to a function ` +
              'it answers for. Add it to FUNCTION_ROLES.tokenRelays in infra/constructs/functions.ts.',
          );
        }
        for (const m of machineIds) machines.byName(m as MachineId).grantTaskResponse(fn);
      }
      if (spec.startsExecutions) {
        const machine = machines.byName(campaign.id);
        machine.grantStartExecution(fn);
      }
      if (spec.redrivesExecutions) {
        const executions = Stack.of(this).formatArn({
          service: 'states',
          resource: 'execution',
          resourceName: `${machines.nameOf(campaign.id)}:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        });
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ['states:RedriveExecution'], resources: [executions] }),
        );
        acknowledge(
          fn.role ?? fn,
          wildcardResourceFinding(fn, executions),
          'RedriveExecution acts on an execution ARN; orchestrator executions are named after their campaigns ' +
            'at run time, so the resource is that one machine’s execution ARN prefix.',
        );
      }
    }
    const machine = machines.byName(campaign.id);
    this.setVariable('CAMPAIGN_STATE_MACHINE_ARN', machine.stateMachineArn);
  }

  /** Base URLs of the HTTP API, for the functions that put links or callback URLs into messages. */
  connectApi(url: string): void {
    this.setVariable('APPROVAL_BASE_URL', url);
    this.setVariable('WEBHOOK_BASE_URL', url);
  }

  /** Model and voice permissions only for the providers chosen, only for the functions that call them. */
  grantProviders(p: Providers): void {
    const stack = Stack.of(this);
    const modelArns: string[] = [];
    if (p.textModel === 'bedrock') {
      const ids = Object.entries(MODELS.bedrock_text_tasks)
        .filter(([task]) => !task.startsWith('$'))
        .map(([, id]) => id);
      for (const id of new Set(ids)) {
        const profile = INFERENCE_PROFILE.exec(id);
        if (profile) {
          modelArns.push(
            stack.formatArn({ service: 'bedrock', resource: 'inference-profile', resourceName: id }),
            // A cross-region profile routes to the model in any region of its geography.
            stack.formatArn({
              service: 'bedrock',
              region: '*',
              account: '',
              resource: 'foundation-model',
              resourceName: profile[2],
            }),
          );
        } else {
          modelArns.push(
            stack.formatArn({
              service: 'bedrock',
              account: '',
              resource: 'foundation-model',
              resourceName: id,
            }),
          );
        }
      }
    }
    if (p.embedder === 'titan') {
      modelArns.push(
        stack.formatArn({
          service: 'bedrock',
          account: '',
          resource: 'foundation-model',
          resourceName: TITAN_EMBEDDING_MODEL,
        }),
      );
    }
    if (modelArns.length > 0) {
      for (const spec of FUNCTIONS.filter(FUNCTION_ROLES.modelUsers)) {
        const fn = this.get(spec.id);
        fn.addToRolePolicy(new PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: modelArns }));
        for (const arn of modelArns.filter((a) => a.includes('*'))) {
          acknowledge(
            fn.node.scope as Construct,
            wildcardResourceFinding(fn, arn),
            'A cross-region inference profile may serve the request from any region of its geography; ' +
              'the grant names the exact model, only the region is open.',
          );
        }
      }
    }
    if (p.textModel === 'openai' || p.embedder === 'openai') {
      // The key is set after deploy (`aws secretsmanager put-secret-value`); the functions read it by ARN.
      const key = new Secret(this, 'OpenAiApiKey', {
        description: 'OpenAI API key of the text model / embedder (set the value after deploy)',
      });
      acknowledge(
        key,
        'AwsSolutions-SMG4',
        'A third-party API key cannot be rotated by a Lambda of ours: OpenAI issues keys in its dashboard. ' +
          'Readable only by the functions that call OpenAI.',
      );
      this.setVariable('OPENAI_API_KEY_ARN', key.secretArn);
      for (const spec of FUNCTIONS.filter(FUNCTION_ROLES.modelUsers)) key.grantRead(this.get(spec.id));
    }
    // Platform publishing: an OAuth client secret per `api` platform, one Blotato key if any platform
    // uses Blotato. The values are set after deploy; only the publishing functions read them.
    const publish = Object.entries(p.publish ?? {});
    // [id, variable, what, written back]: platforms rotate OAuth refresh tokens, an API key never changes.
    const secrets: [string, EnvName, string, boolean][] = [];
    for (const [platform, mode] of publish) {
      this.setVariable(`BIE_PUBLISH_${platform.toUpperCase()}` as EnvName, mode);
      if (mode === 'api') {
        const id = `${platform[0]?.toUpperCase()}${platform.slice(1)}OAuth`;
        secrets.push([
          id,
          `${platform.toUpperCase()}_OAUTH_ARN` as EnvName,
          `${platform} OAuth client and refresh token`,
          true,
        ]);
      }
    }
    if (publish.some(([, mode]) => mode === 'blotato')) {
      secrets.push(['BlotatoApiKey', 'BLOTATO_API_KEY_ARN', 'Blotato API key', false]);
    }
    for (const [id, variable, what, writtenBack] of secrets) {
      const secret = new Secret(this, id, {
        description: `${what}, JSON or key (set the value after deploy)`,
      });
      acknowledge(
        secret,
        'AwsSolutions-SMG4',
        'Issued by the platform (OAuth consent or its dashboard): a rotation Lambda cannot re-issue it. ' +
          'The publisher refreshes access tokens from it and stores the refresh token the platform rotates ' +
          '(TikTok, Meta). Readable and writable only by the publishing functions.',
      );
      this.setVariable(variable, secret.secretArn);
      for (const fnId of ENV_ROLES.platformClients) {
        secret.grantRead(this.get(fnId));
        // The platform invalidates the refresh token it replaced: the new one must be stored at once.
        if (writtenBack) secret.grantWrite(this.get(fnId));
      }
    }
    if ((p.videoProvider ?? '').split(',').includes('fal')) {
      // The key is set after deploy; the functions that call the fal queue read it by ARN.
      const key = new Secret(this, 'FalKey', {
        description: 'fal.ai API key of the video models (set the value after deploy)',
      });
      acknowledge(
        key,
        'AwsSolutions-SMG4',
        'A third-party API key cannot be rotated by a Lambda of ours: fal issues keys in its dashboard. ' +
          'Readable only by the functions that call the fal queue.',
      );
      this.setVariable('FAL_KEY_ARN', key.secretArn);
      for (const id of ENV_ROLES.falCallers) key.grantRead(this.get(id));
    }
    const video = (p.videoProvider ?? '').split(',').map((v) => v.trim());
    if (video.includes('bedrock')) {
      // Bedrock writes output.mp4 (and reads Nova Reel's start keyframe) with the caller's permissions.
      const models = Object.values(MODELS.video_models)
        .filter((m) => typeof m === 'object' && m.provider === 'bedrock' && !('retired_on' in m))
        .map((m) => (m as { provider_model: string }).provider_model);
      for (const id of ENV_ROLES.videoModelUsers)
        grantBedrockVideo(this.get(id), this.mediaBucket, {
          models,
          modelRegions: { [LUMA_RAY_2]: 'us-west-2' },
          keyframePrefix: 'keyframes/',
        });
    }
    if (video.includes('gemini')) {
      const key = geminiApiKeySecret(
        this,
        ENV_ROLES.videoModelUsers.map((id) => this.get(id)),
      );
      this.setVariable('GEMINI_API_KEY_ARN', key.secretArn);
    }
    if (p.voice === 'polly') {
      for (const id of FUNCTION_ROLES.voiceUsers) {
        const fn = this.get(id);
        fn.addToRolePolicy(new PolicyStatement({ actions: ['polly:SynthesizeSpeech'], resources: ['*'] }));
        acknowledge(
          fn.node.scope as Construct,
          'AwsSolutions-IAM5[Resource::*]',
          'polly:SynthesizeSpeech has no resource to scope to when no lexicon is used, and X-Ray ' +
            '(xray:PutTraceSegments, PutTelemetryRecords) supports no resource-level permissions.',
        );
      }
    }
  }
}

const has = (list: readonly string[], id: string): boolean => list.includes(id);

/** Every id named in FUNCTION_ROLES must be in the catalog. */
function checkRoleIds(): void {
  const known = new Set(FUNCTIONS.map((f) => f.id));
  const named = [
    ...FUNCTION_ROLES.linkSigners,
    ...FUNCTION_ROLES.mailSenders,
    ...FUNCTION_ROLES.webhookParties,
    ...FUNCTION_ROLES.webhookCallers,
    ...FUNCTION_ROLES.voiceUsers,
    ...Object.entries(FUNCTION_ROLES.tokenRelays).flat(),
    ...Object.keys(FUNCTION_ROLES.asyncTargetNames),
  ];
  const unknown = [...new Set(named.filter((id) => !known.has(id)))];
  for (const f of FUNCTIONS.filter((x) => x.invokedBy)) {
    if (!known.has(f.invokedBy as string)) unknown.push(`${f.invokedBy} (invokedBy of ${f.id})`);
    const name = (FUNCTION_ROLES.asyncTargetNames as Record<string, EnvName>)[f.id];
    if (!name)
      throw new Error(
        `${f.id} is invoked asynchronously: name its variable in FUNCTION_ROLES.asyncTargetNames`,
      );
    const invoker = FUNCTIONS.find((x) => x.id === f.invokedBy);
    if (invoker && !declaredEnvironment(invoker).includes(name))
      throw new Error(`${invoker.id} invokes ${f.id}: make it a user of ${name} in lambdas/shared/config`);
  }
  if (unknown.length > 0) {
    throw new Error(
      `FUNCTION_ROLES in infra/constructs/functions.ts names functions not in the catalog: ${unknown.join(', ')}`,
    );
  }
}

/** Every catalog entry resolved to an existing file, or one error listing all that are missing. */
function resolveEntries(resolver?: EntryResolver): Map<string, string> {
  const entries = new Map<string, string>();
  const missing: string[] = [];
  for (const spec of FUNCTIONS) {
    const catalogEntry = path.join(ROOT, spec.entry);
    const entry = resolver ? resolver(spec, catalogEntry) : catalogEntry;
    if (!existsSync(entry)) missing.push(`${spec.id} (${path.relative(ROOT, entry)})`);
    entries.set(spec.id, entry);
  }
  if (missing.length > 0) {
    throw new Error(
      `Handler files missing for catalog entries: ${missing.join(', ')}. Each catalog entry needs its ` +
        'handler file (exporting `handler`) before the stack can be synthesized.',
    );
  }
  return entries;
}
