import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FUNCTIONS } from '../../lambdas/catalog.js';
import { type PolicyStatement, parsePolicyDocument, type RolePolicies } from './iam.js';
import {
  type At,
  type CfnResource,
  type CfnTemplate,
  createResolver,
  type Resolver,
  UnresolvableIntrinsicError,
} from './intrinsics.js';

/**
 * The synthesized stack (`cdk.out/`) read as a deployment: every function with its bundled asset and
 * exactly the environment its template resource declares, state machines with their definition files and
 * substitutions, API routes, schedules, secrets, tables, buckets, buses, identities and role policies —
 * intrinsics resolved to the local emulators' names, ARNs and URLs. Pure: reads files, starts nothing.
 */

export interface DeployedFunction {
  logicalId: string;
  name: string;
  arn: string;
  /** The lambdas/catalog.ts FunctionSpec id, from the construct path `<Stack>/Functions/<Id>/Fn/Resource`. */
  catalogId?: string;
  /** Absolute path of the code asset directory. */
  assetDir: string;
  /** e.g. "index.handler" */
  handler: string;
  runtime: string;
  architecture: 'arm64' | 'x86_64';
  memoryMb: number;
  timeoutSeconds: number;
  ephemeralStorageMb: number;
  /** Exactly the template's Environment.Variables, intrinsics resolved to local values. */
  environment: Record<string, string>;
  /** Absolute asset dirs of its layers, in order (their content is what Lambda mounts at /opt). */
  layerDirs: string[];
  roleArn: string;
  reservedConcurrency?: number;
}

export interface DeployedMachine {
  logicalId: string;
  name: string;
  arn: string;
  /** Absolute path of the ASL file CDK uploaded (placeholders `${Name}` still in it). */
  definitionFile: string;
  substitutions: Record<string, string>;
  /** The execution role (its policy says which functions the machine may invoke). */
  roleArn: string;
}

export interface DeployedRoute {
  /** Upper-case HTTP method, or ANY. */
  method: string;
  /** e.g. `/campaigns/{id}`; `$default` for the default route. */
  path: string;
  functionArn: string;
  authorization: 'NONE' | 'AWS_IAM' | 'JWT';
  /** The route's authorizer (`AuthorizerId`), for JWT routes. */
  authorizerId?: string;
  /** `AuthorizationScopes`: a JWT must carry at least one of them (none: any valid token). */
  authorizationScopes?: string[];
}

/** An HTTP API JWT authorizer (`AWS::ApiGatewayV2::Authorizer` of type JWT). */
export interface DeployedJwtAuthorizer {
  logicalId: string;
  id: string;
  issuer: string;
  audience: string[];
  /** e.g. `$request.header.Authorization`. */
  identitySource: string[];
}

/** A Cognito user pool: what sign-in and its password rules need. */
export interface DeployedUserPool {
  logicalId: string;
  id: string;
  arn: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<id>`: the `iss` of its tokens. */
  issuer: string;
  /** `UsernameAttributes`: `email` means users sign in with their email and get a generated username. */
  usernameAttributes: string[];
  passwordPolicy: {
    minimumLength: number;
    requireLowercase: boolean;
    requireUppercase: boolean;
    requireNumbers: boolean;
    requireSymbols: boolean;
    temporaryPasswordValidityDays: number;
  };
}

export interface DeployedUserPoolClient {
  logicalId: string;
  clientId: string;
  userPoolId: string;
  /** `ExplicitAuthFlows` (e.g. ALLOW_USER_PASSWORD_AUTH). */
  authFlows: string[];
  preventUserExistenceErrors: boolean;
  generateSecret: boolean;
  accessTokenValiditySeconds: number;
  idTokenValiditySeconds: number;
  refreshTokenValiditySeconds: number;
}

export interface DeployedSchedule {
  ruleLogicalId: string;
  /** `rate(...)` or `cron(...)`, as in the template. */
  expression: string;
  functionArn: string;
  /** The target's constant `Input` (a JSON string), when set. */
  input?: string;
}

export interface DeployedSecret {
  logicalId: string;
  arn: string;
  name: string;
  passwordLength: number;
  excludePunctuation: boolean;
  /** A value the template sets literally (SecretString), instead of generating one. */
  secretString?: string;
  /** GenerateSecretString's JSON form: the generated password goes into `template[generateStringKey]`. */
  secretStringTemplate?: string;
  generateStringKey?: string;
  excludeCharacters?: string;
}

export interface KeySchemaElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}
export interface AttributeDefinition {
  AttributeName: string;
  AttributeType: 'S' | 'N' | 'B';
}
export interface Projection {
  ProjectionType?: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  NonKeyAttributes?: string[];
}
export interface SecondaryIndex {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: Projection;
}

/** Enough of a table to CreateTable it on dynalite (shapes are the DynamoDB API's). */
export interface DeployedTable {
  logicalId: string;
  name: string;
  arn: string;
  keySchema: KeySchemaElement[];
  attributeDefinitions: AttributeDefinition[];
  globalSecondaryIndexes: SecondaryIndex[];
  localSecondaryIndexes: SecondaryIndex[];
  ttlAttribute?: string;
  streamViewType?: string;
}

export interface DeployedModel {
  stackName: string;
  region: string;
  account: string;
  functions: DeployedFunction[];
  machines: DeployedMachine[];
  routes: DeployedRoute[];
  schedules: DeployedSchedule[];
  secrets: DeployedSecret[];
  tables: DeployedTable[];
  buckets: { logicalId: string; name: string; arn: string }[];
  eventBuses: { logicalId: string; name: string; arn: string }[];
  emailIdentities: { logicalId: string; identity: string; arn: string }[];
  jwtAuthorizers: DeployedJwtAuthorizer[];
  userPools: DeployedUserPool[];
  userPoolClients: DeployedUserPoolClient[];
  /** What each BucketDeployment (the dashboard) copies into its bucket at deploy time. */
  siteDeployments: DeployedSite[];
  policies: RolePolicies;
  /** Maps an execute-api or CloudFront URL of the stack to the local API URL (others unchanged). */
  localizeUrl(value: string): string;
}

/**
 * A `Custom::CDKBucketDeployment`: its sources are asset directories of the cloud assembly whose files
 * carry `<<marker:…>>` placeholders (tokens such as the API id or the user pool id, `Source.jsonData`),
 * replaced by the deployment with the resolved values (JSON-escaped when `jsonEscape`).
 */
export interface DeployedSite {
  logicalId: string;
  bucket: string;
  sources: { dir: string; markers: Record<string, string>; jsonEscape: boolean }[];
}

export interface LocalDeployment {
  /** URL of the local HTTP API; every execute-api URL of the stack becomes this (path kept). */
  apiUrl: string;
  /** Defaults to the stack's own region in the manifest, else us-east-1. */
  region?: string;
  /** Defaults to 000000000000, the account of the embedded runtime's ARNs. */
  account?: string;
  /** Which stack, when the cloud assembly has more than one. */
  stackName?: string;
}

export class DeployedModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployedModelError';
  }
}

interface ManifestArtifact {
  type: string;
  environment?: string;
  displayName?: string;
  properties?: { templateFile?: string; stackName?: string; file?: string };
  dependencies?: string[];
}

interface AssetManifest {
  files?: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
}

const readJson = <T>(file: string): T => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new DeployedModelError(`cannot read ${file}: ${(error as Error).message}`);
  }
};

const CATALOG_IDS = new Set(FUNCTIONS.map((f) => f.id));

/** `BrandInfinity-dev/Functions/SubmitRender/Fn/Resource` → `SubmitRender` (when the catalog has it). */
export function catalogIdFromPath(cdkPath: unknown): string | undefined {
  if (typeof cdkPath !== 'string') return undefined;
  const id = /\/Functions\/([^/]+)\/Fn\/Resource$/.exec(cdkPath)?.[1];
  return id && CATALOG_IDS.has(id) ? id : undefined;
}

export function loadDeployedModel(cdkOutDir: string, local: LocalDeployment): DeployedModel {
  const outDir = path.resolve(cdkOutDir);
  const manifest = readJson<{ artifacts?: Record<string, ManifestArtifact> }>(
    path.join(outDir, 'manifest.json'),
  );
  const artifacts = Object.entries(manifest.artifacts ?? {});
  const stacks = artifacts.filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const nameOf = ([id, a]: [string, ManifestArtifact]) => a.properties?.stackName ?? id;
  const chosen = local.stackName ? stacks.filter((s) => nameOf(s) === local.stackName) : stacks;
  if (chosen.length !== 1)
    throw new DeployedModelError(
      `${outDir}: expected ${local.stackName ? `stack ${local.stackName}` : 'one stack'}, found ${stacks.map(nameOf).join(', ') || 'none'}`,
    );
  const stack = chosen[0] as [string, ManifestArtifact];
  const stackName = nameOf(stack);
  const templateFile = stack[1].properties?.templateFile;
  if (!templateFile) throw new DeployedModelError(`${stackName}: manifest names no templateFile`);
  const template = readJson<CfnTemplate>(path.join(outDir, templateFile));

  // Asset object key (`<hash>.zip`, `<hash>.json`) → absolute source path, from every asset manifest.
  const assetByKey = new Map<string, string>();
  for (const [, a] of artifacts) {
    if (a.type !== 'cdk:asset-manifest' || !a.properties?.file) continue;
    const assets = readJson<AssetManifest>(path.join(outDir, a.properties.file));
    for (const entry of Object.values(assets.files ?? {}))
      for (const d of Object.values(entry.destinations ?? {}))
        assetByKey.set(d.objectKey, path.resolve(outDir, entry.source.path));
  }

  const envRegion = /^aws:\/\/[^/]+\/(.+)$/.exec(stack[1].environment ?? '')?.[1];
  const region = local.region ?? (envRegion && envRegion !== 'unknown-region' ? envRegion : 'us-east-1');
  const account = local.account ?? '000000000000';
  const resolver = createResolver({ template, stackName, region, account, apiUrl: local.apiUrl });
  return buildModel(template, resolver, { outDir, assetByKey });
}

export interface AssetContext {
  outDir: string;
  assetByKey: Map<string, string>;
}

const num = (v: unknown, fallback: number, at: At): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n))
    throw new DeployedModelError(`${at.resource}.${at.property}: not a number: ${JSON.stringify(v)}`);
  return n;
};

/** Builds the model from a template already in memory (tests and `loadDeployedModel`). */
export function buildModel(template: CfnTemplate, resolver: Resolver, assets: AssetContext): DeployedModel {
  const all = Object.entries(template.Resources ?? {}).filter(([id]) => resolver.isCreated(id));
  const ofType = (...types: string[]) => all.filter(([, r]) => types.includes(r.Type));
  const props = (r: CfnResource) => r.Properties ?? {};
  const str = (r: [string, CfnResource], property: string): string | undefined => {
    const v = props(r[1])[property];
    return v === undefined ? undefined : resolver.resolveString(v, { resource: r[0], property });
  };
  const must = (r: [string, CfnResource], property: string): string => {
    const v = str(r, property);
    if (v === undefined) throw new DeployedModelError(`${r[0]}: ${r[1].Type} without ${property}`);
    return v;
  };
  const attr = (id: string, name: string) => {
    const v = resolver.physical(id).attrs[name];
    if (v === undefined) throw new DeployedModelError(`${id}: no ${name} attribute`);
    return v;
  };

  const assetDir = (r: [string, CfnResource], property: 'Code' | 'Content'): string => {
    const metaPath = r[1].Metadata?.['aws:asset:path'];
    if (typeof metaPath === 'string') {
      const dir = path.resolve(assets.outDir, metaPath);
      if (!existsSync(dir))
        throw new DeployedModelError(`${r[0]}: asset ${dir} is missing (synthesize again)`);
      return dir;
    }
    const code = props(r[1])[property] as Record<string, unknown> | undefined;
    if (code?.ZipFile !== undefined)
      throw new DeployedModelError(
        `${r[0]}: inline code (${property}.ZipFile) is not supported in as-deployed mode`,
      );
    if (code?.ImageUri !== undefined)
      throw new DeployedModelError(
        `${r[0]}: container image functions are not supported in as-deployed mode`,
      );
    const key =
      code?.S3Key === undefined
        ? undefined
        : resolver.resolveString(code.S3Key, { resource: r[0], property: `${property}.S3Key` });
    const dir = key ? assets.assetByKey.get(key) : undefined;
    if (!dir)
      throw new DeployedModelError(
        `${r[0]}: no asset in the cloud assembly for ${property} ${key ?? '(no S3Key)'}`,
      );
    return dir;
  };

  // Layers by ARN, so a function's `Layers` (Refs, which resolve to ARNs) find their asset dirs.
  const layerDirByArn = new Map<string, string>();
  for (const r of ofType('AWS::Lambda::LayerVersion'))
    layerDirByArn.set(resolver.physical(r[0]).ref, assetDir(r, 'Content'));

  const functions: DeployedFunction[] = ofType('AWS::Lambda::Function').map((r) => {
    const [id, res] = r;
    const p = props(res);
    if (p.PackageType === 'Image')
      throw new DeployedModelError(`${id}: container image functions are not supported`);
    const vars = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {}) as Record<string, unknown>;
    const environment: Record<string, string> = {};
    for (const [k, v] of Object.entries(vars)) {
      const resolved = resolver.resolve(v, { resource: id, property: `Environment.Variables.${k}` });
      if (resolved === undefined) continue; // AWS::NoValue: CloudFormation leaves the variable out
      if (typeof resolved !== 'string' && typeof resolved !== 'number' && typeof resolved !== 'boolean')
        throw new UnresolvableIntrinsicError(
          { resource: id, property: `Environment.Variables.${k}` },
          JSON.stringify(v),
          `resolved to a non-string ${JSON.stringify(resolved)}`,
        );
      environment[k] = resolver.localizeUrl(String(resolved));
    }
    const layers = (resolver.resolve(p.Layers ?? [], { resource: id, property: 'Layers' }) as unknown[]).map(
      (l, i) => {
        const dir = layerDirByArn.get(String(l));
        if (!dir)
          throw new DeployedModelError(`${id}.Layers[${i}]: layer ${String(l)} is not part of this stack`);
        return dir;
      },
    );
    const arch = (p.Architectures as unknown[] | undefined)?.[0] ?? 'x86_64';
    if (arch !== 'arm64' && arch !== 'x86_64')
      throw new DeployedModelError(`${id}.Architectures: unknown ${String(arch)}`);
    const handler = str(r, 'Handler');
    const runtime = str(r, 'Runtime');
    if (!handler || !runtime) throw new DeployedModelError(`${id}: a zip function needs Handler and Runtime`);
    const reserved = p.ReservedConcurrentExecutions;
    return {
      logicalId: id,
      name: resolver.physical(id).ref,
      arn: attr(id, 'Arn'),
      catalogId: catalogIdFromPath(res.Metadata?.['aws:cdk:path']),
      assetDir: assetDir(r, 'Code'),
      handler,
      runtime,
      architecture: arch,
      memoryMb: num(p.MemorySize, 128, { resource: id, property: 'MemorySize' }),
      timeoutSeconds: num(p.Timeout, 3, { resource: id, property: 'Timeout' }),
      ephemeralStorageMb: num((p.EphemeralStorage as { Size?: unknown } | undefined)?.Size, 512, {
        resource: id,
        property: 'EphemeralStorage.Size',
      }),
      environment,
      layerDirs: layers,
      roleArn: must(r, 'Role'),
      ...(reserved === undefined
        ? {}
        : {
            reservedConcurrency: num(reserved, 0, { resource: id, property: 'ReservedConcurrentExecutions' }),
          }),
    };
  });
  const functionArns = new Set(functions.map((f) => f.arn));

  const machines: DeployedMachine[] = ofType('AWS::StepFunctions::StateMachine').map((r) => {
    const [id, res] = r;
    const p = props(res);
    const location = p.DefinitionS3Location as { Key?: unknown } | undefined;
    if (!location?.Key)
      throw new DeployedModelError(
        `${id}: only DefinitionS3Location (DefinitionBody.fromFile) is supported, not an inline Definition/DefinitionString`,
      );
    const key = resolver.resolveString(location.Key, { resource: id, property: 'DefinitionS3Location.Key' });
    const definitionFile = assets.assetByKey.get(key);
    if (!definitionFile)
      throw new DeployedModelError(`${id}: no asset in the cloud assembly for definition ${key}`);
    const substitutions: Record<string, string> = {};
    for (const [k, v] of Object.entries((p.DefinitionSubstitutions ?? {}) as Record<string, unknown>))
      substitutions[k] = resolver.resolveString(v, {
        resource: id,
        property: `DefinitionSubstitutions.${k}`,
      });
    return {
      logicalId: id,
      name: attr(id, 'Name'),
      arn: attr(id, 'Arn'),
      definitionFile,
      substitutions,
      roleArn: must(r, 'RoleArn'),
    };
  });

  if (ofType('AWS::ApiGateway::RestApi').length)
    throw new DeployedModelError('REST APIs (AWS::ApiGateway::RestApi) are not supported; only HTTP APIs');
  const integrations = new Map(
    ofType('AWS::ApiGatewayV2::Integration').map((r) => [resolver.physical(r[0]).ref, r]),
  );
  const routes: DeployedRoute[] = ofType('AWS::ApiGatewayV2::Route').map((r) => {
    const [id] = r;
    const key = must(r, 'RouteKey');
    const [method, routePath] = key === '$default' ? ['ANY', '$default'] : key.split(/\s+/, 2);
    const target = must(r, 'Target');
    const integration = integrations.get(target.replace(/^integrations\//, ''));
    if (!integration)
      throw new DeployedModelError(`${id}.Target: ${target} is not an integration of this stack`);
    const type = str(integration, 'IntegrationType');
    const uri = must(integration, 'IntegrationUri');
    // A Lambda integration's URI is the function ARN, or API Gateway's invocation path around it.
    const functionArn = /functions\/(arn:[^/]+)\/invocations$/.exec(uri)?.[1] ?? uri;
    if (type !== 'AWS_PROXY' || !functionArns.has(functionArn))
      throw new DeployedModelError(
        `${integration[0]}: only Lambda proxy integrations of this stack are supported (got ${type} ${uri})`,
      );
    const auth = str(r, 'AuthorizationType') ?? 'NONE';
    if (auth !== 'NONE' && auth !== 'AWS_IAM' && auth !== 'JWT')
      throw new DeployedModelError(`${id}.AuthorizationType: ${auth} is not supported`);
    const authorizerId = str(r, 'AuthorizerId');
    const scopes = props(r[1]).AuthorizationScopes;
    return {
      method: (method ?? '').toUpperCase(),
      path: routePath ?? '',
      functionArn,
      authorization: auth,
      ...(authorizerId ? { authorizerId } : {}),
      ...(scopes === undefined
        ? {}
        : {
            authorizationScopes: (
              resolver.resolve(scopes, { resource: id, property: 'AuthorizationScopes' }) as unknown[]
            ).map(String),
          }),
    };
  });

  const strings = (v: unknown, at: At): string[] =>
    v === undefined ? [] : (resolver.resolve(v, at) as unknown[]).map(String);
  const jwtAuthorizers: DeployedJwtAuthorizer[] = ofType('AWS::ApiGatewayV2::Authorizer')
    .filter((r) => str(r, 'AuthorizerType') === 'JWT')
    .map((r) => {
      const [id, res] = r;
      const jwt = (props(res).JwtConfiguration ?? {}) as { Issuer?: unknown; Audience?: unknown };
      if (jwt.Issuer === undefined) throw new DeployedModelError(`${id}: a JWT authorizer without an Issuer`);
      return {
        logicalId: id,
        id: resolver.physical(id).ref,
        issuer: resolver.resolveString(jwt.Issuer, { resource: id, property: 'JwtConfiguration.Issuer' }),
        audience: strings(jwt.Audience, { resource: id, property: 'JwtConfiguration.Audience' }),
        identitySource: strings(props(res).IdentitySource, { resource: id, property: 'IdentitySource' }),
      };
    });

  const userPools: DeployedUserPool[] = ofType('AWS::Cognito::UserPool').map((r) => {
    const [id] = r;
    const at = { resource: id, property: 'Policies.PasswordPolicy' };
    const policy = (resolver.resolve(
      (props(r[1]).Policies as { PasswordPolicy?: unknown })?.PasswordPolicy ?? {},
      at,
    ) ?? {}) as Record<string, unknown>;
    const flag = (v: unknown, fallback: boolean) => (v === undefined ? fallback : v === true || v === 'true');
    // Cognito's defaults when the template leaves a rule out.
    return {
      logicalId: id,
      id: resolver.physical(id).ref,
      arn: attr(id, 'Arn'),
      issuer: attr(id, 'ProviderURL'),
      usernameAttributes: strings(props(r[1]).UsernameAttributes, {
        resource: id,
        property: 'UsernameAttributes',
      }),
      passwordPolicy: {
        minimumLength: num(policy.MinimumLength, 8, at),
        requireLowercase: flag(policy.RequireLowercase, true),
        requireUppercase: flag(policy.RequireUppercase, true),
        requireNumbers: flag(policy.RequireNumbers, true),
        requireSymbols: flag(policy.RequireSymbols, true),
        temporaryPasswordValidityDays: num(policy.TemporaryPasswordValidityDays, 7, at),
      },
    };
  });

  const userPoolClients: DeployedUserPoolClient[] = ofType('AWS::Cognito::UserPoolClient').map((r) => {
    const [id, res] = r;
    const p = props(res);
    const units = (p.TokenValidityUnits ?? {}) as Record<string, unknown>;
    const seconds = (
      value: unknown,
      unit: unknown,
      fallbackUnit: string,
      fallback: number,
      property: string,
    ) => {
      if (value === undefined) return fallback;
      const n = num(value, fallback, { resource: id, property });
      const u = typeof unit === 'string' ? unit : fallbackUnit;
      return n * ({ seconds: 1, minutes: 60, hours: 3600, days: 86_400 }[u] ?? 3600);
    };
    return {
      logicalId: id,
      clientId: resolver.physical(id).ref,
      userPoolId: must(r, 'UserPoolId'),
      authFlows: strings(p.ExplicitAuthFlows, { resource: id, property: 'ExplicitAuthFlows' }),
      preventUserExistenceErrors: str(r, 'PreventUserExistenceErrors') === 'ENABLED',
      generateSecret: p.GenerateSecret === true || p.GenerateSecret === 'true',
      // Cognito's defaults: access and id tokens an hour, refresh tokens 30 days.
      accessTokenValiditySeconds: seconds(
        p.AccessTokenValidity,
        units.AccessToken,
        'hours',
        3600,
        'AccessTokenValidity',
      ),
      idTokenValiditySeconds: seconds(p.IdTokenValidity, units.IdToken, 'hours', 3600, 'IdTokenValidity'),
      refreshTokenValiditySeconds: seconds(
        p.RefreshTokenValidity,
        units.RefreshToken,
        'days',
        30 * 86_400,
        'RefreshTokenValidity',
      ),
    };
  });

  const schedules: DeployedSchedule[] = [];
  const scheduleTarget = (
    id: string,
    property: string,
    target: Record<string, unknown>,
    expression: string,
  ) => {
    const targetArn = resolver.resolveString(target.Arn, { resource: id, property: `${property}.Arn` });
    if (!functionArns.has(targetArn))
      throw new DeployedModelError(
        `${id}.${property}: only Lambda functions of this stack are supported as scheduled targets (got ${targetArn})`,
      );
    const input =
      target.Input === undefined
        ? undefined
        : resolver.resolveString(target.Input, { resource: id, property: `${property}.Input` });
    schedules.push({
      ruleLogicalId: id,
      expression,
      functionArn: targetArn,
      ...(input === undefined ? {} : { input }),
    });
  };
  for (const r of ofType('AWS::Events::Rule')) {
    const expression = str(r, 'ScheduleExpression');
    if (!expression || str(r, 'State') === 'DISABLED') continue;
    const targets = (props(r[1]).Targets ?? []) as Record<string, unknown>[];
    targets.forEach((t, i) => {
      scheduleTarget(r[0], `Targets[${i}]`, t, expression);
    });
  }
  for (const r of ofType('AWS::Scheduler::Schedule')) {
    if (str(r, 'State') === 'DISABLED') continue;
    scheduleTarget(
      r[0],
      'Target',
      (props(r[1]).Target ?? {}) as Record<string, unknown>,
      must(r, 'ScheduleExpression'),
    );
  }

  const secrets: DeployedSecret[] = ofType('AWS::SecretsManager::Secret').map((r) => {
    const [id] = r;
    const arn = resolver.physical(id).ref;
    const gen = resolver.resolve(props(r[1]).GenerateSecretString ?? {}, {
      resource: id,
      property: 'GenerateSecretString',
    }) as Record<string, unknown>;
    const secretString = str(r, 'SecretString');
    return {
      logicalId: id,
      arn,
      name: /:secret:(.+)-[A-Za-z0-9]{6}$/.exec(arn)?.[1] ?? arn,
      passwordLength: num(gen.PasswordLength, 32, {
        resource: id,
        property: 'GenerateSecretString.PasswordLength',
      }),
      excludePunctuation: gen.ExcludePunctuation === true || gen.ExcludePunctuation === 'true',
      ...(secretString === undefined ? {} : { secretString }),
      ...(typeof gen.SecretStringTemplate === 'string'
        ? { secretStringTemplate: gen.SecretStringTemplate }
        : {}),
      ...(typeof gen.GenerateStringKey === 'string' ? { generateStringKey: gen.GenerateStringKey } : {}),
      ...(typeof gen.ExcludeCharacters === 'string' ? { excludeCharacters: gen.ExcludeCharacters } : {}),
    };
  });

  const tables: DeployedTable[] = ofType('AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable').map((r) => {
    const [id] = r;
    const p = resolver.resolve(props(r[1]), { resource: id, property: 'Properties' }) as Record<
      string,
      unknown
    >;
    const index = (i: Record<string, unknown>): SecondaryIndex => ({
      IndexName: String(i.IndexName),
      KeySchema: i.KeySchema as KeySchemaElement[],
      Projection: (i.Projection ?? { ProjectionType: 'ALL' }) as Projection,
    });
    const ttl = p.TimeToLiveSpecification as { AttributeName?: string; Enabled?: unknown } | undefined;
    const stream = p.StreamSpecification as { StreamViewType?: string } | undefined;
    if (!Array.isArray(p.KeySchema) || !Array.isArray(p.AttributeDefinitions))
      throw new DeployedModelError(`${id}: a table needs KeySchema and AttributeDefinitions`);
    return {
      logicalId: id,
      name: resolver.physical(id).ref,
      arn: attr(id, 'Arn'),
      keySchema: p.KeySchema as KeySchemaElement[],
      attributeDefinitions: p.AttributeDefinitions as AttributeDefinition[],
      globalSecondaryIndexes: ((p.GlobalSecondaryIndexes ?? []) as Record<string, unknown>[]).map(index),
      localSecondaryIndexes: ((p.LocalSecondaryIndexes ?? []) as Record<string, unknown>[]).map(index),
      ...(ttl?.AttributeName && ttl.Enabled !== false && ttl.Enabled !== 'false'
        ? { ttlAttribute: ttl.AttributeName }
        : {}),
      ...(stream?.StreamViewType ? { streamViewType: stream.StreamViewType } : {}),
    };
  });

  const buckets = ofType('AWS::S3::Bucket').map(([id]) => ({
    logicalId: id,
    name: resolver.physical(id).ref,
    arn: attr(id, 'Arn'),
  }));
  const eventBuses = ofType('AWS::Events::EventBus').map(([id]) => ({
    logicalId: id,
    name: resolver.physical(id).ref,
    arn: attr(id, 'Arn'),
  }));
  const emailIdentities = ofType('AWS::SES::EmailIdentity').map(([id]) => ({
    logicalId: id,
    identity: resolver.physical(id).ref,
    arn: attr(id, 'Arn'),
  }));

  return {
    stackName: resolver.stackName,
    region: resolver.region,
    account: resolver.account,
    functions,
    machines,
    routes,
    schedules,
    secrets,
    tables,
    buckets,
    eventBuses,
    emailIdentities,
    jwtAuthorizers,
    userPools,
    userPoolClients,
    siteDeployments: ofType('Custom::CDKBucketDeployment').map((r) => siteDeployment(r, resolver, assets)),
    policies: rolePolicies(resolver, all),
    localizeUrl: (value) => resolver.localizeUrl(value),
  };
}

function siteDeployment(
  [id, r]: [string, CfnResource],
  resolver: Resolver,
  assets: AssetContext,
): DeployedSite {
  const p = r.Properties ?? {};
  const at = (property: string): At => ({ resource: id, property });
  const keys = resolver.resolve(p.SourceObjectKeys, at('SourceObjectKeys'));
  if (!Array.isArray(keys)) throw new DeployedModelError(`${id}: SourceObjectKeys is not a list`);
  const markers = (resolver.resolve(p.SourceMarkers ?? [], at('SourceMarkers')) ?? []) as Record<
    string,
    unknown
  >[];
  const configs = (p.SourceMarkersConfig ?? []) as { jsonEscape?: boolean }[];
  return {
    logicalId: id,
    bucket: resolver.resolveString(p.DestinationBucketName, at('DestinationBucketName')),
    sources: keys.map((key, i) => {
      const dir = assets.assetByKey.get(String(key));
      if (!dir || !existsSync(dir))
        throw new DeployedModelError(`${id}: no asset in the cloud assembly for source ${String(key)}`);
      return {
        dir,
        markers: Object.fromEntries(Object.entries(markers[i] ?? {}).map(([m, v]) => [m, String(v)])),
        jsonEscape: configs[i]?.jsonEscape === true,
      };
    }),
  };
}

function rolePolicies(resolver: Resolver, all: [string, CfnResource][]): RolePolicies {
  const policies: RolePolicies = {};
  const byName = new Map<string, string>(); // role name → role ARN
  const document = (doc: unknown, at: At, policy: string): PolicyStatement[] =>
    parsePolicyDocument(resolver.resolve(doc, at), policy);

  // Customer managed policies defined in the template, by ARN (the rest are AWS managed: unknown here).
  const managed = new Map<string, { id: string; statements: PolicyStatement[] }>();
  for (const [id, r] of all.filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy'))
    managed.set(resolver.physical(id).ref, {
      id,
      statements: document(r.Properties?.PolicyDocument, { resource: id, property: 'PolicyDocument' }, id),
    });

  for (const [id, r] of all.filter(([, r]) => r.Type === 'AWS::IAM::Role')) {
    const p = resolver.physical(id);
    const roleArn = p.attrs.Arn as string;
    const statements: PolicyStatement[] = [];
    const inline = (r.Properties?.Policies ?? []) as { PolicyName?: unknown; PolicyDocument?: unknown }[];
    inline.forEach((pol, i) => {
      const name = `${id}.Policies[${typeof pol.PolicyName === 'string' ? pol.PolicyName : i}]`;
      statements.push(
        ...document(pol.PolicyDocument, { resource: id, property: `Policies[${i}].PolicyDocument` }, name),
      );
    });
    const unknownManagedPolicyArns: string[] = [];
    const arns = resolver.resolve(r.Properties?.ManagedPolicyArns ?? [], {
      resource: id,
      property: 'ManagedPolicyArns',
    });
    for (const a of arns as unknown[]) {
      const known = managed.get(String(a));
      if (known) statements.push(...known.statements);
      else unknownManagedPolicyArns.push(String(a));
    }
    policies[roleArn] = { logicalId: id, roleName: p.ref, roleArn, statements, unknownManagedPolicyArns };
    byName.set(p.ref, roleArn);
  }

  const attach = (id: string, roles: unknown, statements: PolicyStatement[]) => {
    const names = resolver.resolve(roles ?? [], { resource: id, property: 'Roles' }) as unknown[];
    for (const n of names) {
      const role = policies[byName.get(String(n)) ?? ''];
      // A role outside the template gets nothing locally: its functions are refused, as they should be.
      if (role) role.statements.push(...statements);
    }
  };
  for (const [id, r] of all.filter(([, r]) => r.Type === 'AWS::IAM::Policy'))
    attach(
      id,
      r.Properties?.Roles,
      document(r.Properties?.PolicyDocument, { resource: id, property: 'PolicyDocument' }, id),
    );
  for (const [id, r] of all.filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy'))
    attach(id, r.Properties?.Roles, managed.get(resolver.physical(id).ref)?.statements ?? []);
  return policies;
}
