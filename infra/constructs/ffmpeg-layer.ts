import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { buildFfmpegLayer, layerSourceVersions } from '../../layers/ffmpeg/build.mjs';
import { ROOT } from '../asl.js';

const LAYER_DIR = path.join(ROOT, 'layers/ffmpeg');

/**
 * Static ffmpeg/ffprobe at /opt/bin for the media functions, built by `layers/ffmpeg/build.mjs` from the
 * npm packages: local bundling only, no Docker, no network. The binaries are x86_64, so the layer (and
 * every function using it) is x86_64. GPL: see layers/ffmpeg/README.md.
 */
export class FfmpegLayer extends Construct {
  readonly layer: LayerVersion;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const versions = layerSourceVersions();
    // The binaries come from node_modules, not from this folder: hash the package versions and the
    // build script, so upgrading a package publishes a new layer version (a source hash would not).
    const assetHash = createHash('sha256')
      .update(versions.join('\n'))
      .update(readFileSync(path.join(LAYER_DIR, 'build.mjs')))
      .digest('hex');
    this.layer = new LayerVersion(this, 'Layer', {
      description: `ffmpeg + ffprobe, static x86_64, at /opt/bin (GPL-3.0): ${versions.join(', ')}`,
      compatibleRuntimes: [Runtime.NODEJS_22_X],
      compatibleArchitectures: [Architecture.X86_64],
      code: Code.fromAsset(LAYER_DIR, {
        assetHashType: AssetHashType.CUSTOM,
        assetHash,
        bundling: {
          // Required by the type, never pulled: tryBundle always succeeds or throws.
          image: DockerImage.fromRegistry('unused-local-bundling-only'),
          local: {
            tryBundle(outputDir: string): boolean {
              buildFfmpegLayer(outputDir);
              return true;
            },
          },
        },
      }),
    });
  }
}
