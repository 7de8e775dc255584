import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { Approvals, type ApprovalsProps } from '../../infra/constructs/approvals.js';
import { actionsOf, ofType, type Resource, resourcesOf, type Statement } from './synth.js';

/** The Approvals construct with one mail-sending function, in a stack of its own. */
function build(props: ApprovalsProps) {
  const app = new App();
  const stack = new Stack(app, 'ApprovalsTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const approvals = new Approvals(stack, 'Approvals', props);
  const fn = new LambdaFunction(stack, 'RequestApproval', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({})'),
  });
  approvals.grantSendMail(fn);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const statements = ofType(resources, 'AWS::IAM::Policy').flatMap(
    ([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
  const env = () =>
    (
      (ofType(resources, 'AWS::Lambda::Function')[0]?.[1].Properties.Environment ?? {}) as {
        Variables?: Record<string, unknown>;
      }
    ).Variables ?? {};
  const sesGrants = () => statements.filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
  return { stack, approvals, template, resources, env, sesGrants };
}

const identityArn = (identity: string) => `arn:aws:ses:eu-west-1:123456789012:identity/${identity}`;
/** An ARN as CloudFormation will see it (the partition is the only token in these). */
function flat(r: unknown): string {
  const join = (r as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (typeof r === 'string') return r;
  if (!join) return JSON.stringify(r);
  return join[1]
    .map((p) =>
      typeof p === 'string'
        ? p
        : (p as { Ref?: string }).Ref === 'AWS::Partition'
          ? 'aws'
          : JSON.stringify(p),
    )
    .join(join[0]);
}
const arnsOf = (statements: Statement[]) => statements.flatMap(resourcesOf).map(flat).sort();

describe('approvals without a sender (API-only)', () => {
  it('give the mail function neither MAIL_FROM nor any SES permission, and create no identity', () => {
    const t = build({ approverEmail: 'cmo@agency.example' });
    // The stack declares MAIL_FROM empty on RequestApproval (tests/infra/stack.test.ts); nothing here.
    expect(t.approvals.mailFrom).toBeUndefined();
    expect(t.env().MAIL_FROM).toBeUndefined();
    expect(t.sesGrants()).toEqual([]);
    expect(ofType(t.resources, 'AWS::SES::EmailIdentity')).toEqual([]);
    expect(t.approvals.mailFrom).toBeUndefined();
  });

  it('warn at synthesis that approvals are API-only and how to decide them', () => {
    const t = build({});
    const warnings = Annotations.fromStack(t.stack).findWarning('*', Match.stringLikeRegexp('API-only'));
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0]?.entry.data)).toContain('/operator/approvals/{id}/decision');
  });
});

describe('approvals with a sender', () => {
  it('with only senderEmail: verify it and the approver, send as it and to the approver only', () => {
    const t = build({ senderEmail: 'approvals@brand.example', approverEmail: 'cmo@agency.example' });
    expect(t.approvals.mailFrom).toBe('approvals@brand.example');
    expect(
      ofType(t.resources, 'AWS::SES::EmailIdentity')
        .map(([, r]) => r.Properties.EmailIdentity)
        .sort(),
    ).toEqual(['approvals@brand.example', 'cmo@agency.example']);
    expect(t.sesGrants().flatMap(actionsOf)).toEqual(['ses:SendEmail']);
    expect(arnsOf(t.sesGrants())).toEqual(
      [identityArn('approvals@brand.example'), identityArn('cmo@agency.example')].sort(),
    );
  });

  it('with only senderDomain: send as approvals@ that domain, on the domain identity and the address', () => {
    const t = build({ senderDomain: 'brand.example' });
    expect(t.approvals.mailFrom).toBe('approvals@brand.example');
    expect(ofType(t.resources, 'AWS::SES::EmailIdentity').map(([, r]) => r.Properties.EmailIdentity)).toEqual(
      ['brand.example'],
    );
    expect(arnsOf(t.sesGrants())).toEqual(
      [identityArn('approvals@brand.example'), identityArn('brand.example')].sort(),
    );
  });

  it('with a sender address under the sender domain: one domain identity, no wildcard in the grant', () => {
    const t = build({
      senderEmail: 'noreply@brand.example',
      senderDomain: 'brand.example',
      approverEmail: 'cmo@brand.example',
    });
    expect(ofType(t.resources, 'AWS::SES::EmailIdentity').map(([, r]) => r.Properties.EmailIdentity)).toEqual(
      ['brand.example'],
    );
    const arns = arnsOf(t.sesGrants());
    expect(arns).toEqual(
      [
        identityArn('brand.example'),
        identityArn('cmo@brand.example'),
        identityArn('noreply@brand.example'),
      ].sort(),
    );
    expect(arns.some((a) => a.includes('*'))).toBe(false);
  });

  it('emit no API-only warning', () => {
    const t = build({ senderEmail: 'approvals@brand.example' });
    expect(Annotations.fromStack(t.stack).findWarning('*', Match.stringLikeRegexp('API-only'))).toEqual([]);
  });
});
