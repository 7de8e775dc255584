import { Duration } from 'aws-cdk-lib';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTIONS } from '../../lambdas/catalog.js';
import { ENV_ROLES } from '../../lambdas/shared/config/index.js';
import { acknowledge } from '../nag.js';
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
    for (const id of ENV_ROLES.eventPublishers) this.bus.grantPutEventsTo(functions.get(id));
    functions.setVariable('EVENT_BUS_NAME', this.bus.eventBusName);
  }
}
