import { num } from './filtergraph.js';
import { runFfmpeg } from './tools.js';

/**
 * The delivery loudness of every master and rendition: −14 LUFS integrated (what TikTok, Instagram and
 * YouTube normalise playback to, so nothing is turned down or sounds quiet next to other posts), ±1 LU,
 * with the true peak at or below −1 dBTP (headroom for the platforms' own AAC/Opus re-encode).
 */
export const DELIVERY_LOUDNESS = { integratedLufs: -14, toleranceLu: 1, truePeakDbtp: -1 } as const;

/**
 * The limiter's ceiling, in dBFS at 4× oversampling (so close to true peak): below −1 dBTP by the
 * overshoot AAC encoding adds (measured ≈ 0.2–0.5 dB at 160 kb/s).
 */
const CEILING_DBTP = -2;

export interface LoudnessReport {
  /** Integrated loudness (EBU R128 / ITU-R BS.1770), LUFS. */
  integratedLufs: number;
  /** True peak (ebur128 `peak=true`, 4× oversampled), dBTP. */
  truePeakDbtp: number;
  /** Loudness range, LU. */
  rangeLu: number;
}

const FLOAT = '(-?[\\d.]+|-?inf)';

function parseSummary(stderr: string): LoudnessReport {
  // The last summary counts (ffmpeg may configure a graph twice and report a silent first instance).
  const at = stderr.lastIndexOf('Summary:');
  const summary = at >= 0 ? stderr.slice(at) : '';
  const value = (re: RegExp): number => {
    const m = summary.match(re);
    if (!m) throw new Error(`loudness: no ${re.source} in the ebur128 summary`);
    const n = Number(m[1]);
    return Number.isFinite(n) ? n : -70;
  };
  return {
    integratedLufs: value(new RegExp(`I:\\s+${FLOAT}\\s+LUFS`)),
    truePeakDbtp: value(new RegExp(`Peak:\\s+${FLOAT}\\s+dBFS`)),
    rangeLu: value(new RegExp(`LRA:\\s+${FLOAT}\\s+LU`)),
  };
}

/** Integrated loudness, true peak and loudness range of a file's first audio stream (video is not decoded). */
export async function measureDeliverable(file: string, signal?: AbortSignal): Promise<LoudnessReport> {
  const { stderr } = await runFfmpeg(
    ['-i', file, '-vn', '-sn', '-dn', '-map', '0:a:0', '-af', 'ebur128=peak=true', '-f', 'null', '-'],
    { logLevel: 'info', signal },
  );
  return parseSummary(stderr);
}

/** Whether a report meets {@link DELIVERY_LOUDNESS}. */
export const meetsDelivery = (r: LoudnessReport): boolean =>
  Math.abs(r.integratedLufs - DELIVERY_LOUDNESS.integratedLufs) <= DELIVERY_LOUDNESS.toleranceLu &&
  r.truePeakDbtp <= DELIVERY_LOUDNESS.truePeakDbtp;

export interface NormalizeResult extends LoudnessReport {
  gainDb: number;
  passes: number;
}

/**
 * Brings a mix to the delivery loudness: a measured gain, then a look-ahead limiter run at 4× the sample
 * rate (inter-sample peaks are caught as well as sample peaks). The limiter takes off a little loudness
 * where it works, so the result is measured in the same pass and the gain corrected (at most 3 passes,
 * each an audio-only run of well under a second for a 30 s mix). Writes 48 kHz stereo float WAV.
 */
export async function normalizeLoudness(o: {
  inPath: string;
  outPath: string;
  /** Output length in seconds (padded with silence or trimmed). */
  durationSeconds: number;
  targetLufs?: number;
  signal?: AbortSignal;
}): Promise<NormalizeResult> {
  const target = o.targetLufs ?? DELIVERY_LOUDNESS.integratedLufs;
  const source = await measureDeliverable(o.inPath, o.signal);
  if (source.integratedLufs <= -69) {
    // Silence stays silence (there is nothing to bring up); written so the caller has its track.
    await runFfmpeg(
      [
        '-i',
        o.inPath,
        '-af',
        `aresample=48000,aformat=sample_fmts=flt:channel_layouts=stereo,apad,atrim=duration=${num(o.durationSeconds, 4)}`,
        '-c:a',
        'pcm_f32le',
        o.outPath,
      ],
      { signal: o.signal },
    );
    return { ...source, gainDb: 0, passes: 1 };
  }
  let gainDb = target - source.integratedLufs;
  const limit = 10 ** (CEILING_DBTP / 20);
  let last: LoudnessReport = source;
  let passes = 0;
  for (; passes < 3; ) {
    passes++;
    const { stderr } = await runFfmpeg(
      [
        '-i',
        o.inPath,
        '-filter_complex',
        [
          `[0:a]aresample=48000,aformat=sample_fmts=flt:channel_layouts=stereo,volume=${num(gainDb, 3)}dB`,
          'aresample=192000',
          `alimiter=limit=${num(limit, 5)}:level=0:attack=2:release=60`,
          'aresample=48000',
          `apad,atrim=duration=${num(o.durationSeconds, 4)},asplit=2[out][m];[m]ebur128=peak=true[mm]`,
        ].join(','),
        '-map',
        '[out]',
        '-c:a',
        'pcm_f32le',
        o.outPath,
        '-map',
        '[mm]',
        '-f',
        'null',
        '-',
      ],
      { logLevel: 'info', signal: o.signal },
    );
    last = parseSummary(stderr);
    const miss = target - last.integratedLufs;
    if (Math.abs(miss) <= 0.3) break;
    gainDb += miss;
  }
  return { ...last, gainDb, passes };
}
