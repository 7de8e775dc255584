import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES, type RouteAuth, routeAuth } from '../../lambdas/catalog.js';
import { acknowledge } from '../nag.js';
import type { DashboardUsers } from './dashboard.js';
import type { PillarFunctions } from './functions.js';

/**
 * Why a route without an authorizer is safe, per catalog `auth` kind (lambdas/catalog.ts): the handler
 * authenticates it instead. Every `iam` route requires IAM (SigV4) authorization, every `user` route a
 * Cognito JWT of the dashboard's user pool (API Gateway's JWT authorizer).
 */
export const UNAUTHORIZED_ROUTE_REASONS: Record<Exclude<RouteAuth, 'iam' | 'user'>, string> = {
  link:
    'Opened and posted from a browser through a mailed approval link, which cannot carry AWS credentials. ' +
    'The handler requires the HMAC signature and expiry of the link (lambdas/approvals/domain/links.ts) ' +
    'before it reads the approval: without a valid one it answers 401/403/410 and reveals nothing; GET ' +
    'never decides (mail scanners follow links), POST decides once (conditional write). Operators decide ' +
    'on the IAM-authorized /operator/approvals routes.',
  webhook:
    'Render providers call back without AWS credentials; the handler verifies the Standard Webhooks ' +
    'signature (secret in Secrets Manager) and timestamp, and binds each message id to one body, before ' +
    'it completes a task token.',
};

/** Steady rate and burst of the whole API: far above a marketing team's use, well below account limits. */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/** The HTTP API: one route per catalog route (payload format 2.0), throttled, with JSON access logs. */
export class CampaignApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: { functions: PillarFunctions; users: DashboardUsers }) {
    super(scope, id);
    this.api = new HttpApi(this, 'Http', {
      description: 'Brand Infinity Engine API',
      createDefaultStage: false,
    });
    const logs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(logs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            route: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const iam = new HttpIamAuthorizer();
    // Explicit NONE (not "no authorizer"), so a default authorizer added to the API later cannot change it.
    const none = new HttpNoneAuthorizer();
    const user = new HttpUserPoolAuthorizer('DashboardUsers', props.users.pool, {
      userPoolClients: [props.users.client],
    });
    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const r of ROUTES) {
      let integration = integrations.get(r.functionId);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${r.functionId}Integration`,
          props.functions.get(r.functionId),
          {
            payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
          },
        );
        integrations.set(r.functionId, integration);
      }
      const auth = routeAuth(r);
      const [route] = this.api.addRoutes({
        path: r.path,
        methods: [HttpMethod[r.method]],
        integration,
        authorizer: auth === 'iam' ? iam : auth === 'user' ? user : none,
      });
      if (auth !== 'iam' && auth !== 'user' && route)
        acknowledge(route, 'AwsSolutions-APIG4', UNAUTHORIZED_ROUTE_REASONS[auth]);
    }
  }

  /** The API's base URL (the `$default` stage serves at the root). */
  get url(): string {
    return this.stage.url;
  }
}
