import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { placeholdersIn, readAsl, substitutionsFor, targetOf, taskTokenFunctions } from '../../infra/asl.js';
import { acknowledge, applyNag } from '../../infra/nag.js';
import { BrandInfinityStack } from '../../infra/stacks/brand-infinity-stack.js';
import { STATE_MACHINES } from '../../lambdas/catalog.js';
import { cdkJsonContext } from './synth.js';

/** Cheap checks: no synthesis of the whole stack in this file. */

describe('the ASL files', () => {
  it.each(STATE_MACHINES.map((m) => [m.file, m] as const))(
    '%s uses only placeholders that name a catalog function or state machine',
    (_file, spec) => {
      const unknown = placeholdersIn(readAsl(spec)).filter((p) => targetOf(p) === undefined);
      expect(unknown).toEqual([]);
    },
  );

  it('hand task tokens to RequestApproval at approvals, RequestBudgetRaise at budget checkpoints, SubmitRender for renders', () => {
    const parked = Object.fromEntries(
      STATE_MACHINES.map((m) => [m.id, taskTokenFunctions(readAsl(m)).sort()]),
    );
    expect(parked).toEqual({
      Campaign: ['RequestApproval'],
      Strategist: ['RequestApproval', 'RequestBudgetRaise'],
      Copywriter: ['RequestApproval', 'RequestBudgetRaise'],
      Production: ['RequestBudgetRaise', 'SubmitRender'],
      CampaignManager: [],
      Broadcaster: ['RequestApproval', 'RequestBudgetRaise'],
    });
  });
});

describe('substitutions', () => {
  const asl =
    '{"A":"${PrepareCampaignFunctionArn}","B":"${NoSuchFunctionArn}","C":"${StrategistStateMachineArn}"}';

  it('name every placeholder that has no value in one error', () => {
    expect(() =>
      substitutionsFor('x.asl.json', asl, (t) => (t.kind === 'function' ? 'arn:fn' : undefined)),
    ).toThrow(
      /x\.asl\.json: no substitution for \$\{NoSuchFunctionArn\}, \$\{StrategistStateMachineArn\} \(stateMachine Strategist\)/,
    );
  });

  it('map each placeholder to the value of its target', () => {
    expect(
      substitutionsFor(
        'x.asl.json',
        '"${PrepareCampaignFunctionArn}" "${StrategistStateMachineArn}"',
        (t) => `${t.kind}:${t.id}`,
      ),
    ).toEqual({
      PrepareCampaignFunctionArn: 'function:PrepareCampaign',
      StrategistStateMachineArn: 'stateMachine:Strategist',
    });
  });
});

describe('the stack', () => {
  it('fails synthesis with the list of catalog entries whose handler file is missing', () => {
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    expect(
      () =>
        new BrandInfinityStack(app, 'BrandInfinity-missing', {
          stage: 'missing',
          entryResolver: (spec, entry) =>
            spec.id === 'PrepareCampaign' || spec.id === 'PublishPost'
              ? path.join('/nonexistent', spec.entry)
              : entry,
        }),
    ).toThrow(
      /Handler files missing for catalog entries: PrepareCampaign \(.*prepare-campaign\.ts\), PublishPost/,
    );
  });
});

describe('cdk-nag', () => {
  const probe = (acknowledged: boolean) => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'bie-nag-probe-'));
    const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': true } });
    const stack = new Stack(app, 'NagProbe');
    const role = new Role(stack, 'Probe', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));
    if (acknowledged) acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', 'probe: a wildcard on purpose');
    const packs = applyNag(app);
    try {
      app.synth();
      return { packs, error: undefined };
    } catch (error) {
      return { packs, error: error as Error };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  };

  it('runs the AwsSolutions and Serverless packs and fails synthesis on an unacknowledged wildcard', () => {
    const { packs, error } = probe(false);
    expect(packs.map((p) => p.name)).toEqual(['AwsSolutions', 'Serverless']);
    expect(error?.message).toMatch(/AwsSolutions-IAM5\[Resource::\*\]/);
  });

  it('accepts the wildcard once that exact finding is acknowledged', () => {
    expect(probe(true).error).toBeUndefined();
  });
});
