import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export class FfmpegError extends Error {
  constructor(tool: string, code: number | null, args: string[], stderr: string) {
    super(
      `${tool} exited with ${code}: ${stderr.trim().split('\n').slice(-6).join(' | ')} (args: ${args.join(' ').slice(0, 400)})`,
    );
    this.name = 'FfmpegError';
  }
}

function executable(file: string): string {
  try {
    accessSync(file, constants.X_OK);
  } catch {
    chmodSync(file, 0o755); // registry tarballs may ship the binary without the exec bit for others
  }
  return file;
}

function resolveTool(tool: 'ffmpeg' | 'ffprobe'): string {
  const fromEnv = process.env[tool === 'ffmpeg' ? 'BIE_FFMPEG_PATH' : 'BIE_FFPROBE_PATH'];
  if (fromEnv) return fromEnv;
  const layer = `/opt/bin/${tool}`; // the Lambda layer built from layers/ffmpeg
  if (existsSync(layer)) return layer;
  const pkg =
    tool === 'ffmpeg'
      ? '@ffmpeg-installer/linux-x64/package.json'
      : '@ffprobe-installer/linux-x64/package.json';
  return executable(path.join(path.dirname(require.resolve(pkg)), tool));
}

let ffmpeg: string | undefined;
let ffprobe: string | undefined;
export const ffmpegPath = (): string => (ffmpeg ??= resolveTool('ffmpeg'));
export const ffprobePath = (): string => (ffprobe ??= resolveTool('ffprobe'));

export const fontPath = (): string =>
  process.env.BIE_FONT_PATH ??
  path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSans-Bold.ttf');

export function run(tool: 'ffmpeg' | 'ffprobe', args: string[]): Promise<string> {
  const bin = tool === 'ffmpeg' ? ffmpegPath() : ffprobePath();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      err += String(d);
      if (err.length > 64_000) err = err.slice(-32_000);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new FfmpegError(tool, code, args, err))));
  });
}

export const runFfmpeg = (args: string[]): Promise<string> =>
  run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);

/** `#RRGGBB` → `0xRRGGBB` for lavfi colour options. */
export const ffColor = (hex: string): string => `0x${hex.replace('#', '')}`;

/** Escapes a value for a filtergraph option (inside single quotes). */
export const ffQuote = (s: string): string =>
  `'${s.replace(/\\/g, '\\\\').replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`;
