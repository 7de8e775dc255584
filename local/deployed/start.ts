import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { type Embedded, type EmbeddedOptions, stopGraceMs, withDataDirLock } from '../embedded.js';
import type { LambdaHandler } from '../engine/asl-runner.js';
import { writeFileAtomic } from '../engine/atomic-file.js';
import { type Emulators, startEmulators } from '../engine/emulators.js';
import type { ApiRoute } from '../engine/http-api.js';
import type { DataDirLock } from '../engine/lock.js';
import { openEndpoints, startRuntime } from '../engine/runtime.js';
import { LocalScheduler } from '../engine/scheduler.js';
import { type AwsGateway, type GatewayDecision, type InvokeResult, startAwsGateway } from './aws-gateway.js';
import { createAuthorizer } from './iam.js';
import { authorizeJwt } from './jwt-authorizer.js';
import { type DeployedModel, type DeployedSchedule, loadDeployedModel } from './model.js';
import { type OperatorCredentials, operatorCredentials, verifyIamRequest } from './operator.js';
import {
  type AsyncFailure,
  type BackgroundWork,
  FunctionPool,
  type InvocationFailure,
  type InvocationOutcome,
  type UndeclaredEnvRead,
} from './pool.js';
import { detectSandbox } from './sandbox.js';
import { LocalCognito } from './services/cognito.js';
import { LocalEventBridge } from './services/eventbridge.js';
import { LocalSecretsManager } from './services/secrets-manager.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface AsDeployedOptions extends EmbeddedOptions {
  /**
   * A synthesized cloud assembly to run as it is. Default: `<repo>/cdk.out`, synthesized when missing
   * or older than the sources (`cdk synth --quiet`).
   */
  cdkOut?: string;
  /**
   * CDK context for that synthesis (`-c key=value`); the assembly then goes to `<dataDir>/cdk.out` and
   * is synthesized again when the context changes.
   */
  context?: Record<string, string>;
  /** Instances per function at most (default 10). */
  maxInstances?: number;
  /** Delays before the retries of failed asynchronous invocations (default Lambda's ~1 and 2 min). */
  asyncRetryDelaysMs?: number[];
  /** Diagnostic lines (synthesis, schedules, throttles, dead letters); default stderr. */
  log?: (line: string) => void;
}

export interface AsDeployed extends Embedded {
  mode: 'as-deployed';
  cdkOut: string;
  model: DeployedModel;
  pool: FunctionPool;
  gateway: AwsGateway;
  /** The local operator's key pair: signs AWS_IAM API routes, and has full access through the gateway. */
  operator: OperatorCredentials;
  /** The one endpoint of every AWS service (functions get it as AWS_ENDPOINT_URL). */
  awsEndpoint: string;
  /** The media bucket the functions use (their BUCKET_NAME). */
  bucket: string;
  secrets: LocalSecretsManager;
  events: LocalEventBridge;
  /** The stack's Cognito user pools (dashboard users), behind the gateway. */
  cognito: LocalCognito;
  /** The user pool and web client the dashboard signs in with (its JWT routes' authorizer), if any. */
  dashboardAuth?: DashboardAuth;
  schedules: readonly DeployedSchedule[];
  /** Runs a schedule's target now, as its EventBridge rule would (rule logical id, function id or name). */
  triggerSchedule(ref: string): Promise<InvocationOutcome>;
  undeclaredEnvReads(): UndeclaredEnvRead[];
  /** Calls the gateway refused because the function's role does not allow them. */
  denials(): GatewayDecision[];
  /** Tasks a state machine's own role does not allow (checked over the definitions at start). */
  machineDenials: string[];
  /** Every failed invocation, named by function (what a campaign failure came from). */
  invocationFailures(): InvocationFailure[];
  deadLetters(): AsyncFailure[];
  /** Invocations that answered with work still running, which Lambda freezes (see pool.ts). */
  backgroundWork(): BackgroundWork[];
  /** One line per problem found so far: undeclared env reads, IAM denials, frozen background work, dead letters. */
  findings(): string[];
}

/** What the dashboard's `config.json` says about sign-in (as on AWS, plus the local Cognito endpoint). */
export interface DashboardAuth {
  region: string;
  userPoolId: string;
  clientId: string;
  /** The local Cognito endpoint (the AWS gateway); on AWS the web app derives it from the region. */
  endpoint: string;
}

/** `<dataDir>/cognito/endpoint.json`: how `bie users` reaches the running runtime's user pool. */
export const cognitoEndpointFile = (dataDir: string): string =>
  path.join(dataDir, 'cognito', 'endpoint.json');

/**
 * The user pool and client of the authorizer on the stack's JWT routes (the dashboard's): its issuer
 * names the pool, its audience the client.
 */
export function dashboardAuthOf(model: DeployedModel, endpoint: string): DashboardAuth | undefined {
  const ids = new Set(model.routes.filter((r) => r.authorization === 'JWT').map((r) => r.authorizerId));
  const authorizer = model.jwtAuthorizers.find((a) => ids.has(a.id));
  const pool = authorizer && model.userPools.find((p) => p.issuer === authorizer.issuer);
  const client =
    pool &&
    model.userPoolClients.find((c) => c.userPoolId === pool.id && authorizer.audience.includes(c.clientId));
  if (!pool || !client) return undefined;
  return { region: model.region, userPoolId: pool.id, clientId: client.clientId, endpoint: `${endpoint}/` };
}

// ------------------------------------------------------------------------------------------ site

/**
 * Does what the stack's BucketDeployment does at deploy time: copies each source asset of the cloud
 * assembly with its `<<marker:…>>` placeholders replaced by the resolved values, into
 * `<data>/sites/<logicalId>`. The dashboard is then served from that copy, so what runs is what the
 * stack would deploy (an asset without the built site, or a config.json naming another user pool, shows
 * here). The one local addition to config.json: the Cognito endpoint is the local gateway (on AWS the
 * browser derives it from the region).
 */
export function deploySite(
  model: DeployedModel,
  dataDir: string,
  cognitoEndpoint: string,
): { dir: string; config: Record<string, unknown> } | undefined {
  for (const deployment of model.siteDeployments) {
    const dir = path.join(dataDir, 'sites', deployment.logicalId);
    rmSync(dir, { recursive: true, force: true });
    for (const source of deployment.sources) copyWithMarkers(source, source.dir, dir, model);
    if (!existsSync(path.join(dir, 'index.html'))) continue;
    const configFile = path.join(dir, 'config.json');
    const config = existsSync(configFile)
      ? (JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>)
      : {};
    const auth = config.auth as Record<string, unknown> | null | undefined;
    return { dir, config: auth ? { ...config, auth: { ...auth, endpoint: `${cognitoEndpoint}/` } } : config };
  }
  return undefined;
}

function copyWithMarkers(
  source: DeployedModel['siteDeployments'][number]['sources'][number],
  from: string,
  to: string,
  model: DeployedModel,
): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const [src, dest] = [path.join(from, entry.name), path.join(to, entry.name)];
    if (entry.isDirectory()) {
      copyWithMarkers(source, src, dest, model);
      continue;
    }
    const bytes = readFileSync(src);
    const markers = Object.entries(source.markers);
    if (!markers.length || !bytes.includes('<<marker:')) {
      writeFileSync(dest, bytes);
      continue;
    }
    let text = bytes.toString('utf8');
    for (const [marker, value] of markers)
      text = text.split(marker).join(source.jsonEscape ? JSON.stringify(value).slice(1, -1) : value);
    // URLs the markers completed (the API's execute-api URL) point at the local API, as every URL does.
    text = text.replace(/https:\/\/[^\s"'<>]+/g, (url) => model.localizeUrl(url));
    writeFileSync(dest, text);
  }
}

// ------------------------------------------------------------------------------------------ assembly

const SOURCES = ['infra', 'lambdas', 'state-machines', 'layers', 'cdk.json', 'package-lock.json'];

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const st = statSync(target);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(target)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/**
 * The cloud assembly to run: the one given, or `cdk.out` synthesized when missing or stale (older
 * than the infra, handlers, state machines or lock file, or made with another context).
 */
export function ensureAssembly(
  opts: { cdkOut?: string; context?: Record<string, string>; dataDir: string },
  log: (line: string) => void,
): string {
  if (opts.cdkOut) {
    const dir = path.resolve(opts.cdkOut);
    if (!existsSync(path.join(dir, 'manifest.json')))
      throw new Error(`${dir} is not a synthesized cloud assembly (no manifest.json); run cdk synth first`);
    return dir;
  }
  const context = opts.context ?? {};
  const withContext = Object.keys(context).length > 0;
  const out = withContext ? path.join(opts.dataDir, 'cdk.out') : path.join(ROOT, 'cdk.out');
  const stamp = path.join(out, 'bie-context.json');
  const wanted = JSON.stringify(Object.entries(context).sort());
  const manifest = path.join(out, 'manifest.json');
  const fresh =
    existsSync(manifest) &&
    statSync(manifest).mtimeMs >= Math.max(...SOURCES.map((s) => newestMtime(path.join(ROOT, s)))) &&
    (!withContext || (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted));
  if (fresh) return out;
  log(
    `  synthesizing ${path.relative(process.cwd(), out) || out} (cdk synth${withContext ? ` ${wanted}` : ''})…`,
  );
  const bin = path.join(ROOT, 'node_modules', '.bin');
  const synth = spawnSync(
    path.join(bin, 'cdk'),
    [
      'synth',
      '--quiet',
      '--output',
      out,
      ...Object.entries(context).flatMap(([k, v]) => ['--context', `${k}=${v}`]),
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (synth.status !== 0)
    throw new Error(
      `cdk synth failed (exit ${synth.status}):\n${(synth.stderr || synth.stdout || '').slice(-4000)}`,
    );
  if (withContext) writeFileSync(stamp, wanted);
  return out;
}

// ------------------------------------------------------------------------------------------ tables

/** Each table as its template resource defines it (keys, indexes), on dynalite. */
async function createTables(model: DeployedModel, emulators: Emulators): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: emulators.dynamodbUrl,
    region: model.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    for (const t of model.tables) {
      try {
        await client.send(new DescribeTableCommand({ TableName: t.name }));
        continue;
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
      const index = (i: (typeof t.globalSecondaryIndexes)[number]) => ({
        IndexName: i.IndexName,
        KeySchema: i.KeySchema,
        Projection: i.Projection,
      });
      await client.send(
        new CreateTableCommand({
          TableName: t.name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: t.keySchema,
          AttributeDefinitions: t.attributeDefinitions,
          ...(t.globalSecondaryIndexes.length
            ? { GlobalSecondaryIndexes: t.globalSecondaryIndexes.map(index) }
            : {}),
          ...(t.localSecondaryIndexes.length
            ? { LocalSecondaryIndexes: t.localSecondaryIndexes.map(index) }
            : {}),
        }),
      );
      // CREATING refuses every item until dynalite's timer marks it ACTIVE (after the response).
      await waitUntilTableExists(
        { client, maxWaitTime: 120, minDelay: 1, maxDelay: 2 },
        { TableName: t.name },
      );
    }
  } finally {
    client.destroy();
  }
}

// ------------------------------------------------------------------------------------------ schedules

/** Milliseconds of `rate(N unit)`; undefined for `cron(...)`, which runs only when triggered. */
export function rateMs(expression: string): number | undefined {
  const m = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const unit = (m[2] as string).replace(/s$/, '');
  return (
    Number(m[1]) * { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[unit as 'minute' | 'hour' | 'day']
  );
}

function scheduledEvent(model: DeployedModel, s: DeployedSchedule): unknown {
  if (s.input !== undefined) return JSON.parse(s.input);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: model.account,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: model.region,
    resources: [`arn:aws:events:${model.region}:${model.account}:rule/${model.stackName}-${s.ruleLogicalId}`],
    detail: {},
  };
}

// ------------------------------------------------------------------------------------------ machine roles

/**
 * What Step Functions itself must be allowed by each machine's role for the tasks in its definition:
 * `lambda:InvokeFunction` on every function it calls and `states:StartExecution` on every machine it
 * starts. The local runner does not know which machine a task belongs to when it invokes, so this is
 * checked once, over the definitions, instead of per call.
 */
export function machineRoleDenials(
  model: DeployedModel,
  authorizer: ReturnType<typeof createAuthorizer>,
  substitutions: Record<string, string>,
): string[] {
  const denials: string[] = [];
  for (const m of model.machines) {
    const definition = readFileSync(m.definitionFile, 'utf8').replace(
      /\$\{(\w+)\}/g,
      (whole, key: string) => substitutions[key] ?? whole,
    );
    const needs = [
      ...[...new Set(definition.match(/arn:aws:lambda:[^"]+?:function:[^":]+/g) ?? [])].map(
        (arn) => ['lambda:InvokeFunction', arn] as const,
      ),
      ...[...new Set(definition.match(/arn:aws:states:[^"]+?:stateMachine:[^"]+/g) ?? [])]
        .filter((arn) => arn !== m.arn)
        .map((arn) => ['states:StartExecution', arn] as const),
    ];
    for (const [action, resource] of needs) {
      const d = authorizer.authorize(m.roleArn, action, resource);
      if (!d.allowed) denials.push(`state machine ${m.name} may not ${action} on ${resource}: ${d.reason}`);
    }
  }
  return denials;
}

// ------------------------------------------------------------------------------------------ start

/**
 * The stack as it would be deployed: every function from its bundled asset in its own sandboxed
 * instances (see pool.ts), every AWS call through one gateway that checks the caller's role policy,
 * the state machines from the assembly's definition files and substitutions, the API with the
 * template's routes (AWS_IAM routes need the operator's SigV4 signature), the template's schedules.
 * Returns the same shape as `startEmbedded`, so the CLI and tests work with either.
 */
export async function startAsDeployed(opts: AsDeployedOptions): Promise<AsDeployed> {
  const dataDir = path.resolve(opts.dataDir);
  // One runtime per data directory (see local/engine/lock.ts), as for the embedded default.
  return withDataDirLock(dataDir, (lock) => startLocked(opts, dataDir, lock));
}

async function startLocked(opts: AsDeployedOptions, dataDir: string, lock: DataDirLock): Promise<AsDeployed> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Refuse before anything starts when instances cannot get their own filesystem view.
  detectSandbox();
  mkdirSync(dataDir, { recursive: true });
  const cdkOut = ensureAssembly({ cdkOut: opts.cdkOut, context: opts.context, dataDir }, log);

  // The dashboard on the API's origin (CloudFront's domain is localized to it): the files the stack's
  // BucketDeployment copies, with the config.json it writes, once the gateway serving the user pool is up
  // (until then the API answers 503).
  let site: { dir: string; config: Record<string, unknown> } | undefined;
  const endpoints = await openEndpoints(opts.apiPort ?? 0, {
    dir: () => site?.dir,
    config: () => site?.config,
  });
  const cleanups: (() => Promise<void>)[] = [() => endpoints.close()];
  const undo = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const model = loadDeployedModel(cdkOut, { apiUrl: endpoints.apiUrl });
    const emulators = await startEmulators(
      dataDir,
      model.buckets.map((b) => b.name),
    );
    cleanups.push(() => emulators.stop());
    await createTables(model, emulators);
    const operator = operatorCredentials(dataDir, model.region, model.account);
    const secrets = new LocalSecretsManager({ secrets: model.secrets, dataDir });
    const events = new LocalEventBridge({
      dataDir,
      region: model.region,
      account: model.account,
      buses: model.eventBuses,
    });
    const cognito = new LocalCognito({ pools: model.userPools, clients: model.userPoolClients, dataDir });

    // EventBridge Scheduler (scheduled posts): the stack's schedule groups, durable timers under <data>.
    const scheduler = new LocalScheduler({
      dataDir: path.join(dataDir, 'scheduler'),
      region: model.region,
      account: model.account,
      groups: [
        ...new Set(
          model.functions.map((f) => f.environment.POST_SCHEDULE_GROUP).filter((g) => g !== undefined),
        ),
      ],
    });
    cleanups.push(() => scheduler.stop());
    let pool: FunctionPool | undefined;
    let runtime: ReturnType<typeof startRuntime> | undefined;
    const authorizer = createAuthorizer(model.policies);
    const gateway = await startAwsGateway({
      model,
      authorizer,
      principalFor: (accessKeyId) => {
        const p = pool?.principalFor(accessKeyId);
        return p?.roleArn ? { roleArn: p.roleArn, functionName: p.functionName } : undefined;
      },
      operatorAccessKeyIds: [operator.accessKeyId],
      upstreams: {
        dynamodb: emulators.dynamodbUrl,
        s3: emulators.s3Url,
        states: endpoints.sfnUrl,
        ses: emulators.sesUrl,
      },
      s3UpstreamAccessKeyId: 'S3RVER',
      services: {
        secretsmanager: secrets.handle,
        events: events.handle,
        scheduler: scheduler.handle,
        'cognito-idp': cognito.handle,
      },
      invoke: (arn, payload, type) => invokeFromGateway(pool, arn, payload, type),
      machineArnForTaskToken: (token) => {
        const pending = runtime?.runner.pendingTokens().find((p) => p.token === token);
        return pending ? runtime?.runner.describeExecution(pending.executionArn).stateMachineArn : undefined;
      },
      dataDir,
    });
    cleanups.push(() => gateway.close());
    const dashboardAuth = dashboardAuthOf(model, gateway.url);
    site = deploySite(model, dataDir, gateway.url);
    // How `bie users add` (another process) finds this runtime's user pool and endpoint.
    const userPools = model.userPools.map((p) => ({
      id: p.id,
      clients: model.userPoolClients.filter((c) => c.userPoolId === p.id).map((c) => c.clientId),
    }));
    writeFileAtomic(
      cognitoEndpointFile(dataDir),
      `${JSON.stringify({ endpoint: gateway.url, region: model.region, userPools, dashboard: dashboardAuth ?? null }, null, 2)}\n`,
    );
    cleanups.push(async () => rmSync(cognitoEndpointFile(dataDir), { force: true }));

    pool = new FunctionPool(model.functions, {
      logDir: path.join(dataDir, 'logs'),
      region: model.region,
      maxInstances: opts.maxInstances,
      asyncRetryDelaysMs: opts.asyncRetryDelaysMs,
      warn: log,
      plumbing: {
        // One endpoint for every service: the SDK signs with the service's name in the credential
        // scope, which is how the gateway routes and authorizes the call.
        AWS_ENDPOINT_URL: gateway.url,
        // s3rver stores the aws-chunked framing of streamed uploads unless checksums are only sent when required.
        AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      },
    });
    const functionPool = pool;
    cleanups.push(() => functionPool.close());

    const functions: Record<string, LambdaHandler> = {};
    for (const f of model.functions) functions[f.arn] = pool.handler(f.arn);

    const substitutions: Record<string, string> = {};
    for (const m of model.machines)
      for (const [key, value] of Object.entries(m.substitutions)) {
        if (substitutions[key] !== undefined && substitutions[key] !== value)
          throw new Error(`state machines disagree on \${${key}}: ${substitutions[key]} vs ${value}`);
        substitutions[key] = value;
      }

    const machineDenials = machineRoleDenials(model, authorizer, substitutions);
    for (const d of machineDenials) log(`  ${d}`);

    const routes: ApiRoute[] = [];
    for (const r of model.routes) {
      const fn = model.functions.find((f) => f.arn === r.functionArn);
      if (!fn)
        throw new Error(
          `route ${r.method} ${r.path} targets ${r.functionArn}, which the stack does not define`,
        );
      if (r.method === 'ANY' || r.path === '$default') {
        log(`  route ${r.method} ${r.path} (${r.authorization}) is not served locally`);
        continue;
      }
      routes.push({
        method: r.method,
        path: r.path,
        handler: functions[fn.arn] as LambdaHandler,
        functionName: fn.name,
        ...(r.authorization === 'AWS_IAM'
          ? {
              authorize: (request: Parameters<NonNullable<ApiRoute['authorize']>>[0]) =>
                verifyIamRequest(operator, request),
            }
          : {}),
        ...(r.authorization === 'JWT' ? { authorize: jwtRouteAuthorizer(model, r, cognito) } : {}),
      });
    }

    runtime = startRuntime({
      dataDir,
      endpoints,
      machines: model.machines.map((m) => ({ arn: m.arn, name: m.name, file: m.definitionFile })),
      substitutions,
      functions,
      routes,
      retryIntervalMs: opts.retryIntervalMs,
      lock,
    });
    const rt = runtime;
    cleanups.push(() => rt.stop());

    const findSchedule = (ref: string) =>
      model.schedules.find((s) => {
        const fn = model.functions.find((f) => f.arn === s.functionArn);
        return s.ruleLogicalId === ref || fn?.catalogId === ref || fn?.name === ref || s.functionArn === ref;
      });
    const triggerSchedule = async (ref: string): Promise<InvocationOutcome> => {
      const s = findSchedule(ref);
      if (!s)
        throw new Error(
          `no schedule for ${ref} (rules: ${model.schedules.map((x) => x.ruleLogicalId).join(', ')})`,
        );
      return functionPool.invoke(s.functionArn, scheduledEvent(model, s));
    };

    const timers: NodeJS.Timeout[] = [];
    if (opts.schedules !== false) {
      // As the embedded runtime does, every schedule runs once at start (so a fresh data directory
      // gets its trends), then on its rate, asynchronously as EventBridge invokes Lambda.
      for (const s of model.schedules) {
        const outcome = await triggerSchedule(s.ruleLogicalId);
        if (!outcome.ok)
          log(
            `  schedule ${s.ruleLogicalId} (${s.expression}) failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`,
          );
        const every = rateMs(s.expression);
        if (every === undefined) {
          log(`  schedule ${s.ruleLogicalId} (${s.expression}) runs only when triggered locally`);
          continue;
        }
        const timer = setInterval(
          () => functionPool.invokeAsync(s.functionArn, scheduledEvent(model, s)),
          every,
        );
        timer.unref();
        timers.push(timer);
      }
    }
    if (opts.resume !== false) runtime.runner.resumeUnfinished();
    // A schedule fires its target as the Scheduler does: as its role, asynchronously (Lambda retries).
    scheduler.start(async (arn, input, roleArn) => {
      const d = authorizer.authorize(roleArn, 'lambda:InvokeFunction', arn);
      if (!d.allowed) throw new Error(`${roleArn} may not invoke ${arn}: ${d.reason}`);
      if (!functionPool.invokeAsync(arn, input).accepted) throw new Error(`Function not found: ${arn}`);
    });

    const bucket =
      model.functions.map((f) => f.environment.BUCKET_NAME).find((b): b is string => Boolean(b)) ??
      model.buckets[0]?.name ??
      '';
    const denials = () => gateway.decisions().filter((d) => !d.allowed);
    return {
      mode: 'as-deployed',
      runtime,
      emulators,
      functions,
      dataDir,
      cdkOut,
      model,
      pool,
      gateway,
      operator,
      awsEndpoint: gateway.url,
      bucket,
      secrets,
      events,
      cognito,
      ...(dashboardAuth ? { dashboardAuth } : {}),
      schedules: model.schedules,
      triggerSchedule,
      undeclaredEnvReads: () => functionPool.undeclaredEnvReads(),
      denials,
      machineDenials,
      invocationFailures: () => functionPool.invocationFailures(),
      deadLetters: () => functionPool.asyncFailures(),
      backgroundWork: () => functionPool.backgroundWork(),
      findings: () => [
        ...functionPool
          .undeclaredEnvReads()
          .map((r) => `${r.function} reads ${r.variable}, which its template does not set (${r.source})`),
        ...denials().map((d) => `${d.principal} was denied ${d.action} on ${d.resource}: ${d.reason}`),
        ...machineDenials,
        ...[
          ...new Set(
            functionPool
              .backgroundWork()
              .map(
                (w) =>
                  `${w.function} answered with work still running (${w.resources.join(', ')}); Lambda freezes it`,
              ),
          ),
        ],
        ...functionPool
          .asyncFailures()
          .map(
            (f) =>
              `${f.function} failed asynchronously ${f.attempts} times: ${f.error.errorType}: ${f.error.errorMessage}`,
          ),
      ],
      async stop() {
        for (const t of timers) clearInterval(t);
        // A clean stop: handler calls in flight finish (journaled) before anything closes.
        await rt.drain(stopGraceMs(opts));
        await undo();
        await lock.release();
      },
    };
  } catch (error) {
    await undo();
    throw error;
  }
}

/**
 * A JWT route's check, with its authorizer from the template. The issuer's keys come from the local
 * pool it names (what API Gateway fetches from `<issuer>/.well-known/jwks.json`); an issuer the stack
 * does not define has no keys here, so its tokens are refused.
 */
function jwtRouteAuthorizer(
  model: DeployedModel,
  route: DeployedModel['routes'][number],
  cognito: LocalCognito,
): NonNullable<ApiRoute['authorize']> {
  const authorizer = model.jwtAuthorizers.find((a) => a.id === route.authorizerId);
  if (!authorizer)
    throw new Error(
      `route ${route.method} ${route.path} is JWT-authorized by ${route.authorizerId ?? 'no authorizer'}, which is not a JWT authorizer of the stack`,
    );
  return async (request) =>
    authorizeJwt(request, authorizer, route.authorizationScopes ?? [], (issuer) =>
      cognito.jwksForIssuer(issuer),
    );
}

/** Lambda's Invoke API over the pool, as the gateway's Lambda endpoint calls it. */
async function invokeFromGateway(
  pool: FunctionPool | undefined,
  arn: string,
  payload: Buffer,
  type: 'RequestResponse' | 'Event' | 'DryRun',
): Promise<InvokeResult> {
  const json = (status: number, type: string, message: string): InvokeResult => ({
    statusCode: status,
    payload: JSON.stringify({ Type: 'User', message, __type: type }),
  });
  if (!pool) return json(503, 'ServiceException', 'the function pool is not running');
  let event: unknown = null;
  if (payload.length) {
    try {
      event = JSON.parse(payload.toString('utf8'));
    } catch {
      return json(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
  }
  if (type === 'DryRun') return { statusCode: 204 };
  if (type === 'Event') {
    const accepted = pool.invokeAsync(arn, event);
    return accepted.accepted
      ? { statusCode: 202 }
      : json(404, 'ResourceNotFoundException', `Function not found: ${arn}`);
  }
  const outcome = await pool.invoke(arn, event);
  if (outcome.ok) return { statusCode: 200, payload: JSON.stringify(outcome.payload) };
  if (outcome.service) {
    const status =
      outcome.error.errorType === 'ResourceNotFoundException'
        ? 404
        : outcome.error.errorType === 'RequestEntityTooLargeException'
          ? 413
          : 500;
    return json(status, outcome.error.errorType, outcome.error.errorMessage);
  }
  return { statusCode: 200, payload: JSON.stringify(outcome.error), functionError: 'Unhandled' };
}
