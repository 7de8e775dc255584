import { readFile } from 'node:fs/promises';
import { ffColor, luminance, parsePalette, type Rgb } from './color.js';
import { even, filterValue, num } from './filtergraph.js';
import { probeMedia } from './probe.js';
import { fitText } from './text.js';
import { fontPath, runFfmpeg } from './tools.js';

export interface ThumbnailOptions {
  videoPath: string;
  /** Clamped into the video (a frame at or past the end does not exist). */
  atSeconds: number;
  /** JPEG. */
  outPath: string;
  width: number;
  height: number;
  /** Title set on a band across the lower middle of the frame. */
  title?: string;
  /** @deprecated a file holding the title; use `title`. */
  titleFile?: string;
  /** Brand colours: the darkest tints the band, the brightest draws its accent line. */
  palette?: string[];
  /** @deprecated band colour; use `palette`. */
  bandColour?: string;
  fontFile?: string;
  /** JPEG quality, 2 (best) … 31 (default 3). */
  quality?: number;
}

export interface ThumbnailResult {
  outPath: string;
  width: number;
  height: number;
  atSeconds: number;
}

/**
 * A JPEG still of the video at `atSeconds`, scaled to cover `width`×`height` (centre crop), with an
 * optional title band in the brand colours.
 */
export async function renderThumbnail(o: ThumbnailOptions): Promise<ThumbnailResult> {
  const W = even(o.width);
  const H = even(o.height);
  const info = await probeMedia(o.videoPath);
  if (!info.video) throw new Error(`renderThumbnail: ${o.videoPath} has no video stream`);
  const frame = 1 / (info.video.fps || 30);
  const at = Math.max(0, Math.min(o.atSeconds, info.durationSeconds - 2 * frame));
  const title = (o.title ?? (o.titleFile ? await readFile(o.titleFile, 'utf8') : ''))
    .trim()
    .replace(/\s+/g, ' ');
  const filters = [
    `scale=${W}:${H}:force_original_aspect_ratio=increase`,
    `crop=${W}:${H}`,
    'setsar=1',
    // JPEG is full-range BT.601; the automatic conversion honours the video's colour tags. (Explicit
    // in/out_color_matrix options on scale compress the range twice in ffmpeg 4.1: washed-out stills.)
    'format=yuvj420p',
  ];
  if (title) filters.push(...titleBand(title, W, H, o));
  await runFfmpeg([
    '-ss',
    num(at, 3),
    '-i',
    o.videoPath,
    '-frames:v',
    '1',
    '-an',
    '-vf',
    filters.join(','),
    '-q:v',
    String(Math.min(31, Math.max(2, Math.round(o.quality ?? 3)))),
    o.outPath,
  ]);
  return { outPath: o.outPath, width: W, height: H, atSeconds: at };
}

function titleBand(title: string, W: number, H: number, o: ThumbnailOptions): string[] {
  const palette = parsePalette([...(o.bandColour ? [o.bandColour] : []), ...(o.palette ?? [])]);
  const byLum = [...palette].sort((a, b) => luminance(a) - luminance(b));
  const band: Rgb = o.bandColour ? (palette[0] as Rgb) : (byLum[0] ?? { r: 0, g: 0, b: 0 });
  const accent = byLum.length > 1 ? byLum[byLum.length - 1] : undefined;
  const ink = luminance(band) > 0.45 ? 'black' : 'white';
  const minSide = Math.min(W, H);
  const { fontSize, lines } = fitText(title, {
    maxWidth: W * 0.86,
    fontSize: minSide * 0.08,
    minFontSize: Math.max(10, minSide * 0.045),
    maxLines: 3,
  });
  const lineHeight = Math.round(fontSize * 1.2);
  const padding = Math.round(fontSize * 0.6);
  const bandH = lines.length * lineHeight + 2 * padding;
  const bandY = Math.round(Math.min(H - bandH - H * 0.08, H * (H > W ? 0.62 : 0.6)));
  const out = [`drawbox=x=0:y=${bandY}:w=iw:h=${bandH}:color=${ffColor(band, 0.78)}:t=fill`];
  if (accent)
    out.push(
      `drawbox=x=${Math.round(W * 0.3)}:y=${bandY}:w=${Math.round(W * 0.4)}:h=${Math.max(2, Math.round(fontSize * 0.12))}:color=${ffColor(accent)}:t=fill`,
    );
  const font = o.fontFile ?? fontPath();
  lines.forEach((line, i) => {
    out.push(
      [
        `drawtext=fontfile=${filterValue(font)}`,
        `text=${filterValue(line)}`,
        'expansion=none',
        `fontsize=${fontSize}`,
        `fontcolor=${ink}`,
        `x=${filterValue('(w-text_w)/2')}`,
        `y=${bandY + padding + i * lineHeight}`,
      ].join(':'),
    );
  });
  return out;
}
