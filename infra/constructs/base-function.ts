import path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Architecture, type ILayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../../lambdas/catalog.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Packages loaded from disk at run time (WASM data, fonts) are copied next to the bundle, not bundled. */
const MEDIA_PACKAGES = ['@echogarden/espeak-ng-emscripten', 'dejavu-fonts-ttf'];

export interface BaseFunctionProps {
  spec: FunctionSpec;
  environment: Record<string, string>;
  ffmpegLayer?: ILayerVersion;
  /** Overrides the handler file (tests point missing entries at a fixture). */
  entry?: string;
}

/**
 * The one place function defaults live: Node 22, arm64 (x86_64 for ffmpeg, whose static binaries are
 * x86_64), X-Ray, a log group with retention, source maps, ESM bundles from the local esbuild.
 */
export class BaseFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: BaseFunctionProps) {
    super(scope, id);
    const { spec } = props;
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.fn = new NodejsFunction(this, 'Fn', {
      entry: props.entry ?? path.join(ROOT, spec.entry),
      handler: 'handler',
      description: spec.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: spec.ffmpeg ? Architecture.X86_64 : Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      ephemeralStorageSize: spec.ffmpeg ? undefined : undefined,
      tracing: Tracing.ACTIVE,
      logGroup,
      layers: spec.ffmpeg && props.ffmpegLayer ? [props.ffmpegLayer] : [],
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: spec.pillar,
        POWERTOOLS_METRICS_NAMESPACE: 'BrandInfinity',
        BIE_WORK_DIR: '/tmp/bie',
        BIE_OUTBOX_DIR: '/tmp/bie-outbox',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        forceDockerBundling: false,
        externalModules: ['@aws-sdk/*', ...(spec.ffmpeg ? MEDIA_PACKAGES : [])],
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        ...(spec.ffmpeg
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  MEDIA_PACKAGES.map(
                    (p) =>
                      `mkdir -p "${outputDir}/node_modules/${p}" && cp -R "${inputDir}/node_modules/${p}/." "${outputDir}/node_modules/${p}/"`,
                  ),
              },
            }
          : {}),
      },
    });
  }
}
