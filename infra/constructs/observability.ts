import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { FUNCTIONS } from '../../lambdas/catalog.js';
import type { PillarFunctions } from './functions.js';
import type { PillarStateMachines } from './state-machines.js';

/** Alarms (to an SNS topic) and a dashboard per pillar. */
export class Observability extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(
    scope: Construct,
    id: string,
    props: { functions: PillarFunctions; machines: PillarStateMachines; alarmEmail?: string },
  ) {
    super(scope, id);
    this.topic = new Topic(this, 'Alarms', {
      masterKey: new Key(this, 'AlarmsKey', { enableKeyRotation: true }),
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    const alarm = (name: string, metric: Metric, threshold: number, description: string) => {
      const a = new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
    };
    for (const [id, machine] of props.machines.byId) {
      alarm(
        `${id}ExecutionsFailed`,
        machine.metricFailed({ period: Duration.minutes(5) }),
        1,
        `${id} executions failed`,
      );
      alarm(
        `${id}ExecutionsTimedOut`,
        machine.metricTimedOut({ period: Duration.minutes(5) }),
        1,
        `${id} executions timed out`,
      );
    }
    for (const id of ['SubmitRender', 'PollRenders']) {
      alarm(
        `${id}Errors`,
        props.functions.get(id).metricErrors({ period: Duration.minutes(5) }),
        3,
        `renders stuck: ${id} is failing`,
      );
    }
    const custom = (metricName: string, statistic = 'Maximum') =>
      new Metric({ namespace: 'BrandInfinity', metricName, statistic, period: Duration.minutes(5) });
    alarm('BudgetOver90', custom('BudgetUsedPercent'), 90, 'a campaign has used 90 % of its budget');
    alarm('PublishFailures', custom('PublishFailures', 'Sum'), 1, 'publishing to a platform failed');
    const pillars = ['strategist', 'copywriter', 'production', 'campaign-manager', 'broadcaster'] as const;
    const machineOf: Record<string, string> = {
      strategist: 'Strategist',
      copywriter: 'Copywriter',
      production: 'Production',
      'campaign-manager': 'CampaignManager',
      broadcaster: 'Broadcaster',
    };
    for (const pillar of pillars) {
      const machine = props.machines.byId.get(machineOf[pillar] as 'Strategist');
      const fns = FUNCTIONS.filter((f) => f.pillar === pillar).map((f) => props.functions.get(f.id));
      new Dashboard(this, `${pillar}Dashboard`, {
        widgets: [
          [
            new GraphWidget({
              title: `${pillar}: executions`,
              left: machine
                ? [machine.metricStarted(), machine.metricSucceeded(), machine.metricFailed()]
                : [],
            }),
            new GraphWidget({
              title: `${pillar}: execution time`,
              left: machine ? [machine.metricTime()] : [],
            }),
          ],
          [
            new GraphWidget({ title: `${pillar}: Lambda errors`, left: fns.map((f) => f.metricErrors()) }),
            new GraphWidget({
              title: `${pillar}: Lambda duration p95`,
              left: fns.map((f) => f.metricDuration({ statistic: 'p95' })),
            }),
          ],
        ],
      });
    }
  }
}
