import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeholdersIn, readAsl, targetOf } from '../../infra/asl.js';
import { FUNCTION_ROLES } from '../../infra/constructs/functions.js';
import { MEDIA_PREFIXES } from '../../infra/constructs/storage.js';
import { FUNCTIONS, ROUTES, routeAuth, STATE_MACHINES } from '../../lambdas/catalog.js';
import { ENV_ROLES } from '../../lambdas/shared/config/index.js';
import { TABLE_DESIGN } from '../../lambdas/shared/data/table.js';
import {
  actionsOf,
  ofType,
  type Resource,
  ROOT,
  resourcesOf,
  type Synthesized,
  statementsOfRole,
  synthesize,
} from './synth.js';

let s: Synthesized;
let R: Record<string, Resource>;

beforeAll(() => {
  s = synthesize();
  R = s.resources;
}, 120_000);
afterAll(() => s?.cleanup());

const logicalId = (c: IConstruct): string =>
  Stack.of(c).resolve((c.node.defaultChild as CfnElement).logicalId);
const fnId = (id: string) => logicalId(s.stack.functions.get(id));
const fnRoleId = (id: string) => logicalId(s.stack.functions.get(id).role as IConstruct);
const machineId = (id: (typeof STATE_MACHINES)[number]['id']) => logicalId(s.stack.machines.get(id));
const props = (logical: string) => (R[logical] as Resource).Properties;
const env = (id: string) => (props(fnId(id)).Environment as { Variables: Record<string, unknown> }).Variables;
const machineArnByName = (id: string) =>
  `arn:aws:states:us-east-1:123456789012:stateMachine:BrandInfinity-test-${id}`;

describe('validation', () => {
  it('passes cdk-nag (AwsSolutions, Serverless) and CloudFormation validation without unacknowledged errors', () => {
    const errors = s.violations.filter((v) => v.severity === 'error' || v.severity === 'fatal');
    expect(errors.map((e) => `${e.pluginName} ${e.ruleName}: ${e.constructs.join(', ')}`)).toEqual([]);
    expect(s.violations.map((v) => v.pluginName)).not.toContain(undefined);
  });

  it('warns only that approvals are API-only when no sender is configured', () => {
    const warnings = s.violations.filter((v) => v.severity === 'warning');
    expect(warnings.map((v) => v.ruleName)).toEqual([expect.stringContaining('bie:approvals:no-sender')]);
    expect(warnings[0]?.description).toContain('approvals are API-only');
  });
});

describe('state machines', () => {
  it('are exactly six Standard state machines, one per ASL file, named after the stack', () => {
    const machines = ofType(R, 'AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(6);
    expect(machines.map(([, m]) => m.Properties.StateMachineName).sort()).toEqual(
      STATE_MACHINES.map((m) => `BrandInfinity-test-${m.id}`).sort(),
    );
    for (const [, m] of machines) expect(m.Properties.StateMachineType).toBe('STANDARD');
  });

  it.each(STATE_MACHINES.map((m) => [m.id, m] as const))(
    'substitutes every placeholder of the %s ASL file with the right function or child machine',
    (id, spec) => {
      const substitutions = props(machineId(id)).DefinitionSubstitutions as Record<string, unknown>;
      const placeholders = placeholdersIn(readAsl(spec));
      expect(Object.keys(substitutions).sort()).toEqual([...placeholders].sort());
      for (const p of placeholders) {
        const target = targetOf(p);
        if (target?.kind === 'function') {
          expect(substitutions[p], p).toEqual({ 'Fn::GetAtt': [fnId(target.id), 'Arn'] });
        } else if (target?.kind === 'stateMachine') {
          expect(substitutions[p], p).toEqual({ Ref: machineId(target.id) });
        } else {
          throw new Error(`${spec.file}: unknown placeholder ${p}`);
        }
      }
    },
  );

  it.each(STATE_MACHINES.map((m) => [m.id, m] as const))(
    'uploads the %s ASL file unchanged as the definition asset (DefinitionS3Location)',
    (id, spec) => {
      const location = props(machineId(id)).DefinitionS3Location as { Bucket: unknown; Key: string };
      expect(props(machineId(id)).DefinitionString).toBeUndefined();
      expect(location.Key).toMatch(/^[0-9a-f]{64}\.json$/);
      const asset = readFileSync(path.join(s.outdir, `asset.${location.Key}`), 'utf8');
      expect(asset).toBe(readFileSync(path.join(ROOT, spec.file), 'utf8'));
    },
  );

  it('log every execution at level ALL with execution data, and trace with X-Ray', () => {
    s.template.allResourcesProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      TracingConfiguration: { Enabled: true },
    });
  });

  it.each(STATE_MACHINES.map((m) => [m.id, m] as const))(
    'lets %s invoke exactly the functions its ASL names, by unqualified ARN',
    (id, spec) => {
      const role = (props(machineId(id)).RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const invoked = statementsOfRole(R, role)
        .filter((st) => actionsOf(st).includes('lambda:InvokeFunction'))
        .flatMap(resourcesOf);
      const expected = placeholdersIn(readAsl(spec)).flatMap((p) => {
        const t = targetOf(p);
        return t?.kind === 'function' ? [{ 'Fn::GetAtt': [fnId(t.id), 'Arn'] }] : [];
      });
      expect(invoked).toHaveLength(expected.length);
      expect(invoked).toEqual(expect.arrayContaining(expected));
    },
  );

  it('lets the orchestrator start, describe and stop its children (.sync:2) and manage the completion rule', () => {
    const role = (props(machineId('Campaign')).RoleArn as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    const statements = statementsOfRole(R, role);
    const children = STATE_MACHINES.filter((m) => m.nested);
    const on = (action: string) =>
      statements.filter((st) => actionsOf(st).includes(action)).flatMap(resourcesOf);
    expect(on('states:StartExecution')).toEqual(
      expect.arrayContaining(children.map((c) => ({ Ref: machineId(c.id) }))),
    );
    for (const action of ['states:DescribeExecution', 'states:StopExecution']) {
      expect(on(action).sort()).toEqual(
        children
          .map((c) => `arn:aws:states:us-east-1:123456789012:execution:BrandInfinity-test-${c.id}:*`)
          .sort(),
      );
    }
    for (const action of ['events:PutTargets', 'events:PutRule', 'events:DescribeRule']) {
      expect(on(action)).toEqual([
        'arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule',
      ]);
    }
  });
});

describe('storage', () => {
  it('is one on-demand table with pk/sk, the four GSIs projecting ALL and point-in-time recovery', () => {
    expect(ofType(R, 'AWS::DynamoDB::GlobalTable')).toHaveLength(1);
    expect(ofType(R, 'AWS::DynamoDB::Table')).toHaveLength(0);
    s.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_DESIGN.indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          ...(i.sortKey ? [{ AttributeName: i.sortKey, KeyType: 'RANGE' }] : []),
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      SSESpecification: Match.objectLike({ SSEEnabled: true }),
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
    expect(TABLE_DESIGN.indexes.map((i) => i.name)).toEqual(['gsi1', 'gsi2', 'gsi3', 'gsi4']);
  });

  it('retains the table and the data buckets by default; the dashboard site is rebuilt on each deploy', () => {
    const site = logicalId(s.stack.dashboard.bucket);
    for (const type of ['AWS::DynamoDB::GlobalTable', 'AWS::S3::Bucket']) {
      for (const [id, r] of ofType(R, type))
        expect(r.DeletionPolicy, id).toBe(id === site ? 'Delete' : 'Retain');
    }
  });

  const mediaBucket = () => {
    const id = logicalId(s.stack.storage.bucket);
    return [id, props(id)] as const;
  };

  it('blocks public access, encrypts, versions and logs the media bucket', () => {
    const [, bucket] = mediaBucket();
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logicalId(s.stack.storage.accessLogs) },
      LogFilePrefix: 'media/',
    });
  });

  it('denies every request to either bucket that does not use TLS', () => {
    for (const bucket of [s.stack.storage.bucket, s.stack.storage.accessLogs]) {
      s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId(bucket) },
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        }),
      });
    }
  });

  type Rule = {
    Prefix?: string;
    Status: string;
    Transitions?: { StorageClass: string; TransitionInDays: number }[];
    ExpirationInDays?: number;
  };
  const rules = () =>
    (mediaBucket()[1].LifecycleConfiguration as { Rules: Rule[] }).Rules.filter(
      (r) => r.Status === 'Enabled',
    );

  it.each([...MEDIA_PREFIXES])(
    'moves %s to STANDARD_IA at 30 days, GLACIER_IR at 90 and DEEP_ARCHIVE at 180',
    (prefix) => {
      const rule = rules().find((r) => r.Prefix === prefix);
      expect(rule?.Transitions).toEqual([
        { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
        { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
        { StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 180 },
      ]);
      expect(rule?.ExpirationInDays).toBeUndefined();
    },
  );

  it('expires trend snapshots at 90 days and never expires or tiers brand assets', () => {
    expect(rules().find((r) => r.Prefix === 'trends/')?.ExpirationInDays).toBe(90);
    const brands = rules().find((r) => r.Prefix === 'brands/');
    expect(brands).toBeDefined();
    expect(brands?.ExpirationInDays).toBeUndefined();
    expect(brands?.Transitions).toBeUndefined();
  });

  it('expires the providers’ scratch copies of clips after a week', () => {
    expect(rules().find((r) => r.Prefix === 'provider-renders/')?.ExpirationInDays).toBe(7);
  });
});

describe('functions', () => {
  /** CDK's BucketDeployment provider (it copies the built dashboard to its bucket at deploy time). */
  const cdkProvider = (id: string) => id.startsWith('CustomCDKBucketDeployment');
  const functions = () => ofType(R, 'AWS::Lambda::Function').filter(([id]) => !cdkProvider(id));

  it("are one per catalog entry, and CDK's site deployment provider", () => {
    expect(ofType(R, 'AWS::Lambda::Function').filter(([id]) => cdkProvider(id))).toHaveLength(1);
    expect(functions()).toHaveLength(FUNCTIONS.length);
    expect(
      functions()
        .map(([id]) => id)
        .sort(),
    ).toEqual(FUNCTIONS.map((f) => fnId(f.id)).sort());
  });

  it.each(FUNCTIONS.map((f) => [f.id, f] as const))(
    '%s runs nodejs22.x, on arm64 unless it needs the x86_64 ffmpeg layer',
    (id, spec) => {
      const p = props(fnId(id));
      expect(p.Runtime).toBe('nodejs22.x');
      expect(p.Architectures).toEqual([spec.ffmpeg ? 'x86_64' : 'arm64']);
      expect(p.Layers).toEqual(
        spec.ffmpeg
          ? [{ Ref: logicalId(s.stack.node.findChild('Ffmpeg').node.findChild('Layer')) }]
          : undefined,
      );
      expect(p.MemorySize).toBe(spec.memoryMb);
      expect(p.Timeout).toBe(spec.timeoutSeconds);
      expect(p.TracingConfig).toEqual({ Mode: 'Active' });
      expect(p.LoggingConfig).toEqual({ LogGroup: { Ref: expect.any(String) } });
      expect(env(id)).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: spec.pillar,
        POWERTOOLS_METRICS_NAMESPACE: 'BrandInfinity',
        TABLE_NAME: { Ref: logicalId(s.stack.storage.table) },
        BUCKET_NAME: { Ref: logicalId(s.stack.storage.bucket) },
      });
    },
  );

  it("ships the ffmpeg layer for x86_64 on nodejs22.x (and CDK's AWS CLI layer for the site deployment)", () => {
    s.template.resourceCountIs('AWS::Lambda::LayerVersion', 2);
    s.template.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleRuntimes: ['nodejs22.x'],
      CompatibleArchitectures: ['x86_64'],
    });
  });

  it('have no managed policies: each role may write only to its own log group', () => {
    for (const f of FUNCTIONS) {
      expect(props(fnRoleId(f.id)).ManagedPolicyArns, f.id).toBeUndefined();
      const logs = statementsOfRole(R, fnRoleId(f.id)).filter((st) =>
        actionsOf(st).some((a) => a.startsWith('logs:')),
      );
      expect(logs.flatMap(resourcesOf), f.id).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/Logs/), 'Arn'] },
      ]);
    }
  });
});

describe('IAM', () => {
  const allStatements = () =>
    ofType(R, 'AWS::IAM::Policy').flatMap(([id, p]) =>
      (
        p.Properties.PolicyDocument as {
          Statement: { Effect: string; Action: string | string[]; Resource: unknown }[];
        }
      ).Statement.map((st) => [id, st] as const),
    );

  it('never grants DynamoDB or S3 actions on every resource', () => {
    for (const [id, st] of allStatements()) {
      if (actionsOf(st).some((a) => a.startsWith('dynamodb:') || a.startsWith('s3:'))) {
        expect(resourcesOf(st), id).not.toContain('*');
      }
    }
  });

  it('grants "*" only for actions without resource-level permissions (X-Ray, log delivery, invalidations)', () => {
    // cloudfront:CreateInvalidation/GetInvalidation: CDK's site deployment provider invalidates the site.
    const allowedOnStar =
      /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|cloudfront:(CreateInvalidation|GetInvalidation))$/;
    for (const [id, st] of allStatements()) {
      if (st.Effect === 'Allow' && resourcesOf(st).includes('*')) {
        for (const action of actionsOf(st)) expect(action, id).toMatch(allowedOnStar);
      }
    }
  });

  it('grants no model or voice provider access while the providers are offline (the default)', () => {
    for (const [id, st] of allStatements()) {
      expect(
        actionsOf(st).filter((a) => a.startsWith('bedrock:') || a.startsWith('polly:')),
        id,
      ).toEqual([]);
    }
  });

  it('lets only the task-token functions send task results, on the machines that hand them tokens', () => {
    const expected: Record<string, string[]> = {
      RequestApproval: ['Broadcaster', 'Campaign', 'Copywriter', 'Strategist'],
      ApprovalsApi: ['Broadcaster', 'Campaign', 'Copywriter', 'Strategist'],
      SubmitRender: ['Production'],
      PollRenders: ['Production'],
      WebhooksApi: ['Production'],
      RequestBudgetRaise: ['Broadcaster', 'Copywriter', 'Production', 'Strategist'],
      BudgetsApi: ['Broadcaster', 'Copywriter', 'Production', 'Strategist'],
    };
    expect(Object.keys(expected).sort()).toEqual(
      FUNCTIONS.filter((f) => f.sendsTaskResults)
        .map((f) => f.id)
        .sort(),
    );
    for (const f of FUNCTIONS) {
      const granted = statementsOfRole(R, fnRoleId(f.id))
        .filter((st) => actionsOf(st).includes('states:SendTaskSuccess'))
        .flatMap(resourcesOf);
      expect(granted.sort(), f.id).toEqual((expected[f.id] ?? []).map(machineArnByName).sort());
    }
  });

  it('lets a function invoke only the function it invokes asynchronously, tells it the name, and gives that one the DLQ', () => {
    const dlq = { 'Fn::GetAtt': [logicalId(s.stack.scheduling.deadLetters), 'Arn'] };
    for (const f of FUNCTIONS) {
      const invoked = statementsOfRole(R, fnRoleId(f.id))
        .filter((st) => actionsOf(st).includes('lambda:InvokeFunction'))
        .flatMap(resourcesOf);
      const targets = FUNCTIONS.filter((t) => t.invokedBy === f.id);
      expect(invoked, f.id).toEqual(targets.map((t) => ({ 'Fn::GetAtt': [fnId(t.id), 'Arn'] })));
      if (f.invokedBy) expect(props(fnId(f.id)).DeadLetterConfig, f.id).toEqual({ TargetArn: dlq });
    }
    expect(env('SubmitRender').OFFLINE_RENDERER_FUNCTION_NAME).toEqual({ Ref: fnId('RenderOfflineScene') });
  });

  it('lets only the functions that start campaigns start the campaign machine, and tells them its ARN', () => {
    for (const f of FUNCTIONS) {
      const starts = statementsOfRole(R, fnRoleId(f.id)).filter((st) =>
        actionsOf(st).includes('states:StartExecution'),
      );
      if (f.startsExecutions) {
        expect(starts.flatMap(resourcesOf), f.id).toEqual([machineArnByName('Campaign')]);
        expect(env(f.id).CAMPAIGN_STATE_MACHINE_ARN).toBe(machineArnByName('Campaign'));
      } else {
        expect(starts, f.id).toEqual([]);
        expect(env(f.id).CAMPAIGN_STATE_MACHINE_ARN, f.id).toBeUndefined();
      }
    }
  });

  it('gives the link-signing key, the webhook secret, SES and the event bus only to the functions that use them', () => {
    const secret = (c: IConstruct) => ({ Ref: logicalId(c) });
    for (const f of FUNCTIONS) {
      const readable = statementsOfRole(R, fnRoleId(f.id))
        .filter((st) => actionsOf(st).includes('secretsmanager:GetSecretValue'))
        .flatMap(resourcesOf);
      const signs = (FUNCTION_ROLES.linkSigners as readonly string[]).includes(f.id);
      const webhooks = (FUNCTION_ROLES.webhookParties as readonly string[]).includes(f.id);
      expect(readable, f.id).toEqual([
        ...(signs ? [secret(s.stack.approvals.signingSecret)] : []),
        ...(webhooks ? [secret(s.stack.node.findChild('Webhooks').node.findChild('Secret'))] : []),
      ]);
      expect(env(f.id).APPROVAL_SIGNING_SECRET_ARN !== undefined, f.id).toBe(signs);
      expect(env(f.id).WEBHOOK_SECRET_ARN !== undefined, f.id).toBe(webhooks);
      // No sender in this synthesis: approvals are API-only, so the mailer's MAIL_FROM is declared empty
      // and nobody gets SES.
      const mails = (ENV_ROLES.mailSenders as readonly string[]).includes(f.id);
      expect(env(f.id).MAIL_FROM, f.id).toBe(mails ? '' : undefined);
      const ses = statementsOfRole(R, fnRoleId(f.id)).filter((st) =>
        actionsOf(st).some((a) => a.startsWith('ses:')),
      );
      expect(ses, f.id).toEqual([]);
      const publishes = (ENV_ROLES.eventPublishers as readonly string[]).includes(f.id);
      expect(env(f.id).EVENT_BUS_NAME !== undefined, f.id).toBe(publishes);
      const putEvents = statementsOfRole(R, fnRoleId(f.id)).filter((st) =>
        actionsOf(st).includes('events:PutEvents'),
      );
      expect(putEvents.length > 0, f.id).toBe(publishes);
    }
  });

  it('gives approval links and provider callbacks the API URL', () => {
    for (const id of FUNCTION_ROLES.linkSigners) expect(env(id).APPROVAL_BASE_URL, id).toBeDefined();
    expect(env('SubmitRender').WEBHOOK_BASE_URL).toBeDefined();
  });
});

describe('HTTP API', () => {
  const routes = () => ofType(R, 'AWS::ApiGatewayV2::Route');

  it('has a route per catalog route, each integrated with its function through payload format 2.0', () => {
    expect(
      routes()
        .map(([, r]) => r.Properties.RouteKey)
        .sort(),
    ).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const [, route] of routes()) {
      const spec = ROUTES.find((r) => `${r.method} ${r.path}` === route.Properties.RouteKey);
      const integrationId = JSON.stringify(route.Properties.Target).match(/"Ref":"(\w+)"/)?.[1] as string;
      expect(props(integrationId)).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [fnId(spec?.functionId as string), 'Arn'] },
      });
    }
  });

  it('requires IAM authorization on every route the catalog marks iam, and only there', () => {
    for (const [, route] of routes()) {
      const key = route.Properties.RouteKey as string;
      const spec = ROUTES.find((r) => `${r.method} ${r.path}` === key);
      const auth = spec && routeAuth(spec);
      expect(route.Properties.AuthorizationType, key).toBe(
        auth === 'iam' ? 'AWS_IAM' : auth === 'user' ? 'JWT' : 'NONE',
      );
    }
  });

  it('leaves only the signed approval link and the provider webhook routes without an authorizer', () => {
    const open = routes()
      .filter(([, r]) => r.Properties.AuthorizationType === 'NONE')
      .map(([, r]) => r.Properties.RouteKey)
      .sort();
    expect(open).toEqual([
      'GET /approvals/{id}',
      'GET /approvals/{id}/review',
      'POST /approvals/{id}',
      'POST /webhooks/{provider}',
    ]);
    const operator = routes()
      .map(([, r]) => r.Properties.RouteKey as string)
      .filter((k) => k.includes('/operator/'));
    expect(operator.sort()).toEqual([
      'GET /operator/approvals',
      'GET /operator/approvals/{id}',
      'POST /operator/approvals/{id}/decision',
      'POST /operator/campaigns/{id}/budget',
      'POST /operator/campaigns/{id}/cancel',
    ]);
    for (const [, r] of routes())
      if ((r.Properties.RouteKey as string).includes('/operator/'))
        expect(r.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('throttles the default stage and writes JSON access logs', () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
  });
});

describe('schedules and events', () => {
  it('scrape trends and collect engagement hourly and poll renders every minute, with a dead-letter queue', () => {
    const rules = ofType(R, 'AWS::Events::Rule');
    const scheduled = FUNCTIONS.filter((f) => f.schedule);
    expect(rules.map(([, r]) => r.Properties.ScheduleExpression).sort()).toEqual([
      'rate(1 hour)',
      'rate(1 hour)',
      'rate(1 minute)',
    ]);
    for (const f of scheduled) {
      const rule = rules.find(
        ([, r]) =>
          r.Properties.ScheduleExpression === f.schedule &&
          JSON.stringify(r.Properties.Targets).includes(`"${fnId(f.id)}"`),
      );
      const dlq = { 'Fn::GetAtt': [logicalId(s.stack.scheduling.deadLetters), 'Arn'] };
      expect(rule?.[1].Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [fnId(f.id), 'Arn'] },
          DeadLetterConfig: { Arn: dlq },
        }),
      ]);
      expect(props(fnId(f.id)).DeadLetterConfig).toEqual({ TargetArn: dlq });
    }
    s.template.resourceCountIs('AWS::Events::EventBus', 1);
  });
});

describe('observability', () => {
  const alarms = () => ofType(R, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);

  it('alarms on failed and timed-out executions of every state machine', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      const found = alarms().filter((a) => a.MetricName === metric && a.Namespace === 'AWS/States');
      expect(found.map((a) => (a.Dimensions as { Value: unknown }[])[0]?.Value)).toEqual(
        expect.arrayContaining(STATE_MACHINES.map((m) => ({ Ref: machineId(m.id) }))),
      );
      for (const a of found)
        expect(a).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
  });

  it('alarms on stuck renders, budget over 90 %, publish failures and dead letters, all to the alarm topic', () => {
    const topic = { Ref: logicalId(s.stack.observability.topic) };
    expect(alarms()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Namespace: 'BrandInfinity',
          MetricName: 'BudgetUsedPercent',
          // Powertools publishes every metric with the service (pillar) dimension.
          Dimensions: [{ Name: 'service', Value: 'campaign-manager' }],
          Threshold: 90,
        }),
        expect.objectContaining({
          Namespace: 'BrandInfinity',
          MetricName: 'PublishFailures',
          Dimensions: [{ Name: 'service', Value: 'broadcaster' }],
          Threshold: 1,
        }),
        expect.objectContaining({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' }),
        ...['SubmitRender', 'PollRenders'].map((id) =>
          expect.objectContaining({
            Namespace: 'AWS/Lambda',
            MetricName: 'Errors',
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId(id) } }],
          }),
        ),
      ]),
    );
    for (const a of alarms()) expect(a.AlarmActions).toEqual([topic]);
  });

  it('lets CloudWatch use the key of the encrypted alarm topic', () => {
    s.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      }),
    });
  });

  it('has a dashboard per pillar', () => {
    const pillars = new Set(FUNCTIONS.map((f) => f.pillar));
    s.template.resourceCountIs('AWS::CloudWatch::Dashboard', pillars.size);
  });
});
