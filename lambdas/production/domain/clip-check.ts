import type { MediaInfo } from '../../shared/media/probe.js';
import { runFfmpeg } from '../../shared/media/tools.js';

/** A clip may be this much shorter than its scene (providers round to their own frame grid). */
export const CLIP_DURATION_TOLERANCE_SECONDS = 0.25;

/** Black or frozen for more than this share of a clip fails it (a fade or a held frame is fine). */
export const MAX_BAD_SHARE = 0.5;

/** Seconds of black and of frozen picture in a clip (ffmpeg blackdetect and freezedetect). */
export interface ClipSignals {
  blackSeconds: number;
  frozenSeconds: number;
}

/**
 * What is wrong with a rendered clip, as a reviewer would read it; empty when nothing is. A clip must
 * decode with a video stream, last its scene (minus a small tolerance), and not be mostly black or frozen.
 */
export function clipIssues(
  info: MediaInfo | undefined,
  signals: ClipSignals | undefined,
  sceneSeconds: number,
): string[] {
  if (!info) return ['the clip cannot be decoded'];
  const issues: string[] = [];
  if (!info.video) issues.push('no video stream');
  if (info.durationSeconds < sceneSeconds - CLIP_DURATION_TOLERANCE_SECONDS)
    issues.push(`${info.durationSeconds.toFixed(2)} s long, the scene needs ${sceneSeconds} s`);
  const length = Math.max(info.durationSeconds, 0.001);
  if (signals && signals.blackSeconds / length > MAX_BAD_SHARE)
    issues.push(`black for ${signals.blackSeconds.toFixed(1)} s of ${length.toFixed(1)} s`);
  if (signals && signals.frozenSeconds / length > MAX_BAD_SHARE)
    issues.push(`frozen for ${signals.frozenSeconds.toFixed(1)} s of ${length.toFixed(1)} s`);
  return issues;
}

/** Sums the `black_duration` / `freeze_duration` lines ffmpeg's detectors print to stderr. */
export function parseDetectors(stderr: string, clipSeconds: number): ClipSignals {
  const sum = (re: RegExp) => [...stderr.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
  const blackSeconds = sum(/black_duration:\s*([\d.]+)/g);
  let frozenSeconds = sum(/freeze_duration:\s*([\d.]+)/g);
  // A freeze that lasts to the end has a start but no duration line: it runs to the clip's end.
  const starts = [...stderr.matchAll(/freeze_start:\s*([\d.]+)/g)].map((m) => Number(m[1]));
  const ends = [...stderr.matchAll(/freeze_end:\s*([\d.]+)/g)].length;
  const open = starts.slice(ends);
  for (const start of open) frozenSeconds += Math.max(0, clipSeconds - start);
  return { blackSeconds, frozenSeconds };
}

/** Runs blackdetect and freezedetect over a clip (decode only, no output file). */
export async function detectBlackAndFrozen(file: string, clipSeconds: number): Promise<ClipSignals> {
  const { stderr } = await runFfmpeg(
    [
      '-nostats',
      '-i',
      file,
      '-map',
      '0:v:0',
      '-vf',
      'blackdetect=d=0.5:pix_th=0.10,freezedetect=n=-60dB:d=1',
      '-an',
      '-f',
      'null',
      '-',
    ],
    { logLevel: 'info', timeoutMs: 120_000 },
  );
  return parseDetectors(stderr, clipSeconds);
}
