import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { REQUIRE_BANNER } from '../../infra/constructs/base-function.js';
import { FUNCTIONS, RUNTIME_PACKAGES } from '../../lambdas/catalog.js';
import { ROOT } from './synth.js';

/** The limit for every function without the ffmpeg layer (unzipped, source maps aside). */
const PLAIN_LIMIT = 1024 * 1024;

/** The same esbuild settings as BaseFunction's NodejsFunction bundling (minified ESM, SDK external). */
async function bundleSize(spec: (typeof FUNCTIONS)[number]): Promise<{ bytes: number; inputs: string[] }> {
  const result = await build({
    entryPoints: [path.join(ROOT, spec.entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    write: false,
    metafile: true,
    banner: { js: REQUIRE_BANNER },
    external: ['@aws-sdk/*', ...(spec.packages ?? []).map((p) => RUNTIME_PACKAGES[p])],
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  return { bytes: out?.contents.byteLength ?? 0, inputs: Object.keys(result.metafile.inputs) };
}

describe('function bundles', () => {
  it.each(FUNCTIONS.filter((f) => !f.ffmpeg).map((f) => [f.id, f] as const))(
    '%s (no ffmpeg layer) is at most 1 MB and carries no media or voice code',
    async (_id, spec) => {
      const { bytes, inputs } = await bundleSize(spec);
      expect(bytes).toBeLessThanOrEqual(PLAIN_LIMIT);
      expect(inputs.filter((i) => /espeak|dejavu|shared\/media\//.test(i))).toEqual([]);
    },
    30_000,
  );

  it.each(FUNCTIONS.filter((f) => f.ffmpeg).map((f) => [f.id, f] as const))(
    '%s carries only the runtime packages it declares, and no text-model adapters',
    async (_id, spec) => {
      const { inputs } = await bundleSize(spec);
      expect(inputs.filter((i) => /node_modules\/openai\/|adapters\/(openai|bedrock)\//.test(i))).toEqual([]);
      if (!spec.packages?.includes('espeak')) expect(inputs.filter((i) => /espeak/.test(i))).toEqual([]);
    },
    30_000,
  );
});
