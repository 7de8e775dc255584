import { createHash } from 'node:crypto';

/**
 * CloudFormation intrinsics resolved against a *local* deployment of a synthesized template: each
 * resource gets the physical name and ARN CloudFormation would give it (deterministic here, so a data
 * directory survives restarts), and every `https://<api>.execute-api.<region>.amazonaws.com/...` URL
 * becomes the local API URL. Anything that cannot be resolved throws, naming the resource, the property
 * and the intrinsic: a value we guessed would hide exactly the deploy bugs as-deployed mode exists to find.
 */

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Outputs?: Record<string, { Value: unknown }>;
}

export interface ResolverOptions {
  template: CfnTemplate;
  stackName: string;
  region: string;
  account: string;
  /** Base URL of the local HTTP API that stands in for every API Gateway endpoint of the stack. */
  apiUrl: string;
  partition?: string;
  urlSuffix?: string;
}

/** Where a value sits in the template, for error messages. */
export interface At {
  resource: string;
  property: string;
}

export class UnresolvableIntrinsicError extends Error {
  constructor(
    readonly at: At,
    readonly intrinsic: string,
    detail: string,
  ) {
    super(`${at.resource}.${at.property}: cannot resolve ${intrinsic}: ${detail}`);
    this.name = 'UnresolvableIntrinsicError';
  }
}

/** What `Ref` and `Fn::GetAtt` return for one resource. */
export interface PhysicalResource {
  type: string;
  ref: string;
  attrs: Record<string, string>;
}

export interface Resolver {
  readonly stackName: string;
  readonly region: string;
  readonly account: string;
  readonly partition: string;
  readonly apiUrl: string;
  /** Resolves every intrinsic in `value`; `AWS::NoValue` removes the key or array element. */
  resolve(value: unknown, at: At): unknown;
  /** Like `resolve`, but the result must be a string. */
  resolveString(value: unknown, at: At): string;
  physical(logicalId: string, at?: At): PhysicalResource;
  /** False when the resource's `Condition` is false (CloudFormation does not create it). */
  isCreated(logicalId: string): boolean;
  /** Maps an execute-api URL of the stack to the local API URL (other strings are returned unchanged). */
  localizeUrl(value: string): string;
}

const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

const hashOf = (s: string): Buffer => createHash('sha256').update(s).digest();
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Deterministic stand-in for the random suffixes CloudFormation and AWS append to generated names. */
export function suffix(seed: string, length: number, alphabet = ALNUM): string {
  const h = hashOf(seed);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[(h[i % h.length] ?? 0) % alphabet.length];
  return out;
}
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

interface NameContext {
  logicalId: string;
  stackName: string;
  region: string;
  account: string;
  partition: string;
  urlSuffix: string;
  /** A property resolved to a string, or undefined when the template does not set it. */
  prop(name: string): string | undefined;
  /** `${stack}-${logicalId}-${SUFFIX}` trimmed to `max` characters, as CloudFormation generates names. */
  generated(max: number): string;
}

type Namer = (c: NameContext) => { ref: string; attrs?: Record<string, string> };

const arn = (c: NameContext, service: string, resource: string, region = c.region, account = c.account) =>
  `arn:${c.partition}:${service}:${region}:${account}:${resource}`;

const NAMERS: Record<string, Namer> = {
  'AWS::Lambda::Function': (c) => {
    const name = c.prop('FunctionName') ?? `${c.stackName}-${c.logicalId}`.slice(0, 64);
    return { ref: name, attrs: { Arn: arn(c, 'lambda', `function:${name}`) } };
  },
  'AWS::Lambda::LayerVersion': (c) => {
    const layer = c.prop('LayerName') ?? c.logicalId;
    return {
      ref: arn(c, 'lambda', `layer:${layer}:1`),
      attrs: { LayerVersionArn: arn(c, 'lambda', `layer:${layer}:1`) },
    };
  },
  'AWS::Lambda::Permission': (c) => ({ ref: c.generated(64) }),
  'AWS::Lambda::EventSourceMapping': (c) => ({ ref: suffix(c.logicalId, 36, LOWER_ALNUM) }),
  'AWS::DynamoDB::Table': (c) => table(c),
  'AWS::DynamoDB::GlobalTable': (c) => table(c),
  'AWS::S3::Bucket': (c) => {
    const name =
      c.prop('BucketName') ??
      `${`${c.stackName}-${c.logicalId}`
        .toLowerCase()
        .replace(/[^a-z0-9.-]/g, '-')
        .slice(0, 50)}-${suffix(c.logicalId, 12, LOWER_ALNUM)}`;
    return {
      ref: name,
      attrs: {
        Arn: `arn:${c.partition}:s3:::${name}`,
        DomainName: `${name}.s3.${c.urlSuffix}`,
        RegionalDomainName: `${name}.s3.${c.region}.${c.urlSuffix}`,
        DualStackDomainName: `${name}.s3.dualstack.${c.region}.${c.urlSuffix}`,
        WebsiteURL: `http://${name}.s3-website-${c.region}.${c.urlSuffix}`,
      },
    };
  },
  'AWS::S3::BucketPolicy': (c) => ({ ref: c.generated(64) }),
  'AWS::SecretsManager::Secret': (c) => {
    const name = c.prop('Name') ?? `${c.logicalId}-${suffix(c.logicalId, 12)}`;
    const secretArn = secretArnFor(c.partition, c.region, c.account, name);
    return { ref: secretArn, attrs: { Id: secretArn } };
  },
  'AWS::StepFunctions::StateMachine': (c) => {
    const name = c.prop('StateMachineName') ?? `${c.logicalId}-${suffix(c.logicalId, 12)}`;
    const machineArn = arn(c, 'states', `stateMachine:${name}`);
    return { ref: machineArn, attrs: { Arn: machineArn, Name: name, StateMachineRevisionId: machineArn } };
  },
  'AWS::Events::EventBus': (c) => {
    const name = c.prop('Name') ?? c.logicalId;
    return { ref: name, attrs: { Arn: arn(c, 'events', `event-bus/${name}`), Name: name } };
  },
  'AWS::Events::Rule': (c) => {
    const name = c.prop('Name') ?? c.generated(64);
    return { ref: name, attrs: { Arn: arn(c, 'events', `rule/${name}`) } };
  },
  'AWS::Scheduler::Schedule': (c) => {
    const name = c.prop('Name') ?? c.generated(64);
    return {
      ref: name,
      attrs: { Arn: arn(c, 'scheduler', `schedule/${c.prop('GroupName') ?? 'default'}/${name}`) },
    };
  },
  'AWS::Scheduler::ScheduleGroup': (c) => {
    const name = c.prop('Name') ?? c.generated(64);
    return { ref: name, attrs: { Arn: arn(c, 'scheduler', `schedule-group/${name}`) } };
  },
  'AWS::IAM::Role': (c) => {
    const name = c.prop('RoleName') ?? c.generated(64);
    const path = c.prop('Path') ?? '/';
    return {
      ref: name,
      attrs: {
        Arn: `arn:${c.partition}:iam::${c.account}:role${path}${name}`,
        RoleId: `AROA${suffix(c.logicalId, 17, UPPER_ALNUM)}`,
      },
    };
  },
  'AWS::IAM::Policy': (c) => ({ ref: c.prop('PolicyName') ?? c.generated(64) }),
  'AWS::IAM::ManagedPolicy': (c) => {
    const name = c.prop('ManagedPolicyName') ?? c.generated(64);
    const policyArn = `arn:${c.partition}:iam::${c.account}:policy${c.prop('Path') ?? '/'}${name}`;
    return { ref: policyArn, attrs: { PolicyArn: policyArn } };
  },
  'AWS::SQS::Queue': (c) => {
    const name = c.prop('QueueName') ?? c.generated(80);
    return {
      ref: `https://sqs.${c.region}.${c.urlSuffix}/${c.account}/${name}`,
      attrs: {
        Arn: arn(c, 'sqs', name),
        QueueName: name,
        QueueUrl: `https://sqs.${c.region}.${c.urlSuffix}/${c.account}/${name}`,
      },
    };
  },
  'AWS::SQS::QueuePolicy': (c) => ({ ref: c.generated(64) }),
  'AWS::SNS::Topic': (c) => {
    const name = c.prop('TopicName') ?? c.generated(256);
    const topicArn = arn(c, 'sns', name);
    return { ref: topicArn, attrs: { TopicArn: topicArn, TopicName: name } };
  },
  'AWS::SNS::TopicPolicy': (c) => ({ ref: c.generated(64) }),
  'AWS::SNS::Subscription': (c) => ({
    ref: `${c.prop('TopicArn') ?? c.logicalId}:${suffix(c.logicalId, 36, LOWER_ALNUM)}`,
  }),
  'AWS::KMS::Key': (c) => {
    const h = suffix(c.logicalId, 32, '0123456789abcdef');
    const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    return { ref: id, attrs: { Arn: arn(c, 'kms', `key/${id}`), KeyId: id } };
  },
  'AWS::KMS::Alias': (c) => ({ ref: c.prop('AliasName') ?? `alias/${c.logicalId}` }),
  'AWS::Logs::LogGroup': (c) => {
    const name = c.prop('LogGroupName') ?? c.generated(512);
    return { ref: name, attrs: { Arn: arn(c, 'logs', `log-group:${name}:*`) } };
  },
  'AWS::ApiGatewayV2::Api': (c) => {
    const id = apiIdFor(c.stackName, c.logicalId);
    return {
      ref: id,
      attrs: { ApiId: id, ApiEndpoint: `https://${id}.execute-api.${c.region}.${c.urlSuffix}` },
    };
  },
  'AWS::ApiGatewayV2::Stage': (c) => ({ ref: c.prop('StageName') ?? '$default' }),
  'AWS::ApiGatewayV2::Integration': (c) => ({ ref: suffix(c.logicalId, 7, LOWER_ALNUM) }),
  'AWS::ApiGatewayV2::Route': (c) => ({ ref: suffix(c.logicalId, 7, LOWER_ALNUM) }),
  'AWS::ApiGatewayV2::Authorizer': (c) => ({ ref: suffix(c.logicalId, 6, LOWER_ALNUM) }),
  'AWS::CloudWatch::Alarm': (c) => {
    const name = c.prop('AlarmName') ?? c.generated(255);
    return { ref: name, attrs: { Arn: arn(c, 'cloudwatch', `alarm:${name}`) } };
  },
  'AWS::CloudWatch::Dashboard': (c) => ({ ref: c.prop('DashboardName') ?? c.generated(255) }),
  'AWS::SES::EmailIdentity': (c) => {
    const identity = c.prop('EmailIdentity') ?? c.logicalId;
    return { ref: identity, attrs: { Arn: arn(c, 'ses', `identity/${identity}`) } };
  },
  'AWS::SES::ConfigurationSet': (c) => ({ ref: c.prop('Name') ?? c.generated(64) }),
  'AWS::CDK::Metadata': (c) => ({ ref: c.logicalId }),
  // The review dashboard: CloudFront in front of its bucket, and the Cognito user pool of its users.
  'AWS::CloudFront::Distribution': (c) => {
    const id = `E${suffix(c.logicalId, 13, UPPER_ALNUM)}`;
    return { ref: id, attrs: { Id: id, DomainName: distributionDomainFor(c.stackName, c.logicalId) } };
  },
  'AWS::CloudFront::OriginAccessControl': (c) => ({ ref: suffix(c.logicalId, 14, UPPER_ALNUM) }),
  'AWS::Cognito::UserPool': (c) => {
    const id = `${c.region}_${suffix(c.logicalId, 9)}`;
    return {
      ref: id,
      attrs: {
        Arn: arn(c, 'cognito-idp', `userpool/${id}`),
        ProviderName: `cognito-idp.${c.region}.amazonaws.com/${id}`,
        ProviderURL: `https://cognito-idp.${c.region}.amazonaws.com/${id}`,
        UserPoolId: id,
      },
    };
  },
  'AWS::Cognito::UserPoolClient': (c) => {
    const id = suffix(c.logicalId, 26, LOWER_ALNUM);
    return { ref: id, attrs: { ClientId: id } };
  },
  // BucketDeployment's custom resource: it copies the built dashboard at deploy time (nothing runs locally).
  'Custom::CDKBucketDeployment': (c) => ({ ref: c.generated(64) }),
};

/** The `dXXXXXXXXXXXXX.cloudfront.net` domain CloudFront gives a distribution (deterministic here). */
export const distributionDomainFor = (stackName: string, logicalId: string): string =>
  `d${suffix(`${stackName}/${logicalId}`, 13, LOWER_ALNUM)}.cloudfront.net`;

function table(c: NameContext) {
  const name = c.prop('TableName') ?? c.generated(255);
  const tableArn = arn(c, 'dynamodb', `table/${name}`);
  return {
    ref: name,
    attrs: {
      Arn: tableArn,
      StreamArn: `${tableArn}/stream/1970-01-01T00:00:00.000`,
      TableId: suffix(name, 32),
    },
  };
}

/** The 10-character id API Gateway gives an API (deterministic here). */
export const apiIdFor = (stackName: string, logicalId: string): string =>
  suffix(`${stackName}/${logicalId}`, 10, LOWER_ALNUM);

/** Secrets Manager appends `-` and six random characters to a secret's name in its ARN. */
export const secretArnFor = (partition: string, region: string, account: string, name: string): string =>
  `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}-${suffix(name, 6)}`;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const short = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
};

export function createResolver(opts: ResolverOptions): Resolver {
  const { template, stackName, region, account } = opts;
  const partition = opts.partition ?? 'aws';
  const urlSuffix = opts.urlSuffix ?? 'amazonaws.com';
  const resources = template.Resources;
  const physicalCache = new Map<string, PhysicalResource>();
  const inProgress = new Set<string>();
  const conditionCache = new Map<string, boolean>();
  const localApiBase = opts.apiUrl.replace(/\/+$/, '');
  const apiIds = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Api' || r.Type === 'AWS::ApiGateway::RestApi')
    .map(([id]) => apiIdFor(stackName, id));
  const apiPattern = apiIds.length
    ? new RegExp(
        `^https://(?:${apiIds.join('|')})\\.execute-api\\.[a-z0-9-]+\\.${urlSuffix.replace(/\./g, '\\.')}(/.*)?$`,
      )
    : undefined;

  // The dashboard's CloudFront site is served on the local API's origin (local/engine/site.ts).
  const sites = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::CloudFront::Distribution')
    .map(([id]) => distributionDomainFor(stackName, id).replace(/\./g, '\\.'));
  const sitePattern = sites.length ? new RegExp(`^https://(?:${sites.join('|')})(/.*)?$`) : undefined;

  const localizeUrl = (value: string): string => {
    const m = apiPattern?.exec(value) ?? sitePattern?.exec(value);
    // The path suffix is kept as the template wrote it: a double slash there is the stack's own bug.
    return m ? `${localApiBase}${m[1] ?? ''}` : value;
  };

  const pseudo = (name: string, at: At): string | typeof NO_VALUE => {
    switch (name) {
      case 'AWS::Region':
        return region;
      case 'AWS::AccountId':
        return account;
      case 'AWS::Partition':
        return partition;
      case 'AWS::URLSuffix':
        return urlSuffix;
      case 'AWS::StackName':
        return stackName;
      case 'AWS::StackId':
        return `arn:${partition}:cloudformation:${region}:${account}:stack/${stackName}/${suffix(stackName, 36, LOWER_ALNUM)}`;
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        throw new UnresolvableIntrinsicError(at, `Ref ${name}`, 'no notification ARNs locally');
      default:
        throw new UnresolvableIntrinsicError(at, `Ref ${name}`, 'unknown pseudo parameter');
    }
  };

  function physical(logicalId: string, at: At = { resource: logicalId, property: '(physical id)' }) {
    const cached = physicalCache.get(logicalId);
    if (cached) return cached;
    const resource = resources[logicalId];
    if (!resource)
      throw new UnresolvableIntrinsicError(at, `Ref ${logicalId}`, 'no such resource in the template');
    const namer = NAMERS[resource.Type];
    if (!namer)
      throw new UnresolvableIntrinsicError(
        at,
        `Ref ${logicalId}`,
        `resource type ${resource.Type} has no local physical id (add it to NAMERS in local/deployed/intrinsics.ts)`,
      );
    if (inProgress.has(logicalId))
      throw new UnresolvableIntrinsicError(at, `Ref ${logicalId}`, 'circular reference through its own name');
    inProgress.add(logicalId);
    try {
      const ctx: NameContext = {
        logicalId,
        stackName,
        region,
        account,
        partition,
        urlSuffix,
        prop: (name) => {
          const raw = resource.Properties?.[name];
          if (raw === undefined) return undefined;
          return resolveString(raw, { resource: logicalId, property: name });
        },
        generated: (max) => {
          const tail = `-${suffix(`${stackName}/${logicalId}`, 12, UPPER_ALNUM)}`;
          return `${`${stackName}-${logicalId}`.slice(0, max - tail.length)}${tail}`;
        },
      };
      const named = namer(ctx);
      const result: PhysicalResource = { type: resource.Type, ref: named.ref, attrs: named.attrs ?? {} };
      physicalCache.set(logicalId, result);
      return result;
    } finally {
      inProgress.delete(logicalId);
    }
  }

  function condition(name: string, at: At): boolean {
    const cached = conditionCache.get(name);
    if (cached !== undefined) return cached;
    const body = template.Conditions?.[name];
    if (body === undefined)
      throw new UnresolvableIntrinsicError(at, `Condition ${name}`, 'no such condition');
    const value = evalCondition(body, { resource: `Conditions.${name}`, property: name });
    conditionCache.set(name, value);
    return value;
  }

  function evalCondition(body: unknown, at: At): boolean {
    if (!isObject(body))
      throw new UnresolvableIntrinsicError(at, 'condition', `not a condition: ${short(body)}`);
    const [fn, args] = Object.entries(body)[0] ?? [];
    const list = Array.isArray(args) ? args : [];
    switch (fn) {
      case 'Fn::Equals':
        return JSON.stringify(resolve(list[0], at)) === JSON.stringify(resolve(list[1], at));
      case 'Fn::And':
        return list.every((c) => evalCondition(c, at));
      case 'Fn::Or':
        return list.some((c) => evalCondition(c, at));
      case 'Fn::Not':
        return !evalCondition(list[0], at);
      case 'Condition':
        return condition(String(args), at);
      default:
        throw new UnresolvableIntrinsicError(at, String(fn), 'not a condition function');
    }
  }

  function ref(name: string, at: At): unknown {
    if (name.startsWith('AWS::')) return pseudo(name, at);
    const param = template.Parameters?.[name];
    if (param) {
      if (param.Default === undefined || String(param.Type ?? '').startsWith('AWS::SSM::Parameter'))
        throw new UnresolvableIntrinsicError(at, `Ref ${name}`, 'parameter without a usable local default');
      return param.Default;
    }
    return physical(name, at).ref;
  }

  function getAtt(logicalId: string, attr: string, at: At): string {
    const p = physical(logicalId, at);
    const value = p.attrs[attr];
    if (value === undefined)
      throw new UnresolvableIntrinsicError(
        at,
        `Fn::GetAtt ${logicalId}.${attr}`,
        `attribute ${attr} of ${p.type} is not emulated locally`,
      );
    return attr === 'ApiEndpoint' ? localizeUrl(value) : value;
  }

  function sub(template: string, vars: Record<string, unknown>, at: At): string {
    return template.replace(/\$\{([^}]*)\}/g, (whole, expr: string) => {
      if (expr.startsWith('!')) return `\${${expr.slice(1)}}`;
      if (expr in vars) return stringOf(resolve(vars[expr], at), `Fn::Sub \${${expr}}`, at);
      const dot = expr.indexOf('.');
      if (dot > 0 && !expr.startsWith('AWS::')) return getAtt(expr.slice(0, dot), expr.slice(dot + 1), at);
      const value = ref(expr, at);
      if (value === NO_VALUE)
        throw new UnresolvableIntrinsicError(at, `Fn::Sub ${whole}`, 'AWS::NoValue in a string');
      return stringOf(value, `Fn::Sub ${whole}`, at);
    });
  }

  function stringOf(value: unknown, intrinsic: string, at: At): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new UnresolvableIntrinsicError(at, intrinsic, `expected a string, got ${short(value)}`);
  }

  function listOf(value: unknown, intrinsic: string, at: At): unknown[] {
    const v = resolve(value, at);
    if (!Array.isArray(v))
      throw new UnresolvableIntrinsicError(at, intrinsic, `expected a list, got ${short(v)}`);
    return v;
  }

  function resolveIntrinsic(fn: string, args: unknown, at: At): unknown {
    switch (fn) {
      case 'Ref':
        return ref(String(args), at);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(args) ? args : String(args).split(/\.(.*)/s);
        return getAtt(String(id), stringOf(resolve(attr, at), 'Fn::GetAtt', at), at);
      }
      case 'Fn::Join': {
        const [sep, parts] = Array.isArray(args) ? args : [];
        const items = listOf(parts, 'Fn::Join', at);
        return localizeUrl(items.map((p) => stringOf(p, 'Fn::Join', at)).join(String(sep ?? '')));
      }
      case 'Fn::Sub': {
        if (typeof args === 'string') return localizeUrl(sub(args, {}, at));
        const [text, vars] = Array.isArray(args) ? args : [];
        return localizeUrl(sub(stringOf(resolve(text, at), 'Fn::Sub', at), isObject(vars) ? vars : {}, at));
      }
      case 'Fn::Select': {
        const [index, list] = Array.isArray(args) ? args : [];
        const items = listOf(list, 'Fn::Select', at);
        const i = Number(resolve(index, at));
        if (!Number.isInteger(i) || i < 0 || i >= items.length)
          throw new UnresolvableIntrinsicError(
            at,
            'Fn::Select',
            `index ${i} out of range of ${items.length}`,
          );
        return items[i];
      }
      case 'Fn::Split': {
        const [sep, text] = Array.isArray(args) ? args : [];
        return stringOf(resolve(text, at), 'Fn::Split', at).split(String(sep));
      }
      case 'Fn::If': {
        const [cond, yes, no] = Array.isArray(args) ? args : [];
        return resolve(condition(String(cond), at) ? yes : no, at);
      }
      case 'Fn::Base64':
        return Buffer.from(stringOf(resolve(args, at), 'Fn::Base64', at)).toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((z) => `${region}${z}`);
      case 'Fn::FindInMap': {
        const [map, top, second] = (Array.isArray(args) ? args : []).map((a) => resolve(a, at));
        const value = template.Mappings?.[String(map)]?.[String(top)]?.[String(second)];
        if (value === undefined)
          throw new UnresolvableIntrinsicError(
            at,
            'Fn::FindInMap',
            `no ${String(map)}.${String(top)}.${String(second)}`,
          );
        return value;
      }
      case 'Fn::ToJsonString':
        return JSON.stringify(resolve(args, at));
      case 'Fn::ImportValue':
        throw new UnresolvableIntrinsicError(
          at,
          `Fn::ImportValue ${short(args)}`,
          'cross-stack imports are not available locally (run the exporting stack in the same model)',
        );
      default:
        throw new UnresolvableIntrinsicError(at, fn, 'intrinsic not supported locally');
    }
  }

  function resolve(value: unknown, at: At): unknown {
    if (Array.isArray(value)) return value.map((v) => resolve(v, at)).filter((v) => v !== NO_VALUE);
    if (isObject(value)) {
      const keys = Object.keys(value);
      const only = keys[0];
      if (keys.length === 1 && only && (only === 'Ref' || only.startsWith('Fn::')))
        return resolveIntrinsic(only, value[only], at);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const r = resolve(v, at);
        if (r !== NO_VALUE) out[k] = r;
      }
      return out;
    }
    return value;
  }

  function resolveString(value: unknown, at: At): string {
    const v = resolve(value, at);
    if (typeof v === 'string') return localizeUrl(v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new UnresolvableIntrinsicError(at, short(value), `expected a string, got ${short(v)}`);
  }

  return {
    stackName,
    region,
    account,
    partition,
    apiUrl: opts.apiUrl,
    resolve: (value, at) => {
      const v = resolve(value, at);
      return v === NO_VALUE ? undefined : v;
    },
    resolveString,
    physical: (id, at) => physical(id, at),
    isCreated: (logicalId) => {
      const cond = resources[logicalId]?.Condition;
      return cond === undefined || condition(cond, { resource: logicalId, property: 'Condition' });
    },
    localizeUrl,
  };
}
