import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { BrandInfinityStack } from './stacks/brand-infinity-stack.js';

/**
 * cdk-nag v3 matches an acknowledgment to a finding exactly (`AwsSolutions-IAM5[Resource::<Fn.Arn>:*]`).
 * CDK grants produce dozens of such findings per construct, so this pack also accepts `Rule[*]`
 * acknowledged on a specific construct: the whole rule for that construct, with one stated reason.
 */
class AwsSolutionsWithScopedAcks extends AwsSolutionsChecks {}
type AckCheck = (resource: IConstruct, ruleId: string) => boolean;
const proto = AwsSolutionsWithScopedAcks.prototype as unknown as { isAcknowledged: AckCheck };
const base = (AwsSolutionsChecks.prototype as unknown as { isAcknowledged: AckCheck }).isAcknowledged;
proto.isAcknowledged = function (this: unknown, resource: IConstruct, ruleId: string): boolean {
  const exact = base.call(this, resource, ruleId);
  const i = ruleId.indexOf('[');
  return exact || (i > 0 && base.call(this, resource, `${ruleId.slice(0, i)}[*]`));
};

export function applyNag(app: App, stack: BrandInfinityStack): void {
  Validations.of(app).addPlugins(new AwsSolutionsWithScopedAcks(app));
  const ack = (scope: IConstruct, id: string, reason: string) =>
    Validations.of(scope).acknowledge({ id, reason });
  ack(
    stack.functions,
    'AwsSolutions-IAM4[*]',
    'Functions use AWSLambdaBasicExecutionRole (CloudWatch Logs only), the AWS-maintained minimum for logging.',
  );
  ack(
    stack.functions,
    'AwsSolutions-IAM5[*]',
    "Function wildcards come from CDK grants on the one table (its indexes), the one bucket (object keys), X-Ray, and task-token calls on this stack's own state machines, named by prefix because a reference would be a dependency cycle.",
  );
  ack(
    stack.machines,
    'AwsSolutions-IAM5[*]',
    'State machine wildcards are the function-version suffix CDK adds to lambda:InvokeFunction grants, the child executions of .sync:2 and the log delivery / X-Ray actions that take no resource.',
  );
  ack(
    stack,
    'AwsSolutions-L1',
    'Functions run nodejs22.x, the Node LTS the project targets; the embedded runtime runs the same handlers on Node 22.',
  );
  ack(
    stack.api,
    'AwsSolutions-APIG4',
    'Routes authenticate in the handler: approval decisions need an HMAC-signed, expiring, single-use link; webhooks need the provider signature. A JWT authorizer for dashboard users is planned.',
  );
  ack(
    stack.api,
    'AwsSolutions-APIG1',
    'Access logging is configured on the default stage through its CfnStage (the rule reads the L2 props).',
  );
  ack(
    stack,
    'AwsSolutions-SMG4',
    'The approval-link HMAC key has no rotation function yet; rotation would invalidate open links. Planned with the dashboard.',
  );
  ack(
    stack.storage,
    'AwsSolutions-S1',
    'The access-log bucket does not log its own access (it would log into itself).',
  );
}
