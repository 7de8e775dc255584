import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ROLES } from '../../infra/constructs/functions.js';
import { FUNCTIONS } from '../../lambdas/catalog.js';
import { ENV_ROLES } from '../../lambdas/shared/config/index.js';
import MODELS from '../../lambdas/shared/config/models.json' with { type: 'json' };
import {
  grantsOf,
  logicalIdOf,
  ofType,
  type Resource,
  resourcesOf,
  type Synthesized,
  synthesize,
} from './synth.js';

/** One synthesis with every optional setting on: Bedrock, Titan, Polly, SES identities, alarm mail, ephemeral data. */
let s: Synthesized;
let R: Record<string, Resource>;

beforeAll(() => {
  s = synthesize(
    {
      providers: { textModel: 'bedrock', embedder: 'titan', voice: 'polly' },
      senderEmail: 'approvals@brand.example',
      senderDomain: 'brand.example',
      approverEmail: 'cmo@agency.example',
      alarmEmail: 'ops@agency.example',
      dataRemovalPolicy: RemovalPolicy.DESTROY,
    },
    'BrandInfinity-options',
  );
  R = s.resources;
}, 120_000);
afterAll(() => s?.cleanup());

const roleOf = (id: string) => logicalIdOf(s.stack.functions.get(id).role as IConstruct);
const granted = (id: string, action: string) => grantsOf(R, roleOf(id), action).flatMap(resourcesOf);
const env = (id: string) =>
  (
    (R[logicalIdOf(s.stack.functions.get(id))] as Resource).Properties.Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;
const modelIds = () =>
  Object.entries(MODELS.bedrock_text_tasks)
    .filter(([task]) => !task.startsWith('$'))
    .map(([, id]) => id);

describe('with every option set', () => {
  it('still passes cdk-nag and CloudFormation validation without unacknowledged findings', () => {
    const errors = s.violations.filter((v) => v.severity !== 'warning');
    expect(errors.map((v) => `${v.pluginName} ${v.ruleName}: ${v.constructs.join(', ')}`)).toEqual([]);
    expect(s.violations).toEqual([]);
  });

  it.each(FUNCTIONS.map((f) => [f.id, f] as const))(
    'grants %s bedrock:InvokeModel on the configured models only if it calls models',
    (id, spec) => {
      const arns = granted(id, 'bedrock:InvokeModel');
      if (!FUNCTION_ROLES.modelUsers(spec)) {
        expect(arns).toEqual([]);
        return;
      }
      const expected = [
        'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0',
        ...modelIds().flatMap((m) => [
          `arn:aws:bedrock:us-east-1:123456789012:inference-profile/${m}`,
          `arn:aws:bedrock:*::foundation-model/${m.replace(/^us\./, '')}`,
        ]),
      ];
      expect([...new Set(arns)].sort()).toEqual([...new Set(expected)].sort());
    },
  );

  it('grants polly:SynthesizeSpeech to the voice function only', () => {
    for (const f of FUNCTIONS) {
      expect(granted(f.id, 'polly:SynthesizeSpeech').length > 0, f.id).toBe(f.id === 'SynthesizeVoiceover');
    }
  });

  it('verifies the sender domain, the sender address and the approver, and lets only the mail senders send mail', () => {
    const identities = ofType(R, 'AWS::SES::EmailIdentity').map(([, r]) => r.Properties.EmailIdentity);
    expect(identities.sort()).toEqual(['brand.example', 'cmo@agency.example']);
    const arn = (identity: string) => `arn:aws:ses:us-east-1:123456789012:identity/${identity}`;
    for (const f of FUNCTIONS) {
      // Approval requests, budget checkpoints and the budget alerts of the steps that charge.
      const sends = (ENV_ROLES.mailSenders as readonly string[]).includes(f.id);
      const expected = sends
        ? [arn('approvals@brand.example'), arn('brand.example'), arn('cmo@agency.example')]
        : [];
      expect(granted(f.id, 'ses:SendEmail').sort(), f.id).toEqual(expected);
      expect(env(f.id).MAIL_FROM, f.id).toBe(sends ? 'approvals@brand.example' : undefined);
    }
  });

  it('mails alarms to the alarm address', () => {
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@agency.example',
    });
  });

  it('destroys the table and the buckets with an ephemeral stage', () => {
    for (const type of ['AWS::DynamoDB::GlobalTable', 'AWS::S3::Bucket']) {
      for (const [id, r] of ofType(R, type)) expect(r.DeletionPolicy, id).toBe('Delete');
    }
    s.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
    });
  });
});
