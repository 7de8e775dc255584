import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeAuth } from '../../lambdas/catalog.js';
import { ENV_ROLES } from '../../lambdas/shared/config/index.js';
import { ofType, type Resource, type Synthesized, synthesize } from './synth.js';

let s: Synthesized;
const synth = () => {
  s ??= synthesize();
  return s;
};
beforeAll(() => {
  synth();
}, 300_000);
afterAll(() => s?.cleanup());

const routesOf = (resources: Record<string, Resource>) =>
  ofType(resources, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);

describe('the review dashboard on AWS', () => {
  it('puts every dashboard route behind a JWT authorizer of the user pool and its web client', () => {
    const { resources, template } = synth();
    const authorizers = ofType(resources, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0] as [string, Resource];
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    const jwt = JSON.stringify(authorizer.Properties.JwtConfiguration);
    expect(jwt).toContain('cognito-idp');
    expect(jwt).toContain(ofType(resources, 'AWS::Cognito::UserPoolClient')[0]?.[0]);

    const userRoutes = ROUTES.filter((r) => routeAuth(r) === 'user').map((r) => `${r.method} ${r.path}`);
    expect(userRoutes.length).toBeGreaterThanOrEqual(5);
    for (const route of routesOf(resources)) {
      const isUser = userRoutes.includes(String(route.RouteKey));
      expect(route.AuthorizationType === 'JWT', String(route.RouteKey)).toBe(isUser);
      if (isUser) expect(route.AuthorizerId).toEqual({ Ref: authorizerId });
    }
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
  });

  it('lets only invited users in: no self sign-up, a client without a secret', () => {
    const { resources } = synth();
    const pool = ofType(resources, 'AWS::Cognito::UserPool')[0]?.[1].Properties;
    expect(pool?.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
    const client = ofType(resources, 'AWS::Cognito::UserPoolClient')[0]?.[1].Properties;
    expect(client?.GenerateSecret).toBe(false);
    expect(client?.ExplicitAuthFlows).toContain('ALLOW_USER_PASSWORD_AUTH');
  });

  it('serves the site from a private bucket through CloudFront with origin access control', () => {
    const { resources } = synth();
    const distribution = ofType(resources, 'AWS::CloudFront::Distribution')[0]?.[1].Properties
      .DistributionConfig as Record<string, unknown>;
    expect(distribution.DefaultRootObject).toBe('index.html');
    const origin = (distribution.Origins as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(origin.OriginAccessControlId).toBeDefined();
    expect(JSON.stringify(origin.S3OriginConfig)).toContain('"OriginAccessIdentity":""');
    expect((distribution.DefaultCacheBehavior as { ViewerProtocolPolicy: string }).ViewerProtocolPolicy).toBe(
      'redirect-to-https',
    );
    const oac = ofType(resources, 'AWS::CloudFront::OriginAccessControl')[0]?.[1].Properties;
    expect(JSON.stringify(oac)).toContain('"SigningBehavior":"always"');
    const siteBucket = ofType(resources, 'AWS::S3::Bucket').find(([id]) => id.startsWith('DashboardSite'));
    expect(siteBucket?.[1].Properties.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = JSON.stringify(
      ofType(resources, 'AWS::S3::BucketPolicy').find(([id]) => id.startsWith('DashboardSite'))?.[1],
    );
    expect(policy).toContain('cloudfront.amazonaws.com');
    expect(policy).toContain('AWS:SourceArn');
  });

  it('deploys the built app with a config.json naming the API and the user pool, and allows its origin', () => {
    const { resources } = synth();
    const deployment = ofType(resources, 'Custom::CDKBucketDeployment')[0]?.[1].Properties;
    // config.json's values are markers resolved at deploy time: the API, the user pool and its client.
    const markers = JSON.stringify(deployment?.SourceMarkers);
    const [poolId] = ofType(resources, 'AWS::Cognito::UserPool')[0] ?? [];
    const [clientId] = ofType(resources, 'AWS::Cognito::UserPoolClient')[0] ?? [];
    const [apiId] = ofType(resources, 'AWS::ApiGatewayV2::Api')[0] ?? [];
    for (const id of [poolId, clientId, apiId]) expect(markers).toContain(`{"Ref":"${id}"}`);
    const api = ofType(resources, 'AWS::ApiGatewayV2::Api')[0]?.[1].Properties;
    expect(JSON.stringify(api?.CorsConfiguration)).toContain('DomainName');
  });

  it('gives the link signers the dashboard URL, so approval mails open its review page', () => {
    const { resources } = synth();
    const fns = ofType(resources, 'AWS::Lambda::Function').map(([, f]) => f.Properties);
    const withUrl = fns.filter(
      (f) => 'DASHBOARD_URL' in ((f.Environment as { Variables?: object })?.Variables ?? {}),
    );
    expect(withUrl).toHaveLength(ENV_ROLES.linkSigners.length);
    expect(JSON.stringify(withUrl[0]?.Environment)).toContain('DomainName');
  });

  it('passes cdk-nag with every finding acknowledged', () => {
    expect(synth().violations.filter((v) => v.severity === 'error')).toEqual([]);
  });
});
