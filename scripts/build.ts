/**
 * Bundles every handler of the catalog with esbuild into dist/<FunctionId>/index.mjs, with the options
 * the CDK functions use (ESM, node22, AWS SDK external) — a quick check that everything bundles.
 */
import path from 'node:path';
import { build } from 'esbuild';
import { FUNCTIONS } from '../lambdas/catalog.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const started = Date.now();
let bytes = 0;
for (const f of FUNCTIONS) {
  const result = await build({
    entryPoints: [path.join(ROOT, f.entry)],
    outfile: path.join(ROOT, 'dist', f.id, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: true,
    metafile: true,
    external: ['@aws-sdk/*', ...(f.ffmpeg ? ['@echogarden/espeak-ng-emscripten', 'dejavu-fonts-ttf'] : [])],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
  bytes += Object.values(result.metafile?.outputs ?? {}).reduce((t, o) => t + o.bytes, 0);
}
console.log(
  `bundled ${FUNCTIONS.length} handlers into dist/ (${(bytes / 1e6).toFixed(1)} MB with source maps) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
