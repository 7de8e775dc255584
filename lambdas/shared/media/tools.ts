import { spawn } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readVariable } from '../config/index.js';

const require = createRequire(import.meta.url);

export type MediaTool = 'ffmpeg' | 'ffprobe';

/** A failed ffmpeg/ffprobe run: exit code, the arguments and the end of stderr (where ffmpeg says why). */
export class FfmpegError extends Error {
  override readonly name = 'FfmpegError';

  constructor(
    readonly tool: MediaTool,
    readonly exitCode: number | null,
    readonly args: readonly string[],
    readonly stderrTail: string,
    readonly signal: NodeJS.Signals | null = null,
  ) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    const shownArgs = args.join(' ');
    super(
      `${tool} ${how}: ${stderrTail || '(no stderr)'}\n  args: ${shownArgs.length > 1500 ? `${shownArgs.slice(0, 1500)}…` : shownArgs}`,
    );
  }
}

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/**
 * Makes a binary from an npm tarball executable. Registry tarballs may ship it without the exec bit for
 * other users (@ffprobe-installer is 0744); when we may not chmod it, a private copy is made instead.
 */
function ensureExecutable(file: string): string {
  if (isExecutable(file)) return file;
  try {
    chmodSync(file, 0o755);
    if (isExecutable(file)) return file;
  } catch {
    // not the owner: fall through to a private copy
  }
  const dir = path.join(tmpdir(), `bie-media-bin-${process.getuid?.() ?? 'user'}`);
  const copy = path.join(dir, path.basename(file));
  if (!isExecutable(copy) || statSync(copy).size !== statSync(file).size) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(file, copy);
    chmodSync(copy, 0o755);
  }
  return copy;
}

const packageBinary = new Map<MediaTool, string>();

/**
 * Where a tool is, in order: `BIE_FFMPEG_PATH` / `BIE_FFPROBE_PATH`, the Lambda layer (`/opt/bin`,
 * built by layers/ffmpeg), then the static build from `@ffmpeg-installer` / `@ffprobe-installer`.
 */
export function resolveToolPath(tool: MediaTool): string {
  const fromEnv = readVariable(tool === 'ffmpeg' ? 'BIE_FFMPEG_PATH' : 'BIE_FFPROBE_PATH');
  if (fromEnv) return fromEnv;
  const layer = `/opt/bin/${tool}`;
  if (existsSync(layer) && isExecutable(layer)) return layer;
  let found = packageBinary.get(tool);
  if (!found) {
    const pkg = `@${tool}-installer/${process.platform}-${process.arch}/package.json`;
    let dir: string;
    try {
      dir = path.dirname(require.resolve(pkg));
    } catch {
      throw new Error(
        `${tool} not found: set ${tool === 'ffmpeg' ? 'BIE_FFMPEG_PATH' : 'BIE_FFPROBE_PATH'}, add the ffmpeg layer at /opt/bin or install ${pkg.replace('/package.json', '')}`,
      );
    }
    found = ensureExecutable(path.join(dir, process.platform === 'win32' ? `${tool}.exe` : tool));
    packageBinary.set(tool, found);
  }
  return found;
}

export const ffmpegPath = (): string => resolveToolPath('ffmpeg');
export const ffprobePath = (): string => resolveToolPath('ffprobe');

/** DejaVu Sans Bold from `dejavu-fonts-ttf` (or `BIE_FONT_PATH`): on-screen text, captions, thumbnails. */
export const fontPath = (): string =>
  readVariable('BIE_FONT_PATH') ??
  path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSans-Bold.ttf');

/** The folder of {@link fontPath}, for libass (`fontsdir`) so captions use the same face. */
export const fontsDir = (): string => path.dirname(fontPath());

let fontconfig: string | undefined;

/**
 * A minimal fontconfig file that knows only the bundled fonts. libass (captions) goes through fontconfig;
 * with the static ffmpeg build the system config either is missing (Lambda) or triggers a screen of
 * "unknown element" warnings, and scanning system fonts is slow on a cold start.
 */
export function fontconfigFile(): string {
  if (fontconfig && existsSync(fontconfig)) return fontconfig;
  const dir = path.join(tmpdir(), `bie-fontconfig-${process.getuid?.() ?? 'user'}`);
  mkdirSync(path.join(dir, 'cache'), { recursive: true });
  const file = path.join(dir, 'fonts.conf');
  const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  writeFileSync(
    file,
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${xml(fontsDir())}</dir>\n  <cachedir>${xml(path.join(dir, 'cache'))}</cachedir>\n</fontconfig>\n`,
  );
  fontconfig = file;
  return file;
}

export interface RunOptions {
  cwd?: string;
  /** Kills the process (SIGKILL) when aborted. */
  signal?: AbortSignal;
  /** Kills the process after this long; the error says so. */
  timeoutMs?: number;
  /** ffmpeg's `-loglevel` (default `error`; `info` when stderr is parsed, e.g. loudness analysis). */
  logLevel?: 'error' | 'warning' | 'info';
}

export interface RunResult {
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

const STDERR_KEEP = 256 * 1024;

function tailOf(stderr: string, lines = 12): string {
  const tail = stderr.trim().split('\n').slice(-lines).join('\n');
  return tail.length > 2500 ? `…${tail.slice(-2500)}` : tail;
}

/** Whether an ffmpeg command draws text (drawtext, subtitles or ass filters need the fonts). */
const drawsText = (args: string[]): boolean => args.some((a) => /\b(drawtext|subtitles|ass)\b/.test(a));

/** One finished tool process: what it was and when it ran (epoch ms). */
export interface ToolRun {
  tool: MediaTool;
  args: readonly string[];
  startedAt: number;
  endedAt: number;
}

const toolListeners = new Set<(run: ToolRun) => void>();

/** Calls `listener` after every ffmpeg/ffprobe process (benchmarks: time inside ffmpeg). Returns the unsubscribe. */
export function onToolRun(listener: (run: ToolRun) => void): () => void {
  toolListeners.add(listener);
  return () => toolListeners.delete(listener);
}

/** Runs a tool without a shell, collecting stdout and (the last 256 KB of) stderr. */
export function runTool(tool: MediaTool, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const bin = resolveToolPath(tool);
  const started = Date.now();
  const report = () => {
    const run = { tool, args, startedAt: started, endedAt: Date.now() };
    for (const l of toolListeners) l(run);
  };
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: opts.signal,
      killSignal: 'SIGKILL',
      timeout: opts.timeoutMs,
      // Fonts only where text is drawn: the functions that draw carry the fonts package, the others not.
      env:
        tool === 'ffmpeg' && drawsText(args)
          ? { ...process.env, FONTCONFIG_FILE: fontconfigFile() }
          : process.env,
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      if (err.length > STDERR_KEEP * 2) err = err.slice(-STDERR_KEEP);
    });
    child.on('error', (e) => {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `cannot run ${bin} (ENOENT)` : e.message;
      reject(new FfmpegError(tool, null, args, tailOf(`${err}\n${why}`)));
    });
    child.on('close', (code, signal) => {
      report();
      if (code === 0) {
        resolve({
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: err,
          elapsedMs: Date.now() - started,
        });
        return;
      }
      const timedOut = signal && opts.timeoutMs && Date.now() - started >= opts.timeoutMs;
      reject(
        new FfmpegError(
          tool,
          code,
          args,
          tailOf(timedOut ? `${err}\ntimed out after ${opts.timeoutMs} ms` : err),
          signal,
        ),
      );
    });
  });
}

/** `ffmpeg -hide_banner -nostdin -y -loglevel <level> …args`. Throws {@link FfmpegError} on failure. */
export const runFfmpeg = (args: string[], opts: RunOptions = {}): Promise<RunResult> =>
  runTool('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-loglevel', opts.logLevel ?? 'error', ...args], opts);

/** `ffprobe -hide_banner -loglevel error …args`. Throws {@link FfmpegError} on failure. */
export const runFfprobe = (args: string[], opts: RunOptions = {}): Promise<RunResult> =>
  runTool('ffprobe', ['-hide_banner', '-loglevel', opts.logLevel ?? 'error', ...args], opts);

/** The x264 preset: the caller's, else `BIE_X264_PRESET`, else `veryfast`. */
export const x264Preset = (preset?: string): string => preset ?? readVariable('BIE_X264_PRESET');
