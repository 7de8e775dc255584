import path from 'node:path';
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type ILayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type FunctionSpec, RUNTIME_PACKAGES } from '../../lambdas/catalog.js';
import { METRICS_NAMESPACE } from '../../lambdas/shared/metric-definitions.js';
import { ROOT } from '../asl.js';

/** Where the ffmpeg layer puts its binaries (layers are mounted at /opt). */
export const LAYER_BIN = '/opt/bin';

/** ESM bundles have no `require`; some dependencies still call it (and `require.resolve`). */
export const REQUIRE_BANNER =
  "import { createRequire as __bieCreateRequire } from 'node:module'; const require = __bieCreateRequire(import.meta.url);";

export interface BaseFunctionProps {
  spec: FunctionSpec;
  /** Absolute path of the handler file (exports `handler`). */
  entry: string;
  /** Required when `spec.ffmpeg`. */
  ffmpegLayer?: ILayerVersion;
  /** Dead-letter queue for asynchronous invocations (the scheduled functions). */
  deadLetterQueue?: IQueue;
  /** Minify the bundle (default true). */
  minify?: boolean;
}

/**
 * The project's one Lambda function shape; every default lives here. Node 22 on arm64 — except the
 * media functions, which run x86_64 because the static ffmpeg binaries of the layer are x86_64 — X-Ray
 * tracing, a log group with retention that only this function may write to, source-mapped ESM bundles
 * built by the local esbuild (no Docker).
 */
export class BaseFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: BaseFunctionProps) {
    super(scope, id);
    const { spec } = props;
    if (spec.ffmpeg && !props.ffmpegLayer) throw new Error(`${spec.id} needs ffmpeg but no layer was given`);
    const media = spec.ffmpeg === true;
    // Loaded from disk at run time (WASM data, font files): left out of the bundle and copied next to
    // it, so `require.resolve` finds them under /var/task. Each function carries only its own.
    const packages = (spec.packages ?? []).map((p) => RUNTIME_PACKAGES[p]);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role instead of AWSLambdaBasicExecutionRole: the function may write to its own log group only.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      // IAM descriptions allow Latin-1 only (catalog descriptions use en dashes).
      description: `${spec.id}: ${spec.description}`
        .replace(/[\u2013\u2014]/g, '-')
        .replace(/[^\x20-\x7E]/g, ''),
    });
    this.logGroup.grantWrite(role);

    this.fn = new NodejsFunction(this, 'Fn', {
      entry: props.entry,
      handler: 'handler',
      description: spec.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: media ? Architecture.X86_64 : Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      // Clips, audio stems and the master are written to /tmp before upload.
      ephemeralStorageSize: media ? Size.gibibytes(2) : undefined,
      tracing: Tracing.ACTIVE,
      role,
      logGroup: this.logGroup,
      layers: media && props.ffmpegLayer ? [props.ffmpegLayer] : undefined,
      deadLetterQueue: props.deadLetterQueue,
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: spec.pillar,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: props.minify ?? true,
        sourceMap: true,
        // Stack traces need the mappings only; leaving the sources out keeps the .map small.
        sourcesContent: false,
        externalModules: ['@aws-sdk/*', ...packages],
        banner: REQUIRE_BANNER,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) =>
            packages.map(
              (p) =>
                `mkdir -p "${outputDir}/node_modules/${p}" && cp -R "${inputDir}/node_modules/${p}/." "${outputDir}/node_modules/${p}/"`,
            ),
        },
      },
    });
  }
}
