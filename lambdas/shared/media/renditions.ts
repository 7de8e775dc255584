import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type AssAlignment, type AssStyle, type Cue, toAss } from './captions.js';
import { h264Args, MP4_META_ARGS } from './encoding.js';
import { even, filterValue } from './filtergraph.js';
import { probeMedia } from './probe.js';
import { encoderThreads, reframeGraph } from './reframe.js';
import { assertNoSlate, provenanceOfTag } from './slate.js';
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

/** Renditions shared by every platform with the same frame (9:16 TikTok and Reels are one encode). */
export interface SharedRendition<P extends string> {
  key: string;
  width: number;
  height: number;
  platforms: P[];
  /** The union of the members' safe zones: captions placed inside it are inside every one of theirs. */
  zone: SafeZone;
}

/** Groups platforms by rendition size, in first-seen order; a group's safe zone is its members' union. */
export function shareRenditions<P extends string>(
  targets: readonly { platform: P; width: number; height: number; safeZone: SafeZone }[],
): SharedRendition<P>[] {
  const groups = new Map<string, SharedRendition<P>>();
  for (const t of targets) {
    const key = `${even(t.width)}x${even(t.height)}`;
    const g = groups.get(key);
    if (!g) {
      groups.set(key, {
        key,
        width: even(t.width),
        height: even(t.height),
        platforms: [t.platform],
        zone: { ...t.safeZone },
      });
      continue;
    }
    if (g.platforms.includes(t.platform)) continue;
    g.platforms.push(t.platform);
    for (const side of ['top', 'bottom', 'left', 'right'] as const)
      g.zone[side] = Math.max(g.zone[side], t.safeZone[side]);
  }
  return [...groups.values()];
}

/** One output of {@link renderRenditions}. */
export interface RenditionTarget {
  outPath: string;
  width: number;
  height: number;
  /** A ready ASS file to burn in (laid out for `width`×`height`). */
  assPath?: string;
}

/**
 * Every rendition of a master from one decode: the picture is split once per target, each branch is
 * fitted (same aspect: scaled; else over a blurred, darkened copy of itself, no black bars; the blur
 * runs at 1/8 size, so it costs little), its captions are burned in, and all are encoded in the same
 * ffmpeg run, each encoder with as many threads as cores; the audio is copied, so every rendition keeps
 * the master's measured loudness. The master's metadata (provenance) is carried over, plus `metadata`.
 */
export async function renderRenditions(o: {
  masterPath: string;
  targets: RenditionTarget[];
  metadata?: Record<string, string>;
  preset?: string;
  crf?: number;
  signal?: AbortSignal;
}): Promise<RenditionResult[]> {
  if (!o.targets.length) return [];
  const info = await probeMedia(o.masterPath);
  if (!info.video) throw new Error(`renderRenditions: ${o.masterPath} has no video stream`);
  // A master with a slate (a scene no model rendered) is for review only: it never becomes a post.
  assertNoSlate(
    [...provenanceOfTag(info.tags.comment), ...provenanceOfTag(o.metadata?.comment)],
    `renderRenditions: ${o.masterPath}`,
  );
  const src = info.video;
  const n = o.targets.length;
  const graph: string[] = n > 1 ? [`[0:v]split=${n}${o.targets.map((_, i) => `[s${i}]`).join('')}`] : [];
  const results: RenditionResult[] = [];
  o.targets.forEach((t, i) => {
    const W = even(t.width);
    const H = even(t.height);
    const subs = t.assPath
      ? `,ass=filename=${filterValue(t.assPath)}:fontsdir=${filterValue(fontsDir())}`
      : '';
    graph.push(
      reframeGraph(n > 1 ? `s${i}` : '0:v', `v${i}`, src, W, H, 'blurred-pad', `${subs},format=yuv420p`),
    );
    const sameAspect = Math.abs(src.width / src.height - W / H) < 0.01;
    results.push({ outPath: t.outPath, width: W, height: H, fit: sameAspect ? 'scaled' : 'blurred-fill' });
  });
  const meta = Object.entries(o.metadata ?? {}).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
  // One process: ffmpeg 4.1 feeds its encoders in turn from one thread, so each may use every core
  // (measured, three 1080p encodes on 2 cores: 1 thread each 16 s, x264's auto 1.5× cores 13 s, cores 10.3 s).
  const threads = String(encoderThreads(1));
  await runFfmpeg(
    [
      '-i',
      o.masterPath,
      '-filter_complex',
      graph.join(';'),
      ...o.targets.flatMap((t, i) => [
        '-map',
        `[v${i}]`,
        '-map',
        '0:a?',
        ...h264Args({ preset: o.preset, crf: o.crf ?? 21 }),
        '-threads',
        threads,
        '-c:a',
        'copy',
        ...meta,
        ...MP4_META_ARGS,
        t.outPath,
      ]),
    ],
    { signal: o.signal },
  );
  return results;
}

/**
 * A platform rendition of the clean master at exactly `width`×`height` (see {@link renderRenditions}):
 * captions from a ready ASS file or cues placed inside the safe zone.
 */
export async function renderRendition(o: RenditionOptions): Promise<RenditionResult> {
  const W = even(o.width);
  const H = even(o.height);
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
    const [result] = await renderRenditions({
      masterPath: o.masterPath,
      targets: [{ outPath: o.outPath, width: W, height: H, ...(assPath && { assPath }) }],
      preset: o.preset,
      crf: o.crf,
      signal: o.signal,
    });
    return result as RenditionResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
