import { type CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES } from '../../lambdas/catalog.js';
import type { PillarFunctions } from './functions.js';

/** The HTTP API (payload 2.0): one route per catalog route, throttled, with access logs. */
export class CampaignApi extends Construct {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: { functions: PillarFunctions }) {
    super(scope, id);
    this.api = new HttpApi(this, 'Http', {
      description: 'Brand Infinity Engine API',
      createDefaultStage: true,
    });
    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const r of ROUTES) {
      const integration =
        integrations.get(r.functionId) ??
        new HttpLambdaIntegration(`${r.functionId}Integration`, props.functions.get(r.functionId));
      integrations.set(r.functionId, integration);
      this.api.addRoutes({ path: r.path, methods: [HttpMethod[r.method]], integration });
    }
    const logs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: logs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        route: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
      }),
    };
    // 50 rps steady, bursts of 100: far above a marketing team's use, well below account limits.
    stage.defaultRouteSettings = { throttlingRateLimit: 50, throttlingBurstLimit: 100 };
  }
}
