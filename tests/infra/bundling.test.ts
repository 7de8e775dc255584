import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { BaseFunction, REQUIRE_BANNER } from '../../infra/constructs/base-function.js';
import { FUNCTIONS } from '../../lambdas/catalog.js';
import { buildFfmpegLayer } from '../../layers/ffmpeg/build.mjs';
import { FIXTURE_ENTRY } from './synth.js';

/** Real bundling, kept small: one fixture handler through local esbuild, and the layer build script. */
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('function bundling', () => {
  it('bundles a handler with the local esbuild (no Docker) into a source-mapped ESM file that can require', () => {
    const outdir = tempDir('bie-bundle-test-');
    const app = new App({ outdir });
    const stack = new Stack(app, 'BundleProbe');
    const spec = FUNCTIONS.find((f) => !f.ffmpeg) as (typeof FUNCTIONS)[number];
    new BaseFunction(stack, 'Probe', { spec, entry: FIXTURE_ENTRY, minify: false });
    app.synth();
    const assetDirs = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    expect(assetDirs).toHaveLength(1);
    const dir = path.join(outdir, assetDirs[0] as string);
    expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith(REQUIRE_BANNER)).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*handler/);
    expect(code).toContain('sourceMappingURL=index.mjs.map');
  });
});

describe('the ffmpeg layer build', () => {
  it('copies executable x86_64 ffmpeg and ffprobe from the npm packages into bin/', () => {
    const bin = buildFfmpegLayer(tempDir('bie-layer-test-'));
    for (const tool of ['ffmpeg', 'ffprobe']) {
      const file = path.join(bin, tool);
      expect(existsSync(file), tool).toBe(true);
      expect(statSync(file).mode & 0o111, tool).toBe(0o111);
      const header = Buffer.alloc(20);
      const fd = openSync(file, 'r');
      readSync(fd, header, 0, 20, 0);
      closeSync(fd);
      expect(header.subarray(1, 4).toString(), tool).toBe('ELF');
      expect(header.readUInt16LE(18), `${tool} e_machine`).toBe(0x3e);
    }
  });
});
