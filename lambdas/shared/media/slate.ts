import { ffColor, luminance, mix, parsePalette, type Rgb } from './color.js';
import { sceneClipOutputArgs } from './encoding.js';
import { even, filterValue, num } from './filtergraph.js';
import type { ProvenanceEntry } from './provenance.js';
import type { SceneRenderOptions } from './scene-renderer.js';
import { fitText } from './text.js';
import { fontPath, runFfmpeg } from './tools.js';

/**
 * The provider a slate's seconds are credited to in a master's provenance: not a model, nothing
 * generated and nothing charged. A rendition refuses a master that carries one (see {@link assertNoSlate}).
 */
export const SLATE_PROVIDER = 'slate';
export const SLATE_MODEL = 'slate';

/** A slate is drawn at the scene's size, rate, length and palette, and encoded like a procedural scene. */
export interface SlateOptions
  extends Pick<
    SceneRenderOptions,
    | 'outPath'
    | 'width'
    | 'height'
    | 'fps'
    | 'durationSeconds'
    | 'palette'
    | 'preset'
    | 'crf'
    | 'fontFile'
    | 'signal'
  > {
  /** Large: `Scene 2 not rendered`. */
  title: string;
  /** Smaller, under the title: the short reason. */
  detail?: string;
}

/**
 * A clearly marked stand-in for a scene no model could render: the brand's darkest colour, a thick
 * border in its brightest, the title and the reason centred. Encoded exactly like the procedural scenes
 * (H.264 yuv420p BT.709 with the shared x264 settings, round(duration × fps) frames, no audio), so a
 * master of such clips is still joined without re-encoding.
 */
export async function renderSlate(o: SlateOptions): Promise<{ outPath: string; frames: number }> {
  if (!(o.durationSeconds > 0) || !(o.fps > 0)) throw new Error('renderSlate: duration and fps must be > 0');
  const W = even(o.width);
  const H = even(o.height);
  const frames = Math.max(1, Math.round(o.durationSeconds * o.fps));
  const palette = parsePalette(o.palette).sort((a, b) => luminance(a) - luminance(b));
  const dark = palette[0] ?? { r: 40, g: 40, b: 44 };
  const bright = palette[palette.length - 1] ?? { r: 230, g: 230, b: 230 };
  // The background stays dark enough for white text whatever the palette.
  const bg: Rgb = luminance(dark) > 0.25 ? mix(dark, { r: 0, g: 0, b: 0 }, 0.6) : dark;
  const accent = luminance(bright) - luminance(bg) > 0.2 ? bright : { r: 255, g: 196, b: 0 };
  const short = Math.min(W, H);
  const border = Math.max(2, Math.round(short * 0.03));
  const font = o.fontFile ?? fontPath();
  const text = (
    s: string,
    size: number,
    y: number,
    lines: number,
    colour: string,
  ): { filters: string[]; bottom: number } => {
    const fit = fitText(s, {
      maxWidth: W * 0.8,
      fontSize: size,
      minFontSize: Math.max(8, size * 0.55),
      maxLines: lines,
    });
    const lineHeight = Math.round(fit.fontSize * 1.25);
    return {
      filters: fit.lines.map((line, i) =>
        [
          `drawtext=fontfile=${filterValue(font)}`,
          `text=${filterValue(line)}`,
          'expansion=none',
          `fontsize=${fit.fontSize}`,
          `fontcolor=${colour}`,
          `x=${filterValue('(w-text_w)/2')}`,
          `y=${Math.round(y + i * lineHeight)}`,
        ].join(':'),
      ),
      bottom: y + fit.lines.length * lineHeight,
    };
  };
  const title = text(o.title, short * 0.09, H * 0.36, 3, 'white');
  const detail = o.detail?.trim()
    ? text(o.detail, short * 0.05, title.bottom + short * 0.04, 4, ffColor(accent))
    : { filters: [], bottom: title.bottom };
  const graph = [
    `color=c=${ffColor(bg)}:s=${W}x${H}:r=${o.fps}:d=${num((frames + 1) / o.fps, 4)}`,
    // A thick border in the brand's brightest colour: the frame reads as a placeholder at a glance.
    `drawbox=x=0:y=0:w=iw:h=ih:color=${ffColor(accent)}:t=${border}`,
    ...title.filters,
    ...detail.filters,
    'format=yuv420p',
    'setsar=1',
  ].join(',');
  await runFfmpeg(
    ['-filter_complex', `${graph}[v]`, '-map', '[v]', ...sceneClipOutputArgs(frames, o.fps, o), o.outPath],
    { signal: o.signal },
  );
  return { outPath: o.outPath, frames };
}

/** A slate reached a publication path: refused, whatever asked for it. */
export class SlateInPublicationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlateInPublicationError';
  }
}

/** What of a provenance segment the slate checks read. */
type Segment = Pick<ProvenanceEntry, 'provider' | 'scene_id'>;

/** The segments of a provenance that are slates (scenes no model rendered). */
export const slateSegments = <T extends Pick<ProvenanceEntry, 'provider'>>(entries: readonly T[]): T[] =>
  entries.filter((e) => e.provider === SLATE_PROVIDER);

/**
 * Throws unless a video's provenance (as written into its MP4 `comment` tag, or given) is free of
 * slates: a master with an unrendered scene may be reviewed, never published.
 */
export function assertNoSlate(provenance: readonly Segment[] | undefined, what: string): void {
  const slates = slateSegments(provenance ?? []);
  if (slates.length)
    throw new SlateInPublicationError(
      `${what} carries a slate for scene(s) ${slates.map((s) => s.scene_id).join(', ')} that no model rendered; it cannot be published`,
    );
}

/** The provenance segments of an MP4 `comment` tag written by provenanceMetadata (none when absent or unreadable). */
export function provenanceOfTag(comment: string | undefined): Segment[] {
  if (!comment) return [];
  try {
    const parsed = JSON.parse(comment) as { provenance?: unknown };
    return Array.isArray(parsed.provenance) ? (parsed.provenance as Segment[]) : [];
  } catch {
    return [];
  }
}
