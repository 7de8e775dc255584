import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { acknowledge, wildcardResourceFinding } from '../nag.js';

/** Where providers that write into the media bucket put their clips (lambdas/production/domain/renders.ts). */
export const PROVIDER_RENDERS_PREFIX = 'provider-renders/';

export interface BedrockVideoGrant {
  /** Bedrock video model ids the function starts (e.g. amazon.nova-reel-v1:1, luma.ray-v2:0). */
  models: readonly string[];
  /** A model served from another region than the stack's (Luma Ray 2: us-west-2). */
  modelRegions?: Readonly<Partial<Record<string, string>>>;
  /** Key prefix of start keyframes Bedrock reads on the caller's behalf (Nova Reel's s3Location). */
  keyframePrefix?: string;
}

/**
 * What a function that submits or polls Bedrock async-invoke renders needs: `bedrock:InvokeModel` on
 * the exact foundation models (StartAsyncInvoke is authorised as InvokeModel), `bedrock:GetAsyncInvoke`
 * on this account's invocations, and, because Bedrock writes `output.mp4` (and reads a start keyframe)
 * with the caller's permissions, `s3:PutObject` on the provider-renders prefix of the media bucket
 * (and read on the keyframe prefix). Sources: docs.aws.amazon.com/nova/latest/userguide/video-gen-access.html.
 */
export function grantBedrockVideo(fn: IFunction, bucket: IBucket, grant: BedrockVideoGrant): void {
  const stack = Stack.of(fn);
  const regions = new Set<string>([stack.region]);
  const models = grant.models.map((id) => {
    const region = grant.modelRegions?.[id] ?? stack.region;
    regions.add(region);
    return stack.formatArn({
      service: 'bedrock',
      region,
      account: '',
      resource: 'foundation-model',
      resourceName: id,
    });
  });
  fn.addToRolePolicy(new PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: models }));
  const invocations = [...regions].map((region) =>
    stack.formatArn({
      service: 'bedrock',
      region,
      resource: 'async-invoke',
      resourceName: '*',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }),
  );
  fn.addToRolePolicy(new PolicyStatement({ actions: ['bedrock:GetAsyncInvoke'], resources: invocations }));
  const scope = fn.node.scope as Construct;
  for (const arn of invocations) {
    acknowledge(
      scope,
      wildcardResourceFinding(fn, arn),
      'Bedrock mints the invocation id at StartAsyncInvoke; the grant is this account’s async invocations only.',
    );
  }
  // Exact actions rather than grantPut/grantRead, whose action wildcards (s3:Abort*, s3:GetObject*) Bedrock does not need.
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`${PROVIDER_RENDERS_PREFIX}*`)],
    }),
  );
  acknowledge(
    scope,
    wildcardResourceFinding(fn, bucket.arnForObjects(`${PROVIDER_RENDERS_PREFIX}*`)),
    'Bedrock writes <prefix>/<invocationId>/output.mp4 with the caller’s role; ids are minted by Bedrock.',
  );
  if (grant.keyframePrefix) {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${grant.keyframePrefix}*`)],
      }),
    );
    acknowledge(
      scope,
      wildcardResourceFinding(fn, bucket.arnForObjects(`${grant.keyframePrefix}*`)),
      'Nova Reel reads the start keyframe from S3 with the caller’s role; keyframe keys are per scene.',
    );
  }
}

/**
 * The Gemini API key's secret (its value is set after deploy), readable by the given functions only;
 * the caller sets GEMINI_API_KEY_ARN to `secretArn` on the same functions.
 */
export function geminiApiKeySecret(scope: Construct, readers: readonly IFunction[]): Secret {
  const key = new Secret(scope, 'GeminiApiKey', {
    description: 'Gemini API key of the Veo video models (set the value after deploy)',
  });
  acknowledge(
    key,
    'AwsSolutions-SMG4',
    'A third-party API key cannot be rotated by a Lambda of ours: Google issues keys in AI Studio. ' +
      'Readable only by the functions that call the Gemini API.',
  );
  for (const fn of readers) key.grantRead(fn);
  return key;
}
