import { Arn, Aws, Duration, Stack } from 'aws-cdk-lib';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTIONS } from '../../lambdas/catalog.js';
import { ENV_ROLES } from '../../lambdas/shared/config/index.js';
import { acknowledge, wildcardResourceFinding } from '../nag.js';
import type { PillarFunctions } from './functions.js';

/**
 * EventBridge: the campaign event bus, the catalog's schedules (trend scraping hourly, render polling
 * every minute) and the dead-letter queue of everything invoked asynchronously.
 */
export class Scheduling extends Construct {
  readonly bus: EventBus;
  readonly rules: Rule[] = [];
  /** Scheduled invocations that failed (rule delivery, or the function after Lambda's retries). */
  readonly deadLetters: Queue;
  /** The one-time EventBridge Scheduler schedules of scheduled posts (issue 8). */
  readonly postSchedules: ScheduleGroup;
  /** The role EventBridge Scheduler assumes to invoke PublishPost when a scheduled post is due. */
  readonly postSchedulerRole: Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new EventBus(this, 'CampaignEvents', {
      description: 'Campaign lifecycle events (published, failed, budget alerts)',
    });
    this.deadLetters = new Queue(this, 'AsyncDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.postSchedules = new ScheduleGroup(this, 'PostSchedules', {});
    this.postSchedulerRole = new Role(this, 'PostSchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to publish scheduled posts (invokes PublishPost)',
      // The confused-deputy guard AWS documents for Scheduler roles: only this account's schedules.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    this.deadLetters.grantSendMessages(this.postSchedulerRole);
    acknowledge(
      this.deadLetters,
      'Serverless-SQSRedrivePolicy',
      'This queue is itself the dead-letter queue of the scheduled functions and their rules, and nothing ' +
        'consumes it (an alarm fires on its first message), so a redrive policy would never apply.',
    );
  }

  /** The schedules of the catalog, and publishing to the bus for the campaign manager's functions. */
  attach(functions: PillarFunctions): void {
    for (const spec of FUNCTIONS.filter((f) => f.schedule)) {
      this.rules.push(
        new Rule(this, `${spec.id}Schedule`, {
          description: `${spec.id}: ${spec.description}`,
          schedule: Schedule.expression(spec.schedule as string),
          targets: [
            new LambdaFunction(functions.get(spec.id), {
              deadLetterQueue: this.deadLetters,
              retryAttempts: 2,
              // A missed run is superseded by the next one.
              maxEventAge: Duration.hours(1),
            }),
          ],
        }),
      );
    }
    this.attachPostSchedules(functions);
    for (const id of ENV_ROLES.eventPublishers) this.bus.grantPutEventsTo(functions.get(id));
    functions.setVariable('EVENT_BUS_NAME', this.bus.eventBusName);
  }

  /**
   * Scheduled posts: PublishPost creates one-time schedules (targeting itself) in the group and passes
   * the scheduler role; SchedulesApi reads, moves and deletes them. The role may invoke PublishPost
   * only, and send what still fails to the dead-letter queue.
   */
  private attachPostSchedules(functions: PillarFunctions): void {
    const publisher = functions.get('PublishPost');
    const operator = functions.get('SchedulesApi');
    publisher.grantInvoke(this.postSchedulerRole);
    for (const fn of [publisher, operator]) {
      this.postSchedules.grants.readSchedules(fn);
      this.postSchedules.grants.writeSchedules(fn);
      this.postSchedules.grants.deleteSchedules(fn);
      this.postSchedulerRole.grantPassRole(fn.grantPrincipal);
      acknowledge(
        fn.role ?? fn,
        wildcardResourceFinding(
          this,
          // The ARN exactly as the group's grants write it.
          Arn.format({
            region: this.postSchedules.env.region,
            account: this.postSchedules.env.account,
            partition: Aws.PARTITION,
            service: 'scheduler',
            resource: 'schedule',
            resourceName: `${this.postSchedules.scheduleGroupRef.scheduleGroupName}/*`,
          }),
        ),
        'Schedules are created per scheduled post under generated names; the grant is limited to the ' +
          "stack's own post schedule group.",
      );
    }
    acknowledge(
      this.postSchedulerRole,
      wildcardResourceFinding(this, `${publisher.functionArn}:*`),
      'grantInvoke also names the versions of PublishPost (`:*`); the role can invoke no other function.',
    );
    functions.setVariable('POST_SCHEDULE_GROUP', this.postSchedules.scheduleGroupName);
    functions.setVariable('POST_SCHEDULER_ROLE_ARN', this.postSchedulerRole.roleArn);
    functions.setVariable('POST_SCHEDULE_DEAD_LETTER_ARN', this.deadLetters.queueArn);
  }
}
