import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyNag } from '../../infra/nag.js';
import { BrandInfinityStack } from '../../infra/stacks/brand-infinity-stack.js';
import { FUNCTIONS, ROUTES, STATE_MACHINES } from '../../lambdas/catalog.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

let template: Template;
let resources: Resources;
let synthError: unknown;

beforeAll(() => {
  // One synthesis for the file; asset bundling is skipped (the synth test in CI bundles for real).
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new BrandInfinityStack(app, 'BrandInfinity-test', {
    stage: 'test',
    env: { account: '123456789012', region: 'us-east-1' },
  });
  applyNag(app, stack);
  try {
    app.synth();
  } catch (e) {
    synthError = e;
  }
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
}, 120_000);

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('the CDK stack', () => {
  it('passes cdk-nag AwsSolutions with only acknowledged findings', () => {
    expect(synthError).toBeUndefined();
  });

  it('builds the six state machines from the ASL files with every placeholder substituted', () => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(6);
    const expected = STATE_MACHINES.map((m) =>
      [
        ...new Set(
          [...readFileSync(path.join(ROOT, m.file), 'utf8').matchAll(/\$\{(\w+)\}/g)].map((x) => x[1]),
        ),
      ].sort(),
    );
    const actual = machines.map(([, r]) =>
      Object.keys(r.Properties.DefinitionSubstitutions as object).sort(),
    );
    expect(actual.map((a) => a.join()).sort()).toEqual(expected.map((e) => e.join()).sort());
    for (const [, r] of machines) expect(r.Properties.DefinitionS3Location).toBeDefined();
  });

  it('logs every state machine at level ALL with X-Ray tracing', () => {
    template.allResourcesProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      TracingConfiguration: { Enabled: true },
    });
  });

  it('has one single table with the four GSIs, on demand, with point-in-time recovery', () => {
    expect(ofType('AWS::DynamoDB::GlobalTable')).toHaveLength(1);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: ['gsi1', 'gsi2', 'gsi3', 'gsi4'].map((n) => Match.objectLike({ IndexName: n })),
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it('blocks public access, enforces TLS and encrypts the media bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }),
        ],
      }),
      LifecycleConfiguration: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  });

  it('moves media to IA at 30 days, Glacier IR at 90 and Deep Archive at 180', () => {
    const [, bucket] =
      ofType('AWS::S3::Bucket').find(
        ([, r]) =>
          r.Properties.LifecycleConfiguration &&
          (r.Properties.LifecycleConfiguration as { Rules: unknown[] }).Rules.length > 2,
      ) ?? [];
    const rules = (
      (bucket as { Properties: Record<string, unknown> }).Properties.LifecycleConfiguration as {
        Rules: { Prefix?: string; Transitions?: { StorageClass: string; TransitionInDays: number }[] }[];
      }
    ).Rules;
    for (const prefix of ['renders/', 'masters/', 'renditions/', 'thumbnails/', 'captions/']) {
      const rule = rules.find((r) => r.Prefix === prefix);
      expect(rule?.Transitions, prefix).toEqual([
        { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
        { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
        { StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 180 },
      ]);
    }
  });

  it('runs every function on nodejs22.x, arm64 unless it needs the ffmpeg layer', () => {
    const fns = ofType('AWS::Lambda::Function').filter(
      ([, r]) => r.Properties.Runtime !== undefined && String(r.Properties.Description ?? '').length > 0,
    );
    expect(fns).toHaveLength(FUNCTIONS.length);
    for (const [, r] of fns) {
      const spec = FUNCTIONS.find((f) => f.description === r.Properties.Description);
      expect(r.Properties.Runtime).toBe('nodejs22.x');
      expect(r.Properties.Architectures).toEqual([spec?.ffmpeg ? 'x86_64' : 'arm64']);
      expect(Boolean(r.Properties.Layers), spec?.id).toBe(Boolean(spec?.ffmpeg));
    }
  });

  it('ships the ffmpeg layer for x86_64 on Node 22', () => {
    template.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleRuntimes: ['nodejs22.x'],
      CompatibleArchitectures: ['x86_64'],
    });
  });

  it('routes every API path to its function', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(routes.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('alarms on failed executions of every state machine', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(
      ([, r]) => r.Properties.MetricName === 'ExecutionsFailed',
    );
    expect(alarms).toHaveLength(6);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'BudgetUsedPercent',
      Threshold: 90,
    });
  });

  it('schedules trend scraping hourly and render polling every minute', () => {
    const schedules = ofType('AWS::Events::Rule')
      .map(([, r]) => r.Properties.ScheduleExpression)
      .sort();
    expect(schedules).toEqual(['rate(1 hour)', 'rate(1 minute)']);
  });

  it('never grants DynamoDB or S3 actions on every resource', () => {
    for (const [, p] of ofType('AWS::IAM::Policy')) {
      const statements = (
        p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }
      ).Statement;
      for (const s of statements) {
        const actions = [s.Action].flat();
        if (actions.some((a) => a.startsWith('dynamodb:') || a.startsWith('s3:')))
          expect(s.Resource).not.toBe('*');
      }
    }
  });

  it('lets only the task-token functions send task results', () => {
    const senders = ofType('AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('states:SendTaskSuccess'),
    );
    expect(senders).toHaveLength(FUNCTIONS.filter((f) => f.sendsTaskResults).length);
  });
});

describe('provider choices', () => {
  it('grant Bedrock and Polly only when chosen, only to the functions that call them', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new BrandInfinityStack(app, 'BrandInfinity-providers', {
      stage: 'test',
      env: { account: '123456789012', region: 'us-east-1' },
      providers: { textModel: 'bedrock', embedder: 'titan', voice: 'polly' },
    });
    const policies = Object.values(Template.fromStack(stack).toJSON().Resources as Resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy',
    );
    const withAction = (action: string) =>
      policies.filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes(action)).length;
    expect(withAction('bedrock:InvokeModel')).toBe(
      FUNCTIONS.filter((f) => f.pillar === 'strategist' || f.pillar === 'copywriter' || f.id === 'BrandsApi')
        .length,
    );
    expect(withAction('polly:SynthesizeSpeech')).toBe(1);
    expect(withAction('bedrock:InvokeModel') + withAction('polly:')).toBeGreaterThan(0);
    const offline = ofType('AWS::IAM::Policy').filter(([, p]) =>
      /bedrock:|polly:/.test(JSON.stringify(p.Properties.PolicyDocument)),
    );
    expect(offline).toHaveLength(0);
  });
});
