import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gainToTarget, measureLoudness } from './audio.js';
import { type AssStyle, type Cue, toAss } from './captions.js';
import { AAC_ARGS, h264Args, MP4_ARGS } from './encoding.js';
import { even, filterValue, num } from './filtergraph.js';
import { probeMedia } from './probe.js';
import { fontsDir, runFfmpeg } from './tools.js';

export { composeVoiceTrack, type VoiceLine } from './audio.js';
export { renderRendition } from './renditions.js';
export { renderThumbnail } from './thumbnail.js';

export interface AssembleMasterOptions {
  /** Scene clips in order; each is scaled to cover the frame if its size differs. */
  clips: string[];
  /** The voice-over (any format ffmpeg reads); optional for a music-only master. */
  voiceoverPath?: string;
  /** The music bed; ducked under the voice. Optional. */
  musicPath?: string;
  /** Caption cues burned into the captioned master. */
  captions?: Cue[];
  /** Caption look and placement (size, margins, alignment…), in pixels of the master. */
  captionStyle?: Partial<Omit<AssStyle, 'width' | 'height'>>;
  /** A ready ASS file instead of `captions`. */
  assPath?: string;
  outCleanPath: string;
  /** Captioned master (captions burned in); when there are no captions it is a copy of the clean one. */
  outCaptionedPath?: string;
  /** Also write the final mix as AAC (.m4a). */
  outMixPath?: string;
  width: number;
  height: number;
  fps: number;
  /** Output duration: video trimmed (or its last frame held) and audio padded/trimmed to it. */
  targetDurationSeconds: number;
  /** Loudness of the voice in the mix (default −16 LUFS, a common target for social video). */
  voiceLufs?: number;
  /** Music level below the voice before ducking (default 8 dB; under speech the ducking takes ~8 dB more). */
  musicBelowVoiceDb?: number;
  preset?: string;
  crf?: number;
  signal?: AbortSignal;
}

/** The option names used before this API; still accepted. */
export interface LegacyAssembleMasterOptions
  extends Omit<AssembleMasterOptions, 'voiceoverPath' | 'targetDurationSeconds'> {
  voicePath: string;
  durationSeconds: number;
  /** Ignored: captions always use the bundled fonts (see `fontsDir`). */
  fontFile?: string;
}

export interface AssembleMasterResult {
  cleanPath: string;
  captionedPath?: string;
  mixPath?: string;
  durationSeconds: number;
  frames: number;
  /** Total length of the clips, and how much of the end was held on the last frame to reach the target. */
  clipsSeconds: number;
  heldSeconds: number;
  voiceGainDb: number;
  musicGainDb: number;
}

const isLegacy = (o: AssembleMasterOptions | LegacyAssembleMasterOptions): o is LegacyAssembleMasterOptions =>
  'voicePath' in o || 'durationSeconds' in o;

/** Caption defaults for a master: bottom centre, above the bottom ~22 % where short-form apps draw UI. */
export function defaultCaptionStyle(width: number, height: number): AssStyle {
  const portrait = height > width;
  return {
    width,
    height,
    fontSize: Math.round(portrait ? height * 0.034 : height * 0.05),
    marginLeft: Math.round(width * 0.08),
    marginRight: Math.round(width * (portrait ? 0.14 : 0.08)),
    marginBottom: Math.round(height * (portrait ? 0.22 : 0.1)),
    alignment: 2,
  };
}

/**
 * Builds the master in one ffmpeg pass: clips concatenated (scaled to cover if needed), held on the last
 * frame or trimmed to the target, voice levelled to `voiceLufs` over music levelled below it and ducked
 * by the voice (sidechain compression), a limiter at −1 dBFS, audio padded/trimmed to the target; the
 * clean master and the captioned master (ASS burned in) are encoded from the same decoded frames.
 * Loudness is measured first in a quick audio-only pass.
 */
export async function assembleMaster(
  input: AssembleMasterOptions | LegacyAssembleMasterOptions,
): Promise<AssembleMasterResult> {
  const o: AssembleMasterOptions = isLegacy(input)
    ? { ...input, voiceoverPath: input.voicePath, targetDurationSeconds: input.durationSeconds }
    : input;
  if (!o.clips.length) throw new Error('assembleMaster: no clips');
  const T = o.targetDurationSeconds;
  if (!(T > 0)) throw new Error('assembleMaster: targetDurationSeconds must be > 0');
  const W = even(o.width);
  const H = even(o.height);
  const frames = Math.max(1, Math.round(T * o.fps));
  const probes = await Promise.all(o.clips.map((c) => probeMedia(c)));
  probes.forEach((p, i) => {
    if (!p.video) throw new Error(`assembleMaster: clip ${o.clips[i]} has no video stream`);
  });
  const clipsSeconds = probes.reduce((s, p) => s + p.durationSeconds, 0);
  const heldSeconds = Math.max(0, T - clipsSeconds);

  const audioIn = [o.voiceoverPath, o.musicPath].filter((p): p is string => !!p);
  const lufs = await measureLoudness(audioIn);
  const voiceTarget = o.voiceLufs ?? -16;
  const voiceGainDb = o.voiceoverPath ? gainToTarget(lufs[0] ?? -70, voiceTarget) : 0;
  const musicTarget = o.voiceoverPath ? voiceTarget - (o.musicBelowVoiceDb ?? 8) : voiceTarget - 2;
  const musicGainDb = o.musicPath ? gainToTarget(lufs[audioIn.length - 1] ?? -70, musicTarget) : 0;

  const dir = await mkdtemp(path.join(tmpdir(), 'bie-assemble-'));
  try {
    let assPath = o.assPath;
    if (!assPath && o.captions?.length) {
      assPath = path.join(dir, 'captions.ass');
      await writeFile(
        assPath,
        toAss(o.captions, { ...defaultCaptionStyle(W, H), ...o.captionStyle, width: W, height: H }),
      );
    }
    const captioned = !!(o.outCaptionedPath && assPath);

    const n = o.clips.length;
    const vi = n;
    const mi = n + (o.voiceoverPath ? 1 : 0);
    // The hold goes on the last clip: in ffmpeg 4.1 tpad after concat never sees the end of stream.
    const hold = heldSeconds > 0 ? `,tpad=stop_mode=clone:stop=${Math.ceil(heldSeconds * o.fps) + 1}` : '';
    const graph: string[] = o.clips.map((_, i) =>
      [
        `[${i}:v]scale=${W}:${H}:force_original_aspect_ratio=increase`,
        `crop=${W}:${H}`,
        'setsar=1',
        `fps=${o.fps}`,
        'format=yuv420p',
        `setpts=PTS-STARTPTS${i === n - 1 ? hold : ''}[c${i}]`,
      ].join(','),
    );
    graph.push(
      `${o.clips.map((_, i) => `[c${i}]`).join('')}concat=n=${n}:v=1:a=0,trim=end_frame=${frames},setpts=PTS-STARTPTS${captioned ? ',split=2[vclean][vcap0]' : '[vclean]'}`,
    );
    if (captioned && assPath)
      graph.push(`[vcap0]ass=filename=${filterValue(assPath)}:fontsdir=${filterValue(fontsDir())}[vcap]`);

    const fmt = 'aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo';
    const fit = `apad,atrim=duration=${num(T, 4)}`;
    let mixed: string;
    if (o.voiceoverPath && o.musicPath) {
      graph.push(`[${vi}:a]${fmt},volume=${num(voiceGainDb, 2)}dB,${fit},asplit=2[voice][key]`);
      graph.push(`[${mi}:a]${fmt},volume=${num(musicGainDb, 2)}dB,${fit}[music]`);
      // Ducking: the voice keys a compressor on the music (≈ −26 dBFS threshold, 6:1, 20 ms / 350 ms).
      graph.push('[music][key]sidechaincompress=threshold=0.05:ratio=6:attack=20:release=350:knee=4[ducked]');
      // amix halves each input; volume=2 restores unity gain before the limiter.
      graph.push('[voice][ducked]amix=inputs=2:duration=first:dropout_transition=0,volume=2[premix]');
      mixed = 'premix';
    } else if (o.voiceoverPath || o.musicPath) {
      const idx = o.voiceoverPath ? vi : mi;
      graph.push(
        `[${idx}:a]${fmt},volume=${num(o.voiceoverPath ? voiceGainDb : musicGainDb, 2)}dB,${fit}[premix]`,
      );
      mixed = 'premix';
    } else {
      graph.push(`anullsrc=r=48000:cl=stereo,atrim=duration=${num(T, 4)}[premix]`);
      mixed = 'premix';
    }
    const outs = 1 + (captioned ? 1 : 0) + (o.outMixPath ? 1 : 0);
    graph.push(
      `[${mixed}]alimiter=limit=0.89:level=0:attack=5:release=80,aformat=sample_fmts=fltp${outs > 1 ? `,asplit=${outs}${Array.from({ length: outs }, (_, i) => `[a${i}]`).join('')}` : '[a0]'}`,
    );

    const video = [...h264Args(o), '-frames:v', String(frames), '-r', String(o.fps)];
    const outputs: string[] = [
      '-map',
      '[vclean]',
      '-map',
      '[a0]',
      ...video,
      ...AAC_ARGS,
      ...MP4_ARGS,
      o.outCleanPath,
    ];
    if (captioned && o.outCaptionedPath)
      outputs.push('-map', '[vcap]', '-map', '[a1]', ...video, ...AAC_ARGS, ...MP4_ARGS, o.outCaptionedPath);
    if (o.outMixPath)
      outputs.push('-map', `[a${outs - 1}]`, ...AAC_ARGS, '-t', num(T, 4), '-vn', o.outMixPath);

    await runFfmpeg(
      [
        ...o.clips.flatMap((c) => ['-i', c]),
        ...audioIn.flatMap((a) => ['-i', a]),
        '-filter_complex',
        graph.join(';'),
        ...outputs,
      ],
      { signal: o.signal },
    );
    if (o.outCaptionedPath && !captioned) await copyFile(o.outCleanPath, o.outCaptionedPath);
    return {
      cleanPath: o.outCleanPath,
      ...(o.outCaptionedPath && { captionedPath: o.outCaptionedPath }),
      ...(o.outMixPath && { mixPath: o.outMixPath }),
      durationSeconds: frames / o.fps,
      frames,
      clipsSeconds,
      heldSeconds,
      voiceGainDb,
      musicGainDb,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
