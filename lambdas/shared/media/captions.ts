import { assColor } from './color.js';

export interface Word {
  text: string;
  startSeconds: number;
  endSeconds: number;
}

export interface Cue {
  startSeconds: number;
  endSeconds: number;
  /** One or more lines separated by `\n`. */
  text: string;
}

export interface CueOptions {
  /** Characters per line (default 32). */
  maxChars?: number;
  /** Lines per cue (default 2). */
  maxLines?: number;
  /** Shortest time on screen (default 0.8 s); never extends into the next cue. */
  minSeconds?: number;
  /** Longest cue (default 6 s): a long cue is split even if it has room. */
  maxSeconds?: number;
  /** A silence at least this long between words starts a new cue (default 0.6 s). */
  pauseSeconds?: number;
  /** Times (s) a cue must not span, e.g. scene cuts: captions change with the picture. */
  breaks?: number[];
}

/** Splits words into lines of at most `maxChars`, balancing a two-line cue (a long word gets its own line). */
function layoutLines(words: string[], maxChars: number, maxLines: number): string[] | null {
  const greedy: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && `${line} ${w}`.length > maxChars) {
      greedy.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) greedy.push(line);
  if (greedy.length > maxLines) return null;
  if (greedy.length !== 2) return greedy;
  // Two lines: choose the split with the shortest longer line (bottom-heavy on ties, as broadcasters do).
  let best = greedy;
  let bestLen = Math.max(...greedy.map((l) => l.length));
  for (let k = 1; k < words.length; k++) {
    const a = words.slice(0, k).join(' ');
    const b = words.slice(k).join(' ');
    const longer = Math.max(a.length, b.length);
    if (
      a.length <= maxChars &&
      b.length <= maxChars &&
      (longer < bestLen || (longer === bestLen && b.length >= a.length))
    ) {
      best = [a, b];
      bestLen = longer;
    }
  }
  return best;
}

/**
 * Groups timed words into readable cues: at most `maxLines` lines of `maxChars`, a new cue after a
 * sentence end, a pause, a scene cut (`breaks`) or `maxSeconds`, and at least `minSeconds` on screen.
 */
export function buildCues(words: readonly Word[], opts: CueOptions = {}): Cue[] {
  const maxChars = opts.maxChars ?? 32;
  const maxLines = opts.maxLines ?? 2;
  const minSeconds = opts.minSeconds ?? 0.8;
  const maxSeconds = opts.maxSeconds ?? 6;
  const pauseSeconds = opts.pauseSeconds ?? 0.6;
  const breaks = [...(opts.breaks ?? [])].sort((a, b) => a - b);
  const groups: Word[][] = [];
  let group: Word[] = [];
  const flush = () => {
    if (group.length) groups.push(group);
    group = [];
  };
  for (const raw of words) {
    const w = { ...raw, text: raw.text.trim().replace(/\s+/g, ' ') };
    if (!w.text) continue;
    const prev = group[group.length - 1];
    if (prev) {
      const cut = breaks.some((b) => prev.startSeconds < b && w.startSeconds >= b);
      const pause = w.startSeconds - prev.endSeconds >= pauseSeconds;
      const tooLong = w.endSeconds - (group[0] as Word).startSeconds > maxSeconds;
      const full = !layoutLines(
        [...group, w].map((x) => x.text),
        maxChars,
        maxLines,
      );
      if (cut || pause || tooLong || full) flush();
    }
    group.push(w);
    if (/[.!?…]["'”’)\]]*$/.test(w.text)) flush();
  }
  flush();
  const cues = groups.map((g) => ({
    startSeconds: (g[0] as Word).startSeconds,
    endSeconds: (g[g.length - 1] as Word).endSeconds,
    text: (
      layoutLines(
        g.map((w) => w.text),
        maxChars,
        maxLines,
      ) ?? g.map((w) => w.text)
    ).join('\n'),
  }));
  for (let i = 0; i < cues.length; i++) {
    const cue = cues[i] as Cue;
    const next = cues[i + 1];
    const wanted = Math.max(cue.endSeconds, cue.startSeconds + minSeconds);
    cue.endSeconds = round3(next ? Math.min(wanted, next.startSeconds) : wanted);
    cue.startSeconds = round3(cue.startSeconds);
  }
  return cues;
}

const round3 = (s: number): number => Math.round(s * 1000) / 1000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function clock(seconds: number, sep: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${pad(h)}:${pad(m)}:${pad(s)}${sep}${pad(ms % 1000, 3)}`;
}

/** Cue text without empty lines (an empty line ends a cue in SRT and WebVTT). */
const cueLines = (text: string): string =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');

/** SubRip: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a blank line between cues. */
export function toSrt(cues: readonly Cue[]): string {
  return cues
    .map(
      (c, i) =>
        `${i + 1}\n${clock(c.startSeconds, ',')} --> ${clock(c.endSeconds, ',')}\n${cueLines(c.text)}\n`,
    )
    .join('\n');
}

/** WebVTT: `&`, `<` and `>` are escaped (cue text is markup), and `-->` cannot appear in a cue. */
export function toVtt(cues: readonly Cue[]): string {
  // Escaping `>` also rules out `-->` inside a cue.
  const markup = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `WEBVTT\n\n${cues.map((c) => `${clock(c.startSeconds, '.')} --> ${clock(c.endSeconds, '.')}\n${markup(cueLines(c.text))}\n`).join('\n')}`;
}

/** Numpad placement of ASS: 1–3 bottom (left, centre, right), 4–6 middle, 7–9 top. */
export type AssAlignment = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

export interface AssStyle {
  /** The video size the script is laid out for (PlayResX/PlayResY): margins and sizes are in its pixels. */
  width: number;
  height: number;
  fontSize: number;
  /** Margins keep captions inside a platform's safe zone. */
  marginLeft: number;
  marginRight: number;
  /** Distance from the bottom edge for bottom alignments (1–3). */
  marginBottom: number;
  /** Distance from the top edge for top alignments (7–9); default `marginBottom`. */
  marginTop?: number;
  /** Default 2 (bottom centre). */
  alignment?: AssAlignment;
  /** Default `DejaVu Sans` (the font shipped with the media code; pass its folder as fontsdir). */
  fontName?: string;
  bold?: boolean;
  /** `#RRGGBB`, default white. */
  primaryColour?: string;
  /** Outline (or box) colour, default black. */
  outlineColour?: string;
  /** Outline width in pixels (default fontSize / 14, at least 2). */
  outline?: number;
  /** Shadow depth in pixels (default 1; 0 when boxed). */
  shadow?: number;
  /** An opaque box behind the text instead of an outline. */
  boxed?: boolean;
  /** Box opacity 0…1 (default 0.6). */
  boxOpacity?: number;
}

/** ASS time: `H:MM:SS.cc` (centiseconds). */
export const assTime = (s: number): string => {
  const cs = Math.max(0, Math.round(s * 100));
  return `${Math.floor(cs / 360000)}:${pad(Math.floor((cs % 360000) / 6000))}:${pad(Math.floor((cs % 6000) / 100))}.${pad(cs % 100)}`;
};

/**
 * Text for an ASS Dialogue line. libass has no escape for a backslash, so a word joiner (U+2060, not
 * rendered) follows each one to stop `\N`, `\n`, `\h` from acting; braces (override blocks) become
 * `\{` `\}`; line breaks become `\N`.
 */
export const escapeAssText = (t: string): string =>
  cueLines(t).replace(/\\/g, '\\\u2060').replace(/\{/g, '\\{').replace(/\}/g, '\\}').replace(/\n/g, '\\N');

/** An Advanced SubStation Alpha script (v4.00+) with one `Caption` style, ready for ffmpeg's `ass` filter. */
export function toAss(cues: readonly Cue[], style: AssStyle): string {
  const alignment = style.alignment ?? 2;
  const marginV = alignment >= 7 ? (style.marginTop ?? style.marginBottom) : style.marginBottom;
  const boxed = style.boxed ?? false;
  const outlineColour = assColor(style.outlineColour ?? '#000000', boxed ? (style.boxOpacity ?? 0.6) : 1);
  const outline = boxed
    ? Math.max(2, Math.round(style.fontSize / 5))
    : (style.outline ?? Math.max(2, Math.round(style.fontSize / 14)));
  const fields = [
    'Caption',
    style.fontName ?? 'DejaVu Sans',
    Math.round(style.fontSize),
    assColor(style.primaryColour ?? '#FFFFFF'),
    '&H000000FF',
    outlineColour,
    boxed ? outlineColour : '&H80000000',
    (style.bold ?? true) ? -1 : 0,
    0,
    0,
    0,
    100,
    100,
    0,
    0,
    boxed ? 3 : 1,
    outline,
    boxed ? 0 : (style.shadow ?? 1),
    alignment,
    Math.round(style.marginLeft),
    Math.round(style.marginRight),
    Math.round(marginV),
    1,
  ];
  return [
    '[Script Info]',
    'ScriptType: v4.00+',
    `PlayResX: ${Math.round(style.width)}`,
    `PlayResY: ${Math.round(style.height)}`,
    'WrapStyle: 0',
    'ScaledBorderAndShadow: yes',
    'YCbCr Matrix: TV.709',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    `Style: ${fields.join(',')}`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...cues.map(
      (c) =>
        `Dialogue: 0,${assTime(c.startSeconds)},${assTime(c.endSeconds)},Caption,,0,0,0,,${escapeAssText(c.text)}`,
    ),
    '',
  ].join('\n');
}

/** Start times of scenes 2..n, the points where captions must break. */
export function sceneStarts(scenes: readonly { duration_seconds: number }[]): number[] {
  const starts: number[] = [];
  let t = 0;
  for (const s of scenes.slice(0, -1)) {
    t += s.duration_seconds;
    starts.push(Math.round(t * 1000) / 1000);
  }
  return starts;
}
