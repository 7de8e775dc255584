import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { FUNCTIONS } from '../../lambdas/catalog.js';
import type { PillarFunctions } from './functions.js';

/** EventBridge: the catalog's schedules (trend scraping hourly, render polling each minute) and the campaign event bus. */
export class Scheduling extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: { functions: PillarFunctions }) {
    super(scope, id);
    this.bus = new EventBus(this, 'CampaignEvents');
    for (const spec of FUNCTIONS.filter((f) => f.schedule)) {
      new Rule(this, `${spec.id}Schedule`, {
        schedule: Schedule.expression(spec.schedule as string),
        targets: [new LambdaFunction(props.functions.get(spec.id), { retryAttempts: 2 })],
      });
    }
    for (const spec of FUNCTIONS.filter((f) => f.pillar === 'campaign-manager'))
      this.bus.grantPutEventsTo(props.functions.get(spec.id));
  }
}
