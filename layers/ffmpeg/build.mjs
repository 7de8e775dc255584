// Copies static ffmpeg/ffprobe from the npm packages into <out>/bin (Lambda mounts layers at /opt).
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
export function buildFfmpegLayer(outDir) {
  const bin = path.join(outDir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const [pkg, tool] of [
    ['@ffmpeg-installer/linux-x64/package.json', 'ffmpeg'],
    ['@ffprobe-installer/linux-x64/package.json', 'ffprobe'],
  ]) {
    const from = path.join(path.dirname(require.resolve(pkg)), tool);
    copyFileSync(from, path.join(bin, tool));
    chmodSync(path.join(bin, tool), 0o755);
  }
  return bin;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`wrote ${buildFfmpegLayer(process.argv[2] ?? 'layers/ffmpeg/dist')}`);
}
