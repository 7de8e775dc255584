import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTIONS, type PillarFolder } from '../../lambdas/catalog.js';
import {
  CUSTOM_METRICS,
  type CustomMetricDefinition,
  METRICS_NAMESPACE,
} from '../../lambdas/shared/metric-definitions.js';
import { acknowledge } from '../nag.js';
import type { PillarFunctions } from './functions.js';
import type { MachineId, PillarStateMachines } from './state-machines.js';

export { METRICS_NAMESPACE };

/** The pillar of a catalog function: the `service` dimension of the metrics it publishes. */
function pillarOf(functionId: string): PillarFolder {
  const spec = FUNCTIONS.find((f) => f.id === functionId);
  if (!spec) throw new Error(`no function ${functionId} in the catalog`);
  return spec.pillar;
}

/** Functions whose errors mean renders are stuck: submissions fail, or nobody completes the tokens. */
const RENDER_FUNCTIONS = ['SubmitRender', 'PollRenders'];

/** A dashboard per pillar: its state machines (the campaign manager also hosts the orchestrator) and functions. */
const PILLAR_DASHBOARDS: readonly { pillar: PillarFolder; title: string; machines: MachineId[] }[] = [
  { pillar: 'campaign-manager', title: 'CampaignManager', machines: ['Campaign', 'CampaignManager'] },
  { pillar: 'strategist', title: 'Strategist', machines: ['Strategist'] },
  { pillar: 'copywriter', title: 'Copywriter', machines: ['Copywriter'] },
  { pillar: 'production', title: 'Production', machines: ['Production'] },
  { pillar: 'broadcaster', title: 'Broadcaster', machines: ['Broadcaster'] },
  { pillar: 'approvals', title: 'Approvals', machines: [] },
  { pillar: 'api', title: 'Api', machines: [] },
];

export interface ObservabilityProps {
  functions: PillarFunctions;
  machines: PillarStateMachines;
  /** Dead-letter queue of the scheduled functions. */
  deadLetters: IQueue;
  /** Alarm notifications go here when given (context `alarmEmail`). */
  alarmEmail?: string;
  /** Dashboard names are `<prefix><Pillar>`. */
  namePrefix: string;
}

/** Alarms (to one SNS topic) and a dashboard per pillar. */
export class Observability extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboards: Dashboard[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const key = new Key(this, 'AlarmsKey', {
      enableKeyRotation: true,
      description: 'Encrypts the alarm topic',
      // It only encrypts notifications in transit through SNS: nothing to keep once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch must be able to use the key, or alarms cannot publish to the encrypted topic.
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Alarms', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail) {
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      acknowledge(
        this.topic,
        'Serverless-SNSRedrivePolicy',
        'The only subscription is the operator mailbox: SNS retries e-mail delivery (50 attempts over 6 hours) ' +
          'and the alarm state stays visible in CloudWatch, so a queue of undelivered alarm copies would not ' +
          'be read by anyone.',
      );
    }
    const action = new SnsAction(this.topic);
    const alarm = (name: string, metric: IMetric, threshold: number, description: string): void => {
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
    const fiveMinutes = { period: Duration.minutes(5) };

    for (const [machineId, machine] of props.machines.byId) {
      alarm(
        `${machineId}ExecutionsFailed`,
        machine.metricFailed(fiveMinutes),
        1,
        `${machineId}: an execution failed`,
      );
      alarm(
        `${machineId}ExecutionsTimedOut`,
        machine.metricTimedOut(fiveMinutes),
        1,
        `${machineId}: an execution timed out`,
      );
    }
    for (const fnId of RENDER_FUNCTIONS) {
      alarm(
        `${fnId}Errors`,
        props.functions.get(fnId).metricErrors(fiveMinutes),
        3,
        `Renders stuck: ${fnId} failed 3 times in 5 minutes`,
      );
    }
    // One definition for the metric and its alarm (lambdas/shared/metric-definitions.ts): the alarm names
    // exactly the dimensions the metric is published with (Powertools' `service` = the publisher's pillar).
    for (const [metricName, def] of Object.entries(CUSTOM_METRICS) as [string, CustomMetricDefinition][]) {
      if (!def.alarm) continue;
      alarm(
        def.alarm.id,
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName,
          dimensionsMap: { service: pillarOf(def.publisher) },
          statistic: def.alarm.statistic,
          ...fiveMinutes,
        }),
        def.alarm.threshold,
        def.alarm.description,
      );
    }
    alarm(
      'AsyncDeadLetters',
      props.deadLetters.metricApproximateNumberOfMessagesVisible({ ...fiveMinutes, statistic: 'Maximum' }),
      1,
      'A scheduled invocation (trend scraping or render polling) failed after its retries',
    );

    for (const d of PILLAR_DASHBOARDS) {
      const fns = FUNCTIONS.filter((f) => f.pillar === d.pillar).map((f) => props.functions.get(f.id));
      const widgets: GraphWidget[][] = d.machines.map((machineId) => {
        const machine = props.machines.get(machineId);
        return [
          new GraphWidget({
            title: `${machineId}: executions`,
            left: [
              machine.metricStarted(),
              machine.metricSucceeded(),
              machine.metricFailed(),
              machine.metricTimedOut(),
            ],
          }),
          new GraphWidget({
            title: `${machineId}: execution time (p50, p95)`,
            left: [machine.metricTime({ statistic: 'p50' }), machine.metricTime({ statistic: 'p95' })],
          }),
        ];
      });
      widgets.push([
        new GraphWidget({ title: 'Lambda errors', left: fns.map((f) => f.metricErrors()) }),
        new GraphWidget({
          title: 'Lambda duration p95',
          left: fns.map((f) => f.metricDuration({ statistic: 'p95' })),
        }),
      ]);
      this.dashboards.push(
        new Dashboard(this, `${d.title}Dashboard`, {
          dashboardName: `${props.namePrefix}${d.title}`,
          widgets,
        }),
      );
    }
  }
}
