import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gainToTarget, measureLoudness } from './audio.js';
import { type AssStyle, type Cue, toAss } from './captions.js';
import { AAC_ARGS, h264Args, MP4_META_ARGS } from './encoding.js';
import { even, filterValue, num } from './filtergraph.js';
import { type LoudnessReport, measureDeliverable, normalizeLoudness } from './loudness.js';
import { type MediaInfo, probeMedia } from './probe.js';
import { encoderThreads, type ReframeMode, reframeGraph } from './reframe.js';
import { fontsDir, runFfmpeg } from './tools.js';

export { composeVoiceTrack, type VoiceLine } from './audio.js';
export { renderRendition } from './renditions.js';
export { renderThumbnail } from './thumbnail.js';

/** A scene clip: the file and how long its scene lasts in the master (trimmed, or its last frame held). */
export interface ClipInput {
  path: string;
  /** The scene's length; default the clip's own duration. */
  seconds?: number;
}

/** Provider audio (Veo's native sound): kept, under the voice and ducked by it, or muted. */
export type ProviderAudio = 'keep' | 'mute';

export interface AssembleMasterOptions {
  /** Scene clips in order, of any size, frame rate and length: each is conformed to the master. */
  clips: (string | ClipInput)[];
  /** 16:9 (or other) clips into the master frame; default `auto` (see {@link ReframeMode}). */
  reframe?: ReframeMode;
  /** What to do with clips' own audio tracks (default `mute`). */
  providerAudio?: ProviderAudio;
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
  /**
   * The delivered mix made beforehand from the voice and the music alone ({@link deliveredMix}, AAC):
   * used as is when provider audio is muted (the mix then does not depend on the clips), so the sound
   * can be made while the scenes render. Ignored when provider audio is kept.
   */
  mixPath?: string;
  width: number;
  height: number;
  fps: number;
  /** Output duration: video trimmed (or its last frame held) and audio padded/trimmed to it. */
  targetDurationSeconds: number;
  /** Loudness of the voice in the mix before delivery normalisation (default −16 LUFS). */
  voiceLufs?: number;
  /** Music level below the voice before ducking (default 8 dB; under speech the ducking takes ~8 dB more). */
  musicBelowVoiceDb?: number;
  /** Kept provider audio below the voice before ducking (default 10 dB). */
  providerBelowVoiceDb?: number;
  /** Integrated loudness of the delivered mix (default −14 LUFS, true peak ≤ −1 dBTP). */
  targetLufs?: number;
  /** Container metadata written into both masters (e.g. provenance). */
  metadata?: Record<string, string>;
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
  /** Total length of the scenes, and how much of the end was held on the last frame to reach the target. */
  clipsSeconds: number;
  heldSeconds: number;
  /** Gains of the voice and the music in the mix (absent when a ready `mixPath` was used). */
  voiceGainDb?: number;
  musicGainDb?: number;
  /** The clean master's video was joined from the clips without re-encoding (they matched the master). */
  videoCopied: boolean;
  /** Clips whose own audio is in the mix. */
  providerAudioClips: number;
  /** Measured on the delivered clean master. */
  loudness: LoudnessReport;
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

/** A clip is joined as is when it is already what the master's encoder would have made of it. */
const matchesMaster = (
  info: MediaInfo,
  seconds: number,
  o: { width: number; height: number; fps: number },
  first: MediaInfo,
): boolean => {
  const v = info.video;
  const f = first.video;
  return (
    !!v &&
    !!f &&
    v.codec === 'h264' &&
    v.width === o.width &&
    v.height === o.height &&
    Math.abs(v.fps - o.fps) < 0.001 &&
    v.pixelFormat === 'yuv420p' &&
    v.profile === f.profile &&
    v.level === f.level &&
    v.frames === Math.round(seconds * o.fps)
  );
};

/**
 * Builds the master: clips conformed to the frame (reframed, frame rate, trimmed or held to their
 * scene), voice levelled over music (and kept provider audio) ducked by the voice, the mix brought to
 * the delivery loudness (−14 LUFS, true peak ≤ −1 dBTP; audio-only passes of a second or so), then the
 * picture. When every clip already matches the master's encoding and length, the clean master is the
 * clips joined without re-encoding and the captioned master is the one video encode; otherwise both
 * are encoded from the same decoded frames in one ffmpeg run.
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
  const clips = o.clips.map((c) => (typeof c === 'string' ? { path: c } : c));
  const probes = await Promise.all(clips.map((c) => probeMedia(c.path)));
  probes.forEach((p, i) => {
    if (!p.video) throw new Error(`assembleMaster: clip ${clips[i]?.path} has no video stream`);
  });
  const seconds = clips.map((c, i) => c.seconds ?? (probes[i] as MediaInfo).durationSeconds);
  const clipsSeconds = seconds.reduce((s, d) => s + d, 0);
  const heldSeconds = Math.max(0, T - clipsSeconds);
  const keepAudio = (o.providerAudio ?? 'mute') === 'keep';
  const withAudio = keepAudio ? probes.filter((p) => p.audio).length : 0;
  const first = probes[0] as MediaInfo;
  const copyVideo =
    Math.abs(clipsSeconds - T) < 0.5 / o.fps &&
    probes.every((p, i) =>
      matchesMaster(p, seconds[i] as number, { width: W, height: H, fps: o.fps }, first),
    );

  const dir = await mkdtemp(path.join(tmpdir(), 'bie-assemble-'));
  try {
    // 1. The mix, levelled, then brought to the delivery loudness (or the one made beforehand).
    const aac = o.outMixPath ?? path.join(dir, 'mix.m4a');
    let levels: { voiceGainDb?: number; musicGainDb?: number } = {};
    if (o.mixPath && !keepAudio) {
      if (path.resolve(o.mixPath) !== path.resolve(aac)) await copyFile(o.mixPath, aac);
    } else {
      levels = await mixToAac(o, { clips, probes, seconds, keepAudio }, T, aac, dir);
    }

    // 2. The picture.
    let assPath = o.assPath;
    if (!assPath && o.captions?.length) {
      assPath = path.join(dir, 'captions.ass');
      await writeFile(
        assPath,
        toAss(o.captions, { ...defaultCaptionStyle(W, H), ...o.captionStyle, width: W, height: H }),
      );
    }
    const captioned = !!(o.outCaptionedPath && assPath);
    const meta = Object.entries(o.metadata ?? {}).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
    const subs = assPath ? `ass=filename=${filterValue(assPath)}:fontsdir=${filterValue(fontsDir())}` : '';
    const audioOut = (i: number) => ['-map', `${i}:a:0`, '-c:a', 'copy'];
    const video = [...h264Args(o), '-frames:v', String(frames), '-r', String(o.fps)];
    if (copyVideo) {
      const list = path.join(dir, 'clips.txt');
      await writeFile(list, clips.map((c) => `file ${concatPath(c.path)}\n`).join(''));
      const args = ['-f', 'concat', '-safe', '0', '-i', list, '-i', aac];
      if (captioned) args.push('-filter_complex', `[0:v]${subs},format=yuv420p[vcap]`);
      args.push('-map', '0:v:0', '-c:v', 'copy', ...audioOut(1), ...meta, ...MP4_META_ARGS, o.outCleanPath);
      if (captioned && o.outCaptionedPath)
        args.push(
          '-map',
          '[vcap]',
          ...video,
          '-threads',
          String(encoderThreads(1)),
          ...audioOut(1),
          ...meta,
          ...MP4_META_ARGS,
          o.outCaptionedPath,
        );
      await runFfmpeg(args, { signal: o.signal });
    } else {
      const n = clips.length;
      const graph: string[] = clips.map((_, i) => {
        const p = probes[i] as MediaInfo;
        const sec = seconds[i] as number;
        const have = p.durationSeconds;
        // Trimmed to its scene, or its last frame held to fill it; the final hold reaches the target.
        const short = Math.max(0, sec - have) + (i === n - 1 ? heldSeconds : 0);
        const hold = short > 0 ? `,tpad=stop_mode=clone:stop=${Math.ceil(short * o.fps) + 1}` : '';
        return [
          reframeGraph(`${i}:v`, `r${i}`, p.video as { width: number; height: number }, W, H, o.reframe),
          `[r${i}]fps=${o.fps},format=yuv420p,setpts=PTS-STARTPTS${hold},trim=end_frame=${Math.round((sec + (i === n - 1 ? heldSeconds : 0)) * o.fps)},setpts=PTS-STARTPTS[c${i}]`,
        ].join(';');
      });
      graph.push(
        `${clips.map((_, i) => `[c${i}]`).join('')}concat=n=${n}:v=1:a=0,trim=end_frame=${frames},setpts=PTS-STARTPTS${captioned ? ',split=2[vclean][vcap0]' : '[vclean]'}`,
      );
      if (captioned) graph.push(`[vcap0]${subs}[vcap]`);
      const threads = ['-threads', String(encoderThreads(1))];
      const args = [...clips.flatMap((c) => ['-i', c.path]), '-i', aac, '-filter_complex', graph.join(';')];
      args.push(
        '-map',
        '[vclean]',
        ...video,
        ...threads,
        ...audioOut(n),
        ...meta,
        ...MP4_META_ARGS,
        o.outCleanPath,
      );
      if (captioned && o.outCaptionedPath)
        args.push(
          '-map',
          '[vcap]',
          ...video,
          ...threads,
          ...audioOut(n),
          ...meta,
          ...MP4_META_ARGS,
          o.outCaptionedPath,
        );
      await runFfmpeg(args, { signal: o.signal });
    }
    if (o.outCaptionedPath && !captioned) await copyFile(o.outCleanPath, o.outCaptionedPath);
    const loudness = await measureDeliverable(o.outCleanPath, o.signal);
    return {
      cleanPath: o.outCleanPath,
      ...(o.outCaptionedPath && { captionedPath: o.outCaptionedPath }),
      ...(o.outMixPath && { mixPath: o.outMixPath }),
      durationSeconds: frames / o.fps,
      frames,
      clipsSeconds,
      heldSeconds,
      ...levels,
      videoCopied: copyVideo,
      providerAudioClips: withAudio,
      loudness,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A path for the concat demuxer's `file` directive (single-quoted; `'` escaped). */
const concatPath = (p: string): string => `'${path.resolve(p).replace(/'/g, "'\\''")}'`;

/** How the sound is mixed (the master's options that concern it). */
type MixSettings = Pick<
  AssembleMasterOptions,
  | 'voiceoverPath'
  | 'musicPath'
  | 'voiceLufs'
  | 'musicBelowVoiceDb'
  | 'providerBelowVoiceDb'
  | 'targetLufs'
  | 'signal'
>;

/** What {@link deliveredMix} mixes: the voice over the ducked music, at the delivery loudness. */
export type DeliveredMixOptions = Omit<MixSettings, 'providerBelowVoiceDb'> & {
  targetDurationSeconds: number;
  outPath: string;
};

/**
 * The delivered sound of a master whose provider audio is muted: the voice levelled over the music,
 * ducked by it, brought to −14 LUFS (true peak ≤ −1 dBTP) and encoded once as AAC. It needs no clip, so
 * it can be made while the scenes render; `assembleMaster({ mixPath })` then uses it as is.
 */
export async function deliveredMix(
  o: DeliveredMixOptions,
): Promise<{ voiceGainDb: number; musicGainDb: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bie-mix-'));
  try {
    const none = { clips: [], probes: [], seconds: [], keepAudio: false };
    return await mixToAac(o, none, o.targetDurationSeconds, o.outPath, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The mix, levelled, then brought to the delivery loudness, then AAC once (every deliverable copies it). */
async function mixToAac(
  o: MixSettings,
  c: { clips: ClipInput[]; probes: MediaInfo[]; seconds: number[]; keepAudio: boolean },
  T: number,
  aac: string,
  dir: string,
): Promise<{ voiceGainDb: number; musicGainDb: number }> {
  const premix = path.join(dir, 'premix.wav');
  const levels = await mixAudio(o, c.clips, c.probes, c.seconds, c.keepAudio, T, premix);
  const delivered = path.join(dir, 'mix.wav');
  await normalizeLoudness({
    inPath: premix,
    outPath: delivered,
    durationSeconds: T,
    targetLufs: o.targetLufs,
    signal: o.signal,
  });
  await runFfmpeg(['-i', delivered, ...AAC_ARGS, '-t', num(T, 4), '-vn', aac], { signal: o.signal });
  return levels;
}

/**
 * The premix (before delivery normalisation): voice levelled to `voiceLufs`; music, and the clips' own
 * audio when kept (each clip's sound trimmed or padded to its scene), levelled below it and ducked by
 * it (sidechain compression); a 48 kHz stereo float WAV of `T` seconds.
 */
async function mixAudio(
  o: MixSettings,
  clips: ClipInput[],
  probes: MediaInfo[],
  seconds: number[],
  keepAudio: boolean,
  T: number,
  outPath: string,
): Promise<{ voiceGainDb: number; musicGainDb: number }> {
  const kept = keepAudio ? probes.map((p, i) => (p.audio ? i : -1)).filter((i) => i >= 0) : [];
  let providerPath: string | undefined;
  if (kept.length) {
    // The clips' sound laid end to end like their pictures: silence under clips without audio.
    providerPath = `${outPath.replace(/\.wav$/, '')}-provider.wav`;
    const files: string[] = [];
    const parts = clips.map((c, i) => {
      const sec = num(seconds[i] as number, 4);
      if (!kept.includes(i)) return `anullsrc=r=48000:cl=stereo,atrim=duration=${sec}[p${i}]`;
      files.push(c.path);
      return `[${files.length - 1}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=duration=${sec},apad,atrim=duration=${sec},asetpts=PTS-STARTPTS[p${i}]`;
    });
    await runFfmpeg(
      [
        ...files.flatMap((f) => ['-i', f]),
        '-filter_complex',
        `${parts.join(';')};${clips.map((_, i) => `[p${i}]`).join('')}concat=n=${clips.length}:v=0:a=1[out]`,
        '-map',
        '[out]',
        '-c:a',
        'pcm_f32le',
        providerPath,
      ],
      { signal: o.signal },
    );
  }
  const audioIn = [o.voiceoverPath, o.musicPath, providerPath].filter((p): p is string => !!p);
  const lufs = await measureLoudness(audioIn);
  const level = (file: string | undefined, target: number) =>
    file ? gainToTarget(lufs[audioIn.indexOf(file)] ?? -70, target) : 0;
  const voiceTarget = o.voiceLufs ?? -16;
  const voiceGainDb = level(o.voiceoverPath, voiceTarget);
  const musicTarget = o.voiceoverPath ? voiceTarget - (o.musicBelowVoiceDb ?? 8) : voiceTarget - 2;
  const musicGainDb = level(o.musicPath, musicTarget);
  const providerGainDb = level(providerPath, voiceTarget - (o.providerBelowVoiceDb ?? 10));

  const fmt = 'aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo';
  const fit = `apad,atrim=duration=${num(T, 4)}`;
  const graph: string[] = [];
  const bedLabels: string[] = [];
  if (o.musicPath) {
    graph.push(`[${audioIn.indexOf(o.musicPath)}:a]${fmt},volume=${num(musicGainDb, 2)}dB,${fit}[music]`);
    bedLabels.push('[music]');
  }
  if (providerPath) {
    graph.push(`[${audioIn.indexOf(providerPath)}:a]${fmt},volume=${num(providerGainDb, 2)}dB,${fit}[prov]`);
    bedLabels.push('[prov]');
  }
  let bed: string | undefined;
  if (bedLabels.length === 1) bed = bedLabels[0];
  else if (bedLabels.length > 1) {
    graph.push(
      `${bedLabels.join('')}amix=inputs=${bedLabels.length}:duration=first:dropout_transition=0,volume=${bedLabels.length}[bed]`,
    );
    bed = '[bed]';
  }
  if (o.voiceoverPath && bed) {
    graph.push(`[0:a]${fmt},volume=${num(voiceGainDb, 2)}dB,${fit},asplit=2[voice][key]`);
    // Ducking: the voice keys a compressor on the bed (≈ −26 dBFS threshold, 6:1, 20 ms / 350 ms).
    graph.push(`${bed}[key]sidechaincompress=threshold=0.05:ratio=6:attack=20:release=350:knee=4[ducked]`);
    // amix halves each input; volume=2 restores unity gain.
    graph.push('[voice][ducked]amix=inputs=2:duration=first:dropout_transition=0,volume=2[out]');
  } else if (o.voiceoverPath) {
    graph.push(`[0:a]${fmt},volume=${num(voiceGainDb, 2)}dB,${fit}[out]`);
  } else if (bed) {
    graph.push(`${bed}anull[out]`);
  } else {
    graph.push(`anullsrc=r=48000:cl=stereo,atrim=duration=${num(T, 4)}[out]`);
  }
  await runFfmpeg(
    [
      ...audioIn.flatMap((a) => ['-i', a]),
      '-filter_complex',
      graph.join(';'),
      '-map',
      '[out]',
      '-c:a',
      'pcm_f32le',
      '-t',
      num(T, 4),
      outPath,
    ],
    { signal: o.signal },
  );
  return { voiceGainDb, musicGainDb };
}
