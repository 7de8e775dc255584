import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, readRequestFile } from '../../cli/run.js';
import { createAuthorizer } from '../../local/deployed/iam.js';
import { loadDeployedModel } from '../../local/deployed/model.js';
import {
  type AsDeployed,
  ensureAssembly,
  machineRoleDenials,
  startAsDeployed,
} from '../../local/deployed/start.js';

// The mode's purpose is to fail where a deployed stack would. Two deploy bugs of the kinds it exists
// to catch are planted in a copy of the synthesized template (so the test holds whatever the handlers
// do today): GatherTrends loses TABLE_NAME, a variable its code reads, LoadBrandContext's role loses
// its DynamoDB grant, and the Strategist machine's role loses the right to invoke GatherTrends.
const ROOT = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'bie-as-deployed-'));

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

/** A copy of a cloud assembly (assets linked, not copied) whose template `mutate` may change. */
function mutatedAssembly(source: string, target: string, mutate: (t: Template) => void): string {
  mkdirSync(target, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(source, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const templates = new Set(
    Object.values(manifest.artifacts)
      .map((a) => (a.type === 'aws:cloudformation:stack' ? a.properties?.templateFile : undefined))
      .filter((f): f is string => Boolean(f)),
  );
  for (const entry of readdirSync(source)) {
    const from = path.join(source, entry);
    const to = path.join(target, entry);
    if (entry.startsWith('asset.')) symlinkSync(from, to);
    else if (templates.has(entry)) {
      const template = JSON.parse(readFileSync(from, 'utf8')) as Template;
      mutate(template);
      writeFileSync(to, JSON.stringify(template));
    } else if (entry.endsWith('.json')) copyFileSync(from, to);
  }
  return target;
}

const byPath = (t: Template, pathPart: string, type: string) => {
  const found = Object.entries(t.Resources).find(([id, r]) => r.Type === type && id.startsWith(pathPart));
  if (!found) throw new Error(`no ${type} ${pathPart}* in the template`);
  return found[1];
};

let app: AsDeployed;
let real: string;

beforeAll(async () => {
  real = ensureAssembly({ dataDir: work }, () => undefined);
  const cdkOut = mutatedAssembly(real, path.join(work, 'cdk.out'), (t) => {
    const gather = byPath(t, 'FunctionsGatherTrendsFn', 'AWS::Lambda::Function');
    const vars = (gather.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    delete vars.TABLE_NAME;
    const policy = byPath(t, 'FunctionsLoadBrandContextRoleDefaultPolicy', 'AWS::IAM::Policy');
    const doc = policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] };
    doc.Statement = doc.Statement.filter((s) => ![s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    const machine = byPath(t, 'StateMachinesStrategistRoleDefaultPolicy', 'AWS::IAM::Policy');
    const machineDoc = machine.Properties.PolicyDocument as { Statement: { Resource: unknown }[] };
    for (const statement of machineDoc.Statement)
      if (Array.isArray(statement.Resource))
        statement.Resource = statement.Resource.filter(
          (r) => !JSON.stringify(r).includes('FunctionsGatherTrendsFn'),
        );
      else if (JSON.stringify(statement.Resource).includes('FunctionsGatherTrendsFn'))
        statement.Resource = [];
  });
  app = await startAsDeployed({
    dataDir: path.join(work, 'state'),
    cdkOut,
    retryIntervalMs: 0,
    schedules: false,
    log: () => undefined,
  });
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

describe('as-deployed mode', () => {
  it('answers an AWS_IAM route only to a request the operator signed', async () => {
    // Act
    const unsigned = await fetch(`${app.runtime.info.apiUrl}/campaigns`);
    const forged = await fetch(`${app.runtime.info.apiUrl}/campaigns`, {
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${app.operator.accessKeyId}/20250101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
        'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
      },
    });
    const signed = await api<{ campaigns: unknown[] }>(
      app.runtime.info.apiUrl,
      'GET',
      '/campaigns',
      undefined,
      undefined,
      app.operator,
    );

    // Assess
    expect(unsigned.status).toBe(403);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('signature we calculated does not match');
    expect(signed.campaigns).toEqual([]);
  });

  it('fails a campaign at the function whose role lacks a grant, naming the action it was denied', async () => {
    // Prepare
    const base = app.runtime.info.apiUrl;
    const brandText = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');
    await api(base, 'POST', '/brands', brandText, 'text/markdown', app.operator);

    // Act
    const campaign = await api<{ execution_arn: string }>(
      base,
      'POST',
      '/campaigns',
      {
        campaign_request: readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
        auto_approve: true,
      },
      undefined,
      app.operator,
    );
    const done = await app.runtime.runner.waitForExecution(campaign.execution_arn);

    // Assess
    expect(done.status).toBe('FAILED');
    const failure = app.invocationFailures().find((f) => f.function === 'LoadBrandContext');
    expect(failure).toMatchObject({
      errorType: 'AccessDeniedException',
      errorMessage: expect.stringMatching(
        /is not authorized to perform: dynamodb:\w+ on resource: arn:aws:dynamodb:/,
      ),
    });
    const denied = app.denials().filter((d) => d.principal.includes('LoadBrandContext'));
    expect(denied.length).toBeGreaterThan(0);
    expect(denied[0]?.action).toMatch(/^dynamodb:/);
    expect(app.findings().some((f) => f.includes('LoadBrandContext') && f.includes('denied dynamodb:'))).toBe(
      true,
    );
  }, 120_000);

  it('reports a function that reads a variable its template does not set', async () => {
    // Act: configuration is read when used (lambdas/shared/config), so give the step a valid input: it
    // reads the campaign, and with it TABLE_NAME, which the planted template no longer sets.
    const gather = app.model.functions.find((f) => f.catalogId === 'GatherTrends');
    await app.pool.invoke(gather?.arn ?? 'GatherTrends', {
      campaign_id: '00000000-0000-4000-8000-000000000001',
      execution: 'planted-bug',
    });

    // Assess
    expect(app.undeclaredEnvReads()).toContainEqual({
      function: 'GatherTrends',
      variable: 'TABLE_NAME',
      source: expect.stringMatching(/^lambdas\/.+\.ts:\d+$/),
    });
    expect(
      app
        .undeclaredEnvReads()
        .filter((r) => r.function === 'LoadBrandContext' && r.variable === 'TABLE_NAME'),
    ).toEqual([]);
  });

  it("reports a task its state machine's role may not run", () => {
    // Assess
    expect(app.machineDenials).toEqual([
      expect.stringMatching(
        /^state machine BrandInfinity-\w+-Strategist may not lambda:InvokeFunction on arn:aws:lambda:.+GatherTrends/,
      ),
    ]);
  });

  it("finds every task of the synthesized stack allowed by its state machine's role", () => {
    // Prepare
    const model = loadDeployedModel(real, { apiUrl: 'http://127.0.0.1:9' });
    const substitutions = Object.assign({}, ...model.machines.map((m) => m.substitutions)) as Record<
      string,
      string
    >;

    // Act
    const denials = machineRoleDenials(model, createAuthorizer(model.policies), substitutions);

    // Assess
    expect(denials).toEqual([]);
  });
});
