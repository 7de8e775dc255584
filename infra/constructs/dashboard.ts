import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { type CfnApi, CorsHttpMethod, type HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  Distribution,
  HttpVersion,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { AccountRecovery, FeaturePlan, Mfa, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import { acknowledge, wildcardResourceFinding } from '../nag.js';

/**
 * Who may use the review dashboard: a Cognito user pool (no self sign-up; an administrator invites
 * reviewers) and the web client the single-page app signs in with (USER_PASSWORD_AUTH over HTTPS,
 * no client secret, as a browser cannot keep one). API Gateway's JWT authorizer checks its tokens.
 */
export class DashboardUsers extends Construct {
  readonly pool: UserPool;
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string, props: { removalPolicy?: RemovalPolicy } = {}) {
    super(scope, id);
    this.pool = new UserPool(this, 'Pool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.OPTIONAL,
      featurePlan: FeaturePlan.ESSENTIALS,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.pool,
      'AwsSolutions-COG8',
      'The Essentials plan: the Plus plan (threat protection) is a paid add-on a team can switch on.',
    );
    acknowledge(
      this.pool,
      'AwsSolutions-COG3',
      'Cognito threat protection (advanced security) is a paid add-on; reviewers are invited by an administrator and there is no self sign-up.',
    );
    acknowledge(
      this.pool,
      'AwsSolutions-COG2',
      'MFA is optional (TOTP) so a team can enforce it per user; approval decisions are also audited.',
    );
    this.client = this.pool.addClient('Web', {
      authFlows: { userPassword: true, userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(7),
    });
  }
}

/**
 * The dashboard's static site: a private bucket behind CloudFront (origin access control), the built
 * single-page app and a `config.json` telling it where the API and the user pool are. The API allows the
 * site's origin (CORS) on its routes.
 */
export class DashboardSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(
    scope: Construct,
    id: string,
    props: { api: HttpApi; apiUrl: string; users: DashboardUsers; webDist: string; logBucket?: Bucket },
  ) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'The site bucket holds only the built dashboard, rewritten on every deploy; CloudFront is the only reader.',
    );
    this.distribution = new Distribution(this, 'Cdn', {
      comment: 'Brand Infinity Engine review dashboard',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
      },
    });
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'A review tool for a marketing team: no geo restriction is wanted; sign-in is required for data.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'No WAF: the site is static files; the API behind it has throttling and authorizers.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR3',
      'Access logs of a static site add cost without insight; API access is logged by API Gateway.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'The default CloudFront certificate: TLSv1 floor is set by CloudFront for *.cloudfront.net; use a custom domain to raise it.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR7',
      'The S3 origin uses origin access control (the successor of origin access identity).',
    );
    const origin = `https://${this.distribution.distributionDomainName}`;
    new BucketDeployment(this, 'Deploy', {
      sources: [
        Source.asset(props.webDist),
        Source.jsonData('config.json', {
          apiUrl: props.apiUrl,
          auth: {
            region: Stack.of(this).region,
            userPoolId: props.users.pool.userPoolId,
            clientId: props.users.client.userPoolClientId,
          },
        }),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      memoryLimit: 512,
    });
    acknowledgeDeploymentProvider(this, this.bucket);
    // The browser calls the API from the site's origin.
    const cfn = props.api.node.defaultChild as CfnApi;
    cfn.corsConfiguration = {
      allowOrigins: [origin],
      allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
      allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.OPTIONS],
      maxAge: 3600,
    };
  }

  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }
}

/**
 * BucketDeployment's provider is one function per stack (a CDK singleton, outside this construct):
 * its findings are acknowledged on it, each for the exact finding, with the reason.
 */
function acknowledgeDeploymentProvider(scope: IConstruct, site: Bucket): void {
  const stack = Stack.of(scope);
  const provider = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!provider) return;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const why =
    'The CDK BucketDeployment provider (a CDK-managed singleton) copies the built dashboard into its bucket at deploy time';
  acknowledge(provider, 'AwsSolutions-L1', `${why}; CDK pins its runtime.`);
  acknowledge(provider, 'Serverless-LambdaLatestVersion', `${why}; CDK pins its runtime.`);
  acknowledge(provider, 'Serverless-LambdaDLQ', `${why}; CloudFormation reports its failures.`);
  acknowledge(provider, 'Serverless-LambdaTracing', `${why}; it runs only during deploys.`);
  acknowledge(
    provider,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    `${why}; it only needs to write its logs.`,
  );
  for (const action of ['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'])
    acknowledge(
      provider,
      `AwsSolutions-IAM5[Action::${action}]`,
      `${why}: CDK's grant for reading the asset and replacing the site.`,
    );
  acknowledge(
    provider,
    wildcardResourceFinding(scope, `${site.bucketArn}/*`),
    `${why}: it replaces every file of the site.`,
  );
  acknowledge(
    provider,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${account}-${stack.region}/*]`,
    `${why}: it reads the asset from the CDK bootstrap bucket.`,
  );
  acknowledge(
    provider,
    `AwsSolutions-IAM5[Resource::arn:aws:s3:::cdk-hnb659fds-assets-${account}-${stack.region}/*]`,
    `${why}: it reads the asset from the CDK bootstrap bucket.`,
  );
  acknowledge(
    provider,
    'AwsSolutions-IAM5[Resource::*]',
    `${why}: CloudFront invalidations have no resource-level permissions.`,
  );
}
