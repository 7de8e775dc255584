export interface Word {
  text: string;
  startSeconds: number;
  endSeconds: number;
}

export interface Cue {
  startSeconds: number;
  endSeconds: number;
  text: string;
}

/**
 * Groups word timings into readable cues: at most `maxChars` per line and `maxLines` lines, a new cue
 * at sentence ends, and a minimum on-screen time so short cues can be read.
 */
export function buildCues(
  words: Word[],
  opts: { maxChars?: number; maxLines?: number; minSeconds?: number; breaks?: number[] } = {},
): Cue[] {
  const maxChars = opts.maxChars ?? 32;
  const maxLines = opts.maxLines ?? 2;
  const minSeconds = opts.minSeconds ?? 0.8;
  const cues: Cue[] = [];
  let lines: string[] = [];
  let line = '';
  let start = 0;
  let end = 0;
  const flush = () => {
    if (line) lines.push(line);
    if (lines.length) cues.push({ startSeconds: start, endSeconds: end, text: lines.join('\n') });
    lines = [];
    line = '';
  };
  const breaks = [...(opts.breaks ?? [])].sort((a, b) => a - b);
  let nextBreak = 0;
  for (const w of words) {
    const text = w.text.trim();
    if (!text) continue;
    // A cue never spans a scene cut: captions change with the picture.
    while (nextBreak < breaks.length && w.startSeconds >= (breaks[nextBreak] as number)) {
      nextBreak++;
      if (line || lines.length) flush();
    }
    if (!line && !lines.length) start = w.startSeconds;
    if (line && `${line} ${text}`.length > maxChars) {
      lines.push(line);
      line = '';
      if (lines.length >= maxLines) {
        flush();
        start = w.startSeconds;
      }
    }
    line = line ? `${line} ${text}` : text;
    end = w.endSeconds;
    if (/[.!?]$/.test(text)) flush();
  }
  flush();
  for (let i = 0; i < cues.length; i++) {
    const cue = cues[i] as Cue;
    const next = cues[i + 1];
    const wanted = Math.max(cue.endSeconds, cue.startSeconds + minSeconds);
    cue.endSeconds = next ? Math.min(wanted, next.startSeconds) : wanted;
  }
  return cues;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function clock(seconds: number, sep: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${pad(h)}:${pad(m)}:${pad(s)}${sep}${pad(ms % 1000, 3)}`;
}

export function toSrt(cues: Cue[]): string {
  return cues
    .map((c, i) => `${i + 1}\n${clock(c.startSeconds, ',')} --> ${clock(c.endSeconds, ',')}\n${c.text}\n`)
    .join('\n');
}

export function toVtt(cues: Cue[]): string {
  return `WEBVTT\n\n${cues.map((c) => `${clock(c.startSeconds, '.')} --> ${clock(c.endSeconds, '.')}\n${c.text}\n`).join('\n')}`;
}

export interface AssStyle {
  width: number;
  height: number;
  fontSize: number;
  /** Margins keep captions inside a platform's safe zone. */
  marginLeft: number;
  marginRight: number;
  marginBottom: number;
  primaryColour?: string;
}

const assTime = (s: number): string => {
  const cs = Math.max(0, Math.round(s * 100));
  return `${Math.floor(cs / 360000)}:${pad(Math.floor((cs % 360000) / 6000))}:${pad(Math.floor((cs % 6000) / 100))}.${pad(cs % 100)}`;
};

/** `#RRGGBB` → ASS `&H00BBGGRR`. */
const assColour = (hex: string): string =>
  `&H00${hex.slice(5, 7)}${hex.slice(3, 5)}${hex.slice(1, 3)}`.toUpperCase();

export function toAss(cues: Cue[], style: AssStyle): string {
  const colour = assColour(style.primaryColour ?? '#FFFFFF');
  const escapeAss = (t: string) =>
    t.replace(/\\/g, '\\\\').replace(/\{/g, '\\{').replace(/\}/g, '\\}').replace(/\n/g, '\\N');
  return [
    '[Script Info]',
    'ScriptType: v4.00+',
    `PlayResX: ${style.width}`,
    `PlayResY: ${style.height}`,
    'WrapStyle: 0',
    'ScaledBorderAndShadow: yes',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    `Style: Caption,DejaVu Sans,${style.fontSize},${colour},&H000000FF,&H00000000,&H64000000,-1,0,0,0,100,100,0,0,1,${Math.max(2, Math.round(style.fontSize / 14))},1,2,${style.marginLeft},${style.marginRight},${style.marginBottom},1`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...cues.map(
      (c) =>
        `Dialogue: 0,${assTime(c.startSeconds)},${assTime(c.endSeconds)},Caption,,0,0,0,,${escapeAss(c.text)}`,
    ),
    '',
  ].join('\n');
}

/** Start times of scenes 2..n, the points where captions must break. */
export function sceneStarts(scenes: { duration_seconds: number }[]): number[] {
  const starts: number[] = [];
  let t = 0;
  for (const s of scenes.slice(0, -1)) {
    t += s.duration_seconds;
    starts.push(t);
  }
  return starts;
}
