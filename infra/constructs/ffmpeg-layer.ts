import path from 'node:path';
import { DockerImage } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { buildFfmpegLayer } from '../../layers/ffmpeg/build.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Static ffmpeg/ffprobe at /opt/bin, bundled locally from npm packages (no Docker). */
export class FfmpegLayer extends Construct {
  readonly layer: LayerVersion;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.layer = new LayerVersion(this, 'Layer', {
      description: 'ffmpeg and ffprobe static binaries (GPL-3.0) for the media functions',
      compatibleRuntimes: [Runtime.NODEJS_22_X],
      compatibleArchitectures: [Architecture.X86_64],
      code: Code.fromAsset(path.join(ROOT, 'layers/ffmpeg'), {
        bundling: {
          image: DockerImage.fromRegistry('local-bundling-only'),
          local: {
            tryBundle(outputDir: string) {
              buildFfmpegLayer(outputDir);
              return true;
            },
          },
        },
      }),
    });
  }
}
