import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AssAlignment, type AssStyle, type Cue, toAss } from './captions.js';
import { h264Args, MP4_ARGS } from './encoding.js';
import { even, filterValue } from './filtergraph.js';
import { probeMedia } from './probe.js';
import { fontsDir, runFfmpeg } from './tools.js';

/** Pixels, from each edge, that a platform's UI may cover. */
export interface SafeZone {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** A safe zone at the platform's native frame size. */
export interface PlatformSafeZone extends SafeZone {
  width: number;
  height: number;
}

export type SafeZonePlatform = 'tiktok' | 'instagram' | 'youtube' | 'youtube_shorts' | 'linkedin';

/**
 * Where platform UI sits over the video, at native size (approximate; UIs change with app versions,
 * ads and experiments, so these are working margins, not guarantees):
 *
 * - tiktok (1080×1920): TikTok Creative Center / Ads Manager safe-zone overlays for 9:16 in-feed — tabs
 *   and search at the top (~130–160 px), caption, sound and CTA in the bottom ~20–25 %, the
 *   like/comment/share rail on the right (~120–180 px).
 * - instagram (Reels, 1080×1920): Meta's Reels safe-zone guidance — keep the top 14 % (~270 px), the
 *   bottom 35 % (~670 px) and 6 % (~65 px) on each side free of text and logos.
 * - youtube (16:9, 1920×1080): no UI over the picture while playing; the title-safe area of broadcast
 *   practice (EBU R 95 / SMPTE ST 2046-1: 5 % each side) plus room for the player's progress bar and
 *   controls at the bottom (~10 %).
 * - youtube_shorts (1080×1920): YouTube Shorts overlays — title, channel and subscribe at the bottom
 *   (~20 %), the action rail on the right (~150 px), search/menu at the top (~10 %).
 * - linkedin (1:1, 1080×1080): LinkedIn publishes no overlay spec; title-safe 5 % plus the player's
 *   control bar at the bottom (~10 %).
 */
export const PLATFORM_SAFE_ZONES: Record<SafeZonePlatform, PlatformSafeZone> = {
  tiktok: { width: 1080, height: 1920, top: 160, bottom: 440, left: 60, right: 160 },
  instagram: { width: 1080, height: 1920, top: 270, bottom: 670, left: 65, right: 65 },
  youtube: { width: 1920, height: 1080, top: 54, bottom: 108, left: 96, right: 96 },
  youtube_shorts: { width: 1080, height: 1920, top: 190, bottom: 400, left: 60, right: 150 },
  linkedin: { width: 1080, height: 1080, top: 54, bottom: 108, left: 54, right: 54 },
};

/** A native-size safe zone scaled to another frame size (each axis separately). */
export function scaleSafeZone(zone: PlatformSafeZone, width: number, height: number): SafeZone {
  const sx = width / zone.width;
  const sy = height / zone.height;
  return {
    top: Math.round(zone.top * sy),
    bottom: Math.round(zone.bottom * sy),
    left: Math.round(zone.left * sx),
    right: Math.round(zone.right * sx),
  };
}

/**
 * ASS margins that keep captions inside a safe zone: left/right margins are the zone's sides, the
 * vertical margin is the zone's bottom (bottom alignments) or top (top alignments), plus `padding`.
 */
export function safeZoneToAssMargins(
  zone: SafeZone,
  padding = 0,
): Pick<AssStyle, 'marginLeft' | 'marginRight' | 'marginBottom' | 'marginTop'> {
  return {
    marginLeft: Math.round(zone.left + padding),
    marginRight: Math.round(zone.right + padding),
    marginBottom: Math.round(zone.bottom + padding),
    marginTop: Math.round(zone.top + padding),
  };
}

/** A caption style for a frame: bottom centre inside the safe zone, font ≈ 5 % of the short side. */
export function captionStyleForSafeZone(
  width: number,
  height: number,
  zone: SafeZone | PlatformSafeZone,
  overrides: Partial<AssStyle> = {},
): AssStyle {
  const scaled = 'width' in zone ? scaleSafeZone(zone, width, height) : zone;
  const fontSize = overrides.fontSize ?? Math.round(Math.min(width, height) * 0.05);
  const alignment: AssAlignment = overrides.alignment ?? 2;
  return {
    width,
    height,
    fontSize,
    ...safeZoneToAssMargins(scaled, Math.round(fontSize * 0.3)),
    alignment,
    ...overrides,
  };
}

export interface RenditionOptions {
  masterPath: string;
  outPath: string;
  width: number;
  height: number;
  /** A ready ASS file to burn in (laid out for `width`×`height`). */
  assPath?: string;
  /** Or cues to burn in, placed inside `safeZone` (a native-size platform zone is scaled). */
  captions?: { cues: Cue[]; safeZone?: SafeZone | PlatformSafeZone; style?: Partial<AssStyle> };
  /** Ignored: captions always use the bundled fonts (see `fontsDir`). */
  fontFile?: string;
  preset?: string;
  crf?: number;
  signal?: AbortSignal;
}

export interface RenditionResult {
  outPath: string;
  width: number;
  height: number;
  /** `scaled`: same aspect as the master; `blurred-fill`: fitted over a blurred copy of itself. */
  fit: 'scaled' | 'blurred-fill';
}

/**
 * A platform rendition of the clean master at exactly `width`×`height`: if the aspect differs, the
 * picture is scaled to fit over a blurred, darkened copy of itself scaled to fill (no black bars; the
 * blur runs at 1/8 size, so it costs little); captions are burned inside the safe zone; audio is copied.
 */
export async function renderRendition(o: RenditionOptions): Promise<RenditionResult> {
  const W = even(o.width);
  const H = even(o.height);
  const info = await probeMedia(o.masterPath);
  if (!info.video) throw new Error(`renderRendition: ${o.masterPath} has no video stream`);
  const { width: mw, height: mh } = info.video;
  const sameAspect = Math.abs(mw / mh - W / H) < 0.01;
  const dir = await mkdtemp(path.join(tmpdir(), 'bie-rendition-'));
  try {
    let assPath = o.assPath;
    if (!assPath && o.captions?.cues.length) {
      assPath = path.join(dir, 'captions.ass');
      const zone = o.captions.safeZone ?? {
        top: 0,
        bottom: Math.round(H * 0.1),
        left: Math.round(W * 0.06),
        right: Math.round(W * 0.06),
      };
      await writeFile(assPath, toAss(o.captions.cues, captionStyleForSafeZone(W, H, zone, o.captions.style)));
    }
    const subs = assPath ? `,ass=filename=${filterValue(assPath)}:fontsdir=${filterValue(fontsDir())}` : '';
    let graph: string;
    if (sameAspect) {
      graph = `[0:v]scale=${W}:${H}:flags=bicubic,setsar=1${subs},format=yuv420p[v]`;
    } else {
      // Fit inside the frame, even sizes.
      const k = Math.min(W / mw, H / mh);
      const fw = Math.min(W, even(mw * k));
      const fh = Math.min(H, even(mh * k));
      const sw = even(W / 8);
      const sh = even(H / 8);
      graph = [
        '[0:v]split=2[bg][fg]',
        `[bg]scale=${sw}:${sh}:force_original_aspect_ratio=increase,crop=${sw}:${sh},boxblur=luma_radius=${Math.max(2, Math.round(Math.min(sw, sh) / 12))}:luma_power=2,eq=brightness=-0.08:saturation=1.15,scale=${W}:${H}:flags=bilinear,setsar=1[bgb]`,
        `[fg]scale=${fw}:${fh}:flags=bicubic,setsar=1[fgs]`,
        `[bgb][fgs]overlay=x=${Math.round((W - fw) / 2)}:y=${Math.round((H - fh) / 2)}${subs},format=yuv420p[v]`,
      ].join(';');
    }
    await runFfmpeg(
      [
        '-i',
        o.masterPath,
        '-filter_complex',
        graph,
        '-map',
        '[v]',
        '-map',
        '0:a?',
        ...h264Args({ preset: o.preset, crf: o.crf ?? 21 }),
        '-c:a',
        'copy',
        ...MP4_ARGS,
        o.outPath,
      ],
      { signal: o.signal },
    );
    return { outPath: o.outPath, width: W, height: H, fit: sameAspect ? 'scaled' : 'blurred-fill' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
