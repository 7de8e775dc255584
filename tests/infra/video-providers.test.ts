import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { geminiApiKeySecret, grantBedrockVideo } from '../../infra/constructs/video-providers.js';
import { applyNag } from '../../infra/nag.js';
import { actionsOf, ofType, type Resource, resourcesOf, type Statement } from './synth.js';

/** One render-submitting function and the media bucket, granted Bedrock video, with cdk-nag on. */
function build() {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'bie-video-grants-'));
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  const stack = new Stack(app, 'VideoGrants', { env: { account: '123456789012', region: 'us-east-1' } });
  const bucket = new Bucket(stack, 'Media');
  const fn = new LambdaFunction(stack, 'SubmitRender', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({})'),
  });
  grantBedrockVideo(fn, bucket, {
    models: ['amazon.nova-reel-v1:1', 'luma.ray-v2:0'],
    modelRegions: { 'luma.ray-v2:0': 'us-west-2' },
    keyframePrefix: 'keyframes/',
  });
  const secret = geminiApiKeySecret(stack, [fn]);
  applyNag(app);
  const consoleError = console.error;
  console.error = () => {};
  try {
    app.synth();
  } finally {
    console.error = consoleError;
  }
  const report = path.join(outdir, 'validation-report.json');
  const findings = existsSync(report)
    ? (
        JSON.parse(readFileSync(report, 'utf8')) as {
          pluginReports: {
            violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
          }[];
        }
      ).pluginReports.flatMap((r) => r.violations)
    : [];
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  rmSync(outdir, { recursive: true, force: true });
  const statements = ofType(resources, 'AWS::IAM::Policy').flatMap(
    ([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
  return { stack, bucket, secret, resources, statements, findings };
}

/** An ARN as CloudFormation will see it, with the partition token written `aws`. */
const flat = (r: unknown): string => {
  if (typeof r === 'string') return r;
  const join = (r as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) return JSON.stringify(r);
  return join[1]
    .map((p) =>
      typeof p === 'string' ? p : (p as { Ref?: string }).Ref === 'AWS::Partition' ? 'aws' : flat(p),
    )
    .join(join[0]);
};
const grantsFor = (statements: Statement[], action: string) =>
  statements
    .filter((s) => actionsOf(s).includes(action))
    .flatMap(resourcesOf)
    .map(flat);

describe('Bedrock video grants', () => {
  const built = build();

  it('allow InvokeModel on exactly the video models, each in the region that serves it', () => {
    expect(grantsFor(built.statements, 'bedrock:InvokeModel').sort()).toEqual([
      'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-reel-v1:1',
      'arn:aws:bedrock:us-west-2::foundation-model/luma.ray-v2:0',
    ]);
  });

  it('allow GetAsyncInvoke on this account’s invocations in those regions, and nothing broader', () => {
    expect(grantsFor(built.statements, 'bedrock:GetAsyncInvoke').sort()).toEqual([
      'arn:aws:bedrock:us-east-1:123456789012:async-invoke/*',
      'arn:aws:bedrock:us-west-2:123456789012:async-invoke/*',
    ]);
    const bedrockActions = built.statements.flatMap(actionsOf).filter((a) => a.startsWith('bedrock:'));
    expect(new Set(bedrockActions)).toEqual(new Set(['bedrock:InvokeModel', 'bedrock:GetAsyncInvoke']));
  });

  it('let Bedrock write output.mp4 under provider-renders/ and read keyframes with the caller’s role', () => {
    const puts = grantsFor(built.statements, 's3:PutObject');
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatch(/\/provider-renders\/\*$/);
    const reads = grantsFor(built.statements, 's3:GetObject');
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatch(/\/keyframes\/\*$/);
  });

  it('acknowledge each wildcard they add, so cdk-nag finds no unexplained one', () => {
    const iam5 = built.findings.filter((f) => f.ruleName.startsWith('AwsSolutions-IAM5'));
    expect(iam5.map((f) => `${f.ruleName} ${f.violatingConstructs.map((c) => c.constructPath)}`)).toEqual([]);
  });
});

describe('the Gemini API key secret', () => {
  it('is readable by the given functions and carries no value', () => {
    const { resources, statements, secret, stack } = build();
    const [secretId, res] = ofType(resources, 'AWS::SecretsManager::Secret')[0] as [string, Resource];
    expect(res.Properties.SecretString).toBeUndefined();
    expect(stack.resolve(secret.secretArn)).toEqual({ Ref: secretId });
    const reads = statements
      .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
      .flatMap(resourcesOf);
    expect(reads).toContainEqual({ Ref: secretId });
  });
});
