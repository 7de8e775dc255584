import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../local/deployed/iam.js';
import {
  apiIdFor,
  type CfnTemplate,
  createResolver,
  UnresolvableIntrinsicError,
} from '../../local/deployed/intrinsics.js';
import { type DeployedModel, loadDeployedModel } from '../../local/deployed/model.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'assembly');
const API = 'http://127.0.0.1:4000';
const ACCOUNT = '000000000000';

const load = (dir = FIXTURE, extra: { region?: string } = {}): DeployedModel =>
  loadDeployedModel(dir, { apiUrl: API, ...extra });
const fn = (m: DeployedModel, catalogId: string) => {
  const f = m.functions.find((x) => x.catalogId === catalogId);
  if (!f) throw new Error(`no ${catalogId}`);
  return f;
};

/** A copy of the fixture assembly whose template the test may change. */
const temps: string[] = [];
function fixtureWith(change: (template: CfnTemplate) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bie-model-'));
  temps.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  const file = path.join(dir, 'Fixture-dev.template.json');
  const template = JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
  change(template);
  writeFileSync(file, JSON.stringify(template));
  return dir;
}
function envOf(t: CfnTemplate, id: string): Record<string, unknown> {
  const env = t.Resources[id]?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined;
  if (!env) throw new Error(`${id} has no environment`);
  return env.Variables;
}
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('loadDeployedModel', () => {
  it('names the stack, its region from the manifest and the local account', () => {
    const m = load();
    expect([m.stackName, m.region, m.account]).toEqual(['Fixture-dev', 'us-east-1', ACCOUNT]);
  });

  it('resolves a function environment exactly as the template declares it, with local names and URLs', () => {
    // Prepare
    const m = load();
    const table = m.tables[0];
    const media = m.buckets.find((b) => b.logicalId === 'Media');
    // Act
    const env = fn(m, 'SubmitRender').environment;
    // Assess
    expect(env).toEqual({
      TABLE_NAME: table?.name,
      TABLE_ARN: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${table?.name}`,
      BUCKET_NAME: media?.name,
      WEBHOOK_SECRET_ARN: m.secrets[0]?.arn,
      EVENT_BUS_NAME: 'FixtureEvents',
      WEBHOOK_BASE_URL: `${API}/`,
      API_ENDPOINT: API,
      CALLBACK_URL: `${API}/webhooks/render?region=us-east-1`,
      STAGE_LABEL: 'stage-dev',
      FIRST_ZONE: 'us-east-1a',
      HOST_PART: '127.0.0.1:4000', // the URL is localized before Fn::Split takes it apart
      STATIC: 'plain',
    });
    expect(env).not.toHaveProperty('PROD_ONLY'); // Fn::If → AWS::NoValue leaves the variable out
  });

  it('maps each function to its asset, layers, sizes, role and catalog id', () => {
    const m = load();
    const submit = fn(m, 'SubmitRender');
    const gather = fn(m, 'GatherTrends');
    expect(submit).toMatchObject({
      logicalId: 'SubmitRenderFn',
      name: 'Fixture-dev-SubmitRenderFn',
      arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:Fixture-dev-SubmitRenderFn`,
      assetDir: path.join(FIXTURE, 'asset.f1a'),
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      architecture: 'arm64',
      memoryMb: 512,
      timeoutSeconds: 120,
      ephemeralStorageMb: 512,
      layerDirs: [],
      reservedConcurrency: 5,
    });
    expect(submit.roleArn).toMatch(
      /^arn:aws:iam::000000000000:role\/Fixture-dev-SubmitRenderRole-[A-Z0-9]{12}$/,
    );
    expect(gather).toMatchObject({
      name: 'gather-trends', // FunctionName wins over the generated name
      assetDir: path.join(FIXTURE, 'asset.f2b'), // found through the asset manifest (S3Key), no metadata
      architecture: 'x86_64',
      memoryMb: 3008,
      timeoutSeconds: 900,
      ephemeralStorageMb: 2048,
      layerDirs: [path.join(FIXTURE, 'asset.l3c')],
      environment: {},
    });
    expect(gather).not.toHaveProperty('reservedConcurrency');
  });

  it('gives a state machine its definition file and resolved substitutions', () => {
    const m = load();
    expect(m.machines).toEqual([
      {
        logicalId: 'Machine',
        name: 'Fixture-dev-Campaign',
        arn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:Fixture-dev-Campaign`,
        definitionFile: path.join(FIXTURE, 'asset.s4d.json'),
        substitutions: { SubmitRenderFunctionArn: fn(m, 'SubmitRender').arn, Bus: 'FixtureEvents' },
        roleArn: fn(m, 'GatherTrends').roleArn,
      },
    ]);
  });

  it('lists HTTP API routes with their function and authorization', () => {
    const m = load();
    const arn = fn(m, 'SubmitRender').arn;
    expect(m.routes).toEqual([
      { method: 'POST', path: '/campaigns', functionArn: arn, authorization: 'AWS_IAM' },
      { method: 'GET', path: '/approvals/{id}', functionArn: arn, authorization: 'NONE' },
    ]);
  });

  it('lists enabled schedules with their target and input, not disabled ones', () => {
    const m = load();
    expect(m.schedules).toEqual([
      {
        ruleLogicalId: 'Hourly',
        expression: 'rate(1 hour)',
        functionArn: fn(m, 'GatherTrends').arn,
        input: '{"source":"schedule"}',
      },
    ]);
  });

  it('describes secrets, tables, buses and identities well enough to create them locally', () => {
    const m = load();
    expect(m.secrets).toEqual([
      {
        logicalId: 'WebhookSecret',
        name: expect.stringMatching(/^WebhookSecret-[A-Za-z0-9]{12}$/),
        arn: expect.stringMatching(
          /^arn:aws:secretsmanager:us-east-1:000000000000:secret:WebhookSecret-[A-Za-z0-9]{12}-[A-Za-z0-9]{6}$/,
        ),
        passwordLength: 40,
        excludePunctuation: true,
      },
    ]);
    expect(
      m.secrets[0]?.arn.startsWith(
        `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${m.secrets[0]?.name}-`,
      ),
    ).toBe(true);
    expect(m.tables[0]).toMatchObject({
      logicalId: 'Table',
      keySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      globalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      ttlAttribute: 'expires_at',
    });
    expect(m.eventBuses).toEqual([
      {
        logicalId: 'Bus',
        name: 'FixtureEvents',
        arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/FixtureEvents`,
      },
    ]);
    expect(m.emailIdentities).toEqual([
      {
        logicalId: 'Sender',
        identity: 'example.com',
        arn: `arn:aws:ses:us-east-1:${ACCOUNT}:identity/example.com`,
      },
    ]);
  });

  it('leaves out resources whose Condition is false', () => {
    const m = load();
    expect(m.buckets.map((b) => b.logicalId)).toEqual(['Media']);
  });

  it('generates names that are stable across loads and valid for S3', () => {
    const [a, b] = [load(), load()];
    expect(a.buckets[0]?.name).toBe(b.buckets[0]?.name);
    expect(a.buckets[0]?.name).toMatch(/^[a-z0-9][a-z0-9.-]{2,62}$/);
  });

  it('uses the region it is given for every ARN', () => {
    const m = load(FIXTURE, { region: 'eu-west-1' });
    expect(fn(m, 'SubmitRender').arn).toContain(':lambda:eu-west-1:');
    expect(fn(m, 'SubmitRender').environment.WEBHOOK_BASE_URL).toBe(`${API}/`);
  });

  it("attaches each role's inline, attached and unknown managed policies to the role", () => {
    // Prepare
    const m = load();
    const role = m.policies[fn(m, 'SubmitRender').roleArn];
    const authz = createAuthorizer(m.policies);
    const table = m.tables[0];
    // Act / Assess
    expect(role?.unknownManagedPolicyArns).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    ]);
    expect(role?.statements.map((s) => s.policy)).toEqual([
      'SubmitRenderRole.Policies[inline]',
      ...Array(7).fill('SubmitRenderRoleDefaultPolicy'),
    ]);
    expect(authz.authorize(role?.roleArn ?? '', 'dynamodb:Query', `${table?.arn}/index/gsi1`).allowed).toBe(
      true,
    );
    expect(authz.authorize(role?.roleArn ?? '', 'events:PutEvents', m.eventBuses[0]?.arn ?? '').allowed).toBe(
      true,
    );
    expect(authz.authorize(fn(m, 'GatherTrends').roleArn, 'dynamodb:Query', table?.arn ?? '').allowed).toBe(
      false,
    );
  });

  it('refuses an unresolvable intrinsic, naming the resource, the property and the intrinsic', () => {
    const dir = fixtureWith((t) => {
      envOf(t, 'SubmitRenderFn').SHARED_TABLE = {
        'Fn::ImportValue': 'SharedTableName',
      };
    });
    expect(() => load(dir)).toThrow(UnresolvableIntrinsicError);
    expect(() => load(dir)).toThrow(
      /SubmitRenderFn\.Environment\.Variables\.SHARED_TABLE: cannot resolve Fn::ImportValue/,
    );
  });

  it('refuses an attribute it cannot emulate instead of guessing', () => {
    const dir = fixtureWith((t) => {
      envOf(t, 'SubmitRenderFn').BUS_POLICY = {
        'Fn::GetAtt': ['Bus', 'Policy'],
      };
    });
    expect(() => load(dir)).toThrow(
      /SubmitRenderFn\.Environment\.Variables\.BUS_POLICY: cannot resolve Fn::GetAtt Bus\.Policy/,
    );
  });

  it('refuses a reference to a resource that is not in the template', () => {
    const dir = fixtureWith((t) => {
      envOf(t, 'SubmitRenderFn').GONE = { Ref: 'Missing' };
    });
    expect(() => load(dir)).toThrow(
      /SubmitRenderFn\.Environment\.Variables\.GONE: cannot resolve Ref Missing: no such resource/,
    );
  });

  it('refuses a layer from outside the stack', () => {
    const dir = fixtureWith((t) => {
      const props = t.Resources.GatherTrendsFn?.Properties ?? {};
      props.Layers = ['arn:aws:lambda:us-east-1:123456789012:layer:other:3'];
    });
    expect(() => load(dir)).toThrow(/GatherTrendsFn\.Layers\[0\]: layer .*other:3 is not part of this stack/);
  });
});

describe('intrinsics', () => {
  const resolver = () =>
    createResolver({
      template: JSON.parse(readFileSync(path.join(FIXTURE, 'Fixture-dev.template.json'), 'utf8')),
      stackName: 'Fixture-dev',
      region: 'us-east-1',
      account: ACCOUNT,
      apiUrl: `${API}/`,
    });
  const at = { resource: 'Test', property: 'Value' };

  it('keeps one slash between the local API URL and the path', () => {
    const r = resolver();
    const endpoint = { 'Fn::GetAtt': ['Api', 'ApiEndpoint'] };
    expect(r.resolve({ 'Fn::Join': ['', [endpoint, '/approvals']] }, at)).toBe(`${API}/approvals`);
    expect(r.resolve(endpoint, at)).toBe(API);
  });

  it('keeps a double slash the template itself writes (that is a stack bug to see, not to hide)', () => {
    const r = resolver();
    const base = { 'Fn::Join': ['', ['https://', { Ref: 'Api' }, '.execute-api.us-east-1.amazonaws.com/']] };
    expect(r.resolve({ 'Fn::Join': ['', [base, '/webhooks']] }, at)).toBe(`${API}//webhooks`);
  });

  it('resolves Fn::Sub with a variable map, escapes and pseudo parameters', () => {
    const r = resolver();
    expect(
      r.resolve(
        { 'Fn::Sub': ['${!Literal}-${Name}-${AWS::AccountId}-${Media}', { Name: { Ref: 'Bus' } }] },
        at,
      ),
    ).toMatch(/^\$\{Literal\}-FixtureEvents-000000000000-fixture-dev-media-[a-z0-9]{12}$/);
  });

  it('returns what Ref returns on AWS for each resource type', () => {
    const r = resolver();
    const ref = (id: string) => r.resolve({ Ref: id }, at);
    expect(ref('WebhookSecret')).toMatch(/^arn:aws:secretsmanager:/); // secret → ARN
    expect(ref('Machine')).toMatch(/^arn:aws:states:.*:stateMachine:Fixture-dev-Campaign$/); // state machine → ARN
    expect(ref('SubmitRenderFn')).toBe('Fixture-dev-SubmitRenderFn'); // function → name
    expect(ref('Api')).toBe(apiIdFor('Fixture-dev', 'Api')); // API → id
    expect(ref('SubmitRenderRole')).toMatch(/^Fixture-dev-SubmitRenderRole-/); // role → name
    expect(ref('AWS::Partition')).toBe('aws');
    expect(ref('Stage')).toBe('dev'); // parameter → its default
  });

  it('errors on Fn::ImportValue', () => {
    expect(() => resolver().resolve({ 'Fn::ImportValue': 'X' }, at)).toThrow(
      /Test\.Value: cannot resolve Fn::ImportValue/,
    );
  });
});
