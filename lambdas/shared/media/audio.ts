import { num } from './filtergraph.js';
import { runFfmpeg } from './tools.js';

/** Integrated loudness at or below this is silence (ebur128 reports −70 LUFS for digital silence). */
export const SILENT_LUFS = -69;

/**
 * Integrated loudness (EBU R128, LUFS) of each file's first audio stream, measured as stereo (a mono
 * voice is counted on both channels, as it will be played), in one ffmpeg run.
 */
export async function measureLoudness(files: readonly string[]): Promise<number[]> {
  if (!files.length) return [];
  const graph = files.map((_, i) => `[${i}:a]aformat=channel_layouts=stereo,ebur128=framelog=verbose[m${i}]`);
  const { stderr } = await runFfmpeg(
    [
      ...files.flatMap((f) => ['-i', f]),
      '-filter_complex',
      graph.join(';'),
      ...files.flatMap((_, i) => ['-map', `[m${i}]`, '-f', 'null', '-']),
    ],
    { logLevel: 'info' },
  );
  // Each summary starts "[Parsed_ebur128_<n> @ …] Summary:"; filter numbers grow in graph order. ffmpeg
  // may configure the graph twice (a first instance sees no audio and reports −70): the last one counts.
  const byFilter = new Map<number, number>();
  for (const m of stderr.matchAll(
    /Parsed_ebur128_(\d+)[^\n]*Summary:[\s\S]*?I:\s+(-?[\d.]+|-?inf)\s+LUFS/g,
  )) {
    const lufs = Number(m[2]);
    byFilter.set(Number(m[1]), Number.isFinite(lufs) ? lufs : -70);
  }
  if (byFilter.size !== files.length)
    throw new Error(`loudness: expected ${files.length} measurements, got ${byFilter.size}`);
  return [...byFilter.entries()].sort((a, b) => a[0] - b[0]).map(([, lufs]) => lufs);
}

/** Gain (dB) that brings `lufs` to `target`, limited to ±`maxDb`; 0 for silence. */
export const gainToTarget = (lufs: number, target: number, maxDb = 24): number =>
  lufs <= SILENT_LUFS ? 0 : Math.max(-maxDb, Math.min(maxDb, target - lufs));

export interface VoiceLine {
  wavPath: string;
  offsetSeconds: number;
  /** Playback speed (atempo) when a line must be squeezed into its scene; 1 = as spoken. */
  tempo: number;
  /** Cut the (tempo-adjusted) line after this many seconds of source. */
  maxSeconds: number;
}

/** Places each spoken line at its offset (tempo-adjusted, cut at its scene end) on one track of `totalSeconds`. */
export async function composeVoiceTrack(o: {
  lines: VoiceLine[];
  totalSeconds: number;
  outPath: string;
}): Promise<void> {
  if (!o.lines.length) {
    await runFfmpeg([
      '-f',
      'lavfi',
      '-i',
      `anullsrc=r=48000:cl=stereo`,
      '-t',
      num(o.totalSeconds, 3),
      '-c:a',
      'pcm_s16le',
      o.outPath,
    ]);
    return;
  }
  const inputs = o.lines.flatMap((l) => ['-i', l.wavPath]);
  const parts = o.lines.map((l, i) => {
    const ms = Math.max(0, Math.round(l.offsetSeconds * 1000));
    // atempo takes 0.5…2 per instance in ffmpeg 4.1.
    const tempo =
      l.tempo > 1.001 || l.tempo < 0.999 ? `atempo=${num(Math.min(2, Math.max(0.5, l.tempo)), 3)},` : '';
    // Every branch is padded and cut to the full length itself: amix then ends when its inputs do.
    return `[${i}:a]aresample=48000,aformat=channel_layouts=stereo,${tempo}atrim=0:${num(l.maxSeconds, 3)},adelay=${ms}|${ms},apad,atrim=0:${num(o.totalSeconds, 3)}[l${i}]`;
  });
  // amix scales each input by 1/n; the volume restores unity (the lines do not overlap).
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
    num(o.totalSeconds, 3),
    o.outPath,
  ]);
}
