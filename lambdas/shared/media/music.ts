import { runFfmpeg } from './tools.js';

const NOTE = (semitonesFromA4: number): number => 440 * 2 ** (semitonesFromA4 / 12);

/** Chord progressions (semitones from A4 of each chord's root) and tempo by mood words in the style. */
function arrangement(style: string): { roots: number[]; bpm: number; minor: boolean } {
  const s = style.toLowerCase();
  if (/upbeat|energetic|playful|fun|bouncy|pop/.test(s))
    return { roots: [-9, -4, -2, -5], bpm: 118, minor: false };
  if (/calm|ambient|warm|acoustic|gentle|lo-?fi/.test(s))
    return { roots: [-9, -5, -7, -4], bpm: 84, minor: false };
  if (/cinematic|epic|dramatic|emotional|piano/.test(s))
    return { roots: [-12, -4, -9, -5], bpm: 72, minor: true };
  return { roots: [-9, -2, -4, -5], bpm: 96, minor: false }; // corporate / neutral
}

/**
 * A procedural music bed: a triad per bar with a soft pulse, faded in and out. Loudness is kept low:
 * the bed sits under the voice and is ducked further at assembly.
 */
export async function generateMusicBed(o: {
  outPath: string;
  durationSeconds: number;
  style: string;
  seed: number;
}): Promise<void> {
  const { roots, bpm, minor } = arrangement(o.style);
  const bar = (60 / bpm) * 4;
  const pick = (k: number) =>
    `mod(floor(t/${bar.toFixed(4)})+${(o.seed % roots.length) + k},${roots.length})`;
  // Piecewise root frequency: sum over chords of (index == i) * freq.
  const rootExpr = roots.map((r, i) => `eq(${pick(0)},${i})*${NOTE(r).toFixed(3)}`).join('+');
  const third = minor ? 2 ** (3 / 12) : 2 ** (4 / 12);
  const fifth = 2 ** (7 / 12);
  const pulse = `(0.6+0.4*pow(sin(PI*t*${(bpm / 60).toFixed(4)}),2))`;
  const expr = `0.11*${pulse}*(sin(2*PI*(${rootExpr})*t)+0.7*sin(2*PI*(${rootExpr})*${third.toFixed(5)}*t)+0.6*sin(2*PI*(${rootExpr})*${fifth.toFixed(5)}*t)+0.3*sin(PI*(${rootExpr})*t))`;
  const d = o.durationSeconds;
  await runFfmpeg([
    '-f',
    'lavfi',
    '-i',
    `aevalsrc='${expr}':s=44100:d=${d}`,
    '-af',
    `afade=t=in:d=1,afade=t=out:st=${Math.max(0, d - 1.5)}:d=1.5,aformat=channel_layouts=stereo`,
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-t',
    String(d),
    o.outPath,
  ]);
}
