// Builds the ffmpeg Lambda layer without Docker or network: copies the static x86_64 binaries that
// `npm ci` installed (@ffmpeg-installer/linux-x64, @ffprobe-installer/linux-x64) into <out>/bin, which
// Lambda mounts at /opt/bin. CDK calls buildFfmpegLayer from local bundling
// (infra/constructs/ffmpeg-layer.ts); `node layers/ffmpeg/build.mjs <out>` does the same by hand.
import { chmodSync, closeSync, copyFileSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The packages the layer is built from, with the binary each one holds. */
export const LAYER_SOURCES = [
  { pkg: '@ffmpeg-installer/linux-x64', tool: 'ffmpeg' },
  { pkg: '@ffprobe-installer/linux-x64', tool: 'ffprobe' },
];

/** ELF e_machine of x86-64. */
const EM_X86_64 = 0x3e;

function packageDir(pkg) {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(
      `${pkg} is not installed. npm installs it on linux/x64 only (an optional dependency of ` +
        `@${pkg.split('/')[0].slice(1)}/${pkg.includes('ffmpeg') ? 'ffmpeg' : 'ffprobe'}); on another OS or CPU ` +
        `run \`npm install --no-save --force ${pkg}\` before synthesizing the stack.`,
    );
  }
}

/** Throws unless `file` is an x86_64 ELF executable (what Lambda's x86_64 runtime runs). */
function assertElfX8664(file) {
  const header = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  const elf = header.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  if (!elf || header.readUInt16LE(18) !== EM_X86_64) throw new Error(`${file} is not an x86_64 ELF binary`);
}

/** `<package>@<version>` of the source packages: the layer asset's hash, so an upgrade publishes a new layer. */
export function layerSourceVersions() {
  return LAYER_SOURCES.map(({ pkg }) => {
    const { version } = JSON.parse(readFileSync(path.join(packageDir(pkg), 'package.json'), 'utf8'));
    return `${pkg}@${version}`;
  });
}

/** Copies ffmpeg and ffprobe into `<outDir>/bin`; returns that folder. */
export function buildFfmpegLayer(outDir) {
  const bin = path.join(outDir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const { pkg, tool } of LAYER_SOURCES) {
    const from = path.join(packageDir(pkg), tool);
    assertElfX8664(from);
    const to = path.join(bin, tool);
    copyFileSync(from, to);
    chmodSync(to, 0o755);
  }
  return bin;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node layers/ffmpeg/build.mjs <output-directory>');
    process.exit(2);
  }
  console.log(`wrote ${buildFfmpegLayer(out)}`);
}
