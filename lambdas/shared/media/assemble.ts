import { runFfmpeg } from './tools.js';

const fontsDirOf = (fontFile: string) => fontFile.replace(/\/[^/]+$/, '');

/** Escapes a path for use inside a filtergraph (the ass/subtitles filename option). */
const filterPath = (p: string) => p.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/'/g, "\\'");

export interface VoiceLine {
  wavPath: string;
  offsetSeconds: number;
  tempo: number;
  maxSeconds: number;
}

/** Places each spoken line at its offset (tempo-adjusted, cut at its scene end) on one track of `totalSeconds`. */
export async function composeVoiceTrack(o: {
  lines: VoiceLine[];
  totalSeconds: number;
  outPath: string;
}): Promise<void> {
  const inputs = o.lines.flatMap((l) => ['-i', l.wavPath]);
  const parts = o.lines.map((l, i) => {
    const ms = Math.round(l.offsetSeconds * 1000);
    const tempo = l.tempo > 1.001 ? `atempo=${l.tempo.toFixed(3)},` : '';
    // Every branch is padded and cut to the full length itself: amix then ends when its inputs do.
    return `[${i}:a]aresample=44100,aformat=channel_layouts=stereo,${tempo}atrim=0:${l.maxSeconds.toFixed(3)},adelay=${ms}|${ms},apad,atrim=0:${o.totalSeconds}[l${i}]`;
  });
  const mix = `${o.lines.map((_, i) => `[l${i}]`).join('')}amix=inputs=${o.lines.length}:duration=first:dropout_transition=0,volume=${o.lines.length}[out]`;
  await runFfmpeg([
    ...inputs,
    '-filter_complex',
    [...parts, mix].join(';'),
    '-map',
    '[out]',
    '-c:a',
    'pcm_s16le',
    '-t',
    String(o.totalSeconds),
    o.outPath,
  ]);
}

export interface AssembleOptions {
  clips: string[];
  voicePath: string;
  musicPath: string;
  assPath: string;
  fontFile: string;
  outCleanPath: string;
  outCaptionedPath: string;
  outMixPath: string;
  width: number;
  height: number;
  fps: number;
  durationSeconds: number;
  preset?: string;
}

/**
 * One ffmpeg pass: concatenates the clips, ducks the music under the voice (sidechain compression keyed
 * by the voice), and writes the clean master, the captioned master (ASS burned in) and the mixed audio.
 */
export async function assembleMaster(o: AssembleOptions): Promise<void> {
  const n = o.clips.length;
  const inputs = [...o.clips.flatMap((c) => ['-i', c]), '-i', o.voicePath, '-i', o.musicPath];
  const vi = n;
  const mi = n + 1;
  const scaleEach = o.clips.map(
    (_, i) =>
      `[${i}:v]scale=${o.width}:${o.height}:force_original_aspect_ratio=increase,crop=${o.width}:${o.height},fps=${o.fps},setsar=1,format=yuv420p[c${i}]`,
  );
  const graph = [
    ...scaleEach,
    `${o.clips.map((_, i) => `[c${i}]`).join('')}concat=n=${n}:v=1:a=0,trim=0:${o.durationSeconds},setpts=PTS-STARTPTS,split=2[vclean][vcap0]`,
    `[vcap0]ass='${filterPath(o.assPath)}':fontsdir='${filterPath(fontsDirOf(o.fontFile))}'[vcap]`,
    `[${vi}:a]aresample=44100,aformat=channel_layouts=stereo,apad,atrim=0:${o.durationSeconds},asplit=2[voice][key]`,
    `[${mi}:a]aresample=44100,aformat=channel_layouts=stereo,volume=0.55,apad,atrim=0:${o.durationSeconds}[music]`,
    '[music][key]sidechaincompress=threshold=0.03:ratio=9:attack=15:release=350[ducked]',
    '[voice][ducked]amix=inputs=2:duration=first:dropout_transition=0,volume=2,alimiter=limit=0.95,asplit=3[a1][a2][a3]',
  ];
  const video = [
    '-c:v',
    'libx264',
    '-preset',
    o.preset ?? process.env.BIE_X264_PRESET ?? 'veryfast',
    '-crf',
    '21',
    '-pix_fmt',
    'yuv420p',
  ];
  const audio = ['-c:a', 'aac', '-b:a', '160k', '-ar', '48000'];
  const t = ['-t', String(o.durationSeconds), '-movflags', '+faststart'];
  await runFfmpeg([
    ...inputs,
    '-filter_complex',
    graph.join(';'),
    '-map',
    '[vclean]',
    '-map',
    '[a1]',
    ...video,
    ...audio,
    ...t,
    o.outCleanPath,
    '-map',
    '[vcap]',
    '-map',
    '[a2]',
    ...video,
    ...audio,
    ...t,
    o.outCaptionedPath,
    '-map',
    '[a3]',
    ...audio,
    '-t',
    String(o.durationSeconds),
    o.outMixPath,
  ]);
}

export interface RenditionOptions {
  masterPath: string;
  outPath: string;
  width: number;
  height: number;
  assPath?: string;
  fontFile: string;
  preset?: string;
}

/**
 * A platform rendition from the clean master: the picture scaled to fit, over a blurred copy of itself
 * scaled to fill (no black bars), captions burned inside the platform's safe zone.
 */
export async function renderRendition(o: RenditionOptions): Promise<void> {
  const W = o.width;
  const H = o.height;
  const small = (v: number) => Math.max(2, Math.round(v / 8 / 2) * 2);
  const graph = [
    '[0:v]split=2[bg][fg]',
    `[bg]scale=${small(W)}:${small(H)}:force_original_aspect_ratio=increase,crop=${small(W)}:${small(H)},boxblur=6:2,scale=${W}:${H},eq=brightness=-0.12[bgb]`,
    `[fg]scale=${W}:${H}:force_original_aspect_ratio=decrease,setsar=1[fgs]`,
    `[bgb][fgs]overlay=(W-w)/2:(H-h)/2${o.assPath ? `,ass='${filterPath(o.assPath)}':fontsdir='${filterPath(fontsDirOf(o.fontFile))}'` : ''},format=yuv420p[v]`,
  ];
  await runFfmpeg([
    '-i',
    o.masterPath,
    '-filter_complex',
    graph.join(';'),
    '-map',
    '[v]',
    '-map',
    '0:a?',
    '-c:v',
    'libx264',
    '-preset',
    o.preset ?? process.env.BIE_X264_PRESET ?? 'veryfast',
    '-crf',
    '22',
    '-c:a',
    'copy',
    '-movflags',
    '+faststart',
    o.outPath,
  ]);
}

/** A still from the video, cropped to the platform size, with an optional title band. */
export async function renderThumbnail(o: {
  videoPath: string;
  atSeconds: number;
  outPath: string;
  width: number;
  height: number;
  titleFile?: string;
  fontFile: string;
  bandColour?: string;
}): Promise<void> {
  const size = Math.round(Math.min(o.width, o.height) * 0.06);
  const band = o.titleFile
    ? `,drawbox=x=0:y=ih*0.72:w=iw:h=ih*0.2:color=${(o.bandColour ?? '#000000').replace('#', '0x')}@0.7:t=fill,drawtext=fontfile='${filterPath(o.fontFile)}':textfile='${filterPath(o.titleFile)}':expansion=none:fontsize=${size}:fontcolor=white:x=(w-tw)/2:y=h*0.76`
    : '';
  await runFfmpeg([
    '-ss',
    String(o.atSeconds),
    '-i',
    o.videoPath,
    '-frames:v',
    '1',
    '-vf',
    `scale=${o.width}:${o.height}:force_original_aspect_ratio=increase,crop=${o.width}:${o.height}${band}`,
    '-q:v',
    '3',
    o.outPath,
  ]);
}
