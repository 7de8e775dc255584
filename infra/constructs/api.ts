import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  type HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES } from '../../lambdas/catalog.js';
import { acknowledge } from '../nag.js';
import type { PillarFunctions } from './functions.js';

/**
 * Routes reachable without AWS credentials, each authenticated by its handler instead. Every other route
 * requires IAM (SigV4) authorization until the dashboard brings a JWT authorizer.
 */
export const PUBLIC_ROUTES: Record<string, string> = {
  'GET /approvals/{id}':
    'Opened in a browser from a mailed approval link, which cannot carry AWS credentials. It renders a ' +
    'confirmation page and never decides (mail scanners follow links); the decision is the POST.',
  'POST /approvals/{id}':
    'The confirmation page posts the decision here from a browser, without AWS credentials; the handler ' +
    'verifies the HMAC signature and expiry of the link (lambdas/approvals/domain/links.ts) and decides once. ' +
    'TODO(handler): a decision without a link signature must be refused here, since this route has no authorizer.',
  'POST /webhooks/{provider}':
    'Render providers call back without AWS credentials; the handler verifies the Standard Webhooks ' +
    'signature before it completes a task token.',
};

/** Steady rate and burst of the whole API: far above a marketing team's use, well below account limits. */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/** The HTTP API: one route per catalog route (payload format 2.0), throttled, with JSON access logs. */
export class CampaignApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: { functions: PillarFunctions }) {
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

    const unknown = Object.keys(PUBLIC_ROUTES).filter(
      (k) => !ROUTES.some((r) => `${r.method} ${r.path}` === k),
    );
    if (unknown.length > 0)
      throw new Error(`PUBLIC_ROUTES names routes not in the catalog: ${unknown.join(', ')}`);
    const iam = new HttpIamAuthorizer();
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
      const key = `${r.method} ${r.path}`;
      const publicReason = PUBLIC_ROUTES[key];
      const [route] = this.api.addRoutes({
        path: r.path,
        methods: [HttpMethod[r.method]],
        integration,
        authorizer: publicReason ? undefined : iam,
      });
      if (publicReason && route) acknowledge(route, 'AwsSolutions-APIG4', publicReason);
    }
  }

  /** The API's base URL (the `$default` stage serves at the root). */
  get url(): string {
    return this.stage.url;
  }
}
