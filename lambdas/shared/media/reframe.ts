import { availableParallelism } from 'node:os';
import { even } from './filtergraph.js';

/**
 * How a picture of another aspect fills a frame:
 * - `crop`: scaled to cover, centre cropped (full frame, loses the sides);
 * - `blurred-pad`: scaled to fit over a blurred, darkened copy of itself scaled to fill (nothing lost,
 *   no black bars);
 * - `auto`: crop when at least 80 % of the picture survives the crop, else blurred-pad.
 *
 * Why blurred-pad for 16:9 → 9:16 (Nova Reel's 1280×720 into the 1080×1920 master): a centre crop keeps
 * 32 % of the width — 405×720 source pixels blown up 2.7× (soft) and whatever the model put left or
 * right of centre (the product, a second person, on-screen text) is gone; the padded fit shows the whole
 * shot, downscaled (sharp), and the blur keeps the frame full and in the shot's own colours.
 */
export type ReframeMode = 'auto' | 'crop' | 'blurred-pad';

/** Share of the source picture a cover-crop into W×H keeps (1 = same aspect). */
export const cropKeeps = (w: number, h: number, W: number, H: number): number =>
  Math.min(w / h, W / H) / Math.max(w / h, W / H);

export const chooseReframe = (mode: ReframeMode, w: number, h: number, W: number, H: number) =>
  mode === 'auto' ? (cropKeeps(w, h, W, H) >= 0.8 ? 'crop' : 'blurred-pad') : mode;

/**
 * Filter chain(s) taking `[inLabel]` (w×h) to `[outLabel]` at exactly W×H, square pixels; `tail` is
 * appended to the final chain (e.g. `,ass=…`). Returns graph statements joined with `;`.
 */
export function reframeGraph(
  inLabel: string,
  outLabel: string,
  src: { width: number; height: number },
  W: number,
  H: number,
  mode: ReframeMode = 'auto',
  tail = '',
): string {
  const { width: w, height: h } = src;
  if (Math.abs(w / h - W / H) < 0.01)
    return `[${inLabel}]scale=${W}:${H}:flags=bicubic,setsar=1${tail}[${outLabel}]`;
  if (chooseReframe(mode, w, h, W, H) === 'crop')
    return `[${inLabel}]scale=${W}:${H}:force_original_aspect_ratio=increase:flags=bicubic,crop=${W}:${H},setsar=1${tail}[${outLabel}]`;
  const k = Math.min(W / w, H / h);
  const fw = Math.min(W, even(w * k));
  const fh = Math.min(H, even(h * k));
  // The blur runs at 1/8 size, so the background costs little.
  const sw = even(W / 8);
  const sh = even(H / 8);
  const bg = `${outLabel}_bg`;
  const fg = `${outLabel}_fg`;
  return [
    `[${inLabel}]split=2[${bg}0][${fg}0]`,
    `[${bg}0]scale=${sw}:${sh}:force_original_aspect_ratio=increase,crop=${sw}:${sh},boxblur=luma_radius=${Math.max(2, Math.round(Math.min(sw, sh) / 12))}:luma_power=2,eq=brightness=-0.08:saturation=1.15,scale=${W}:${H}:flags=bilinear,setsar=1[${bg}]`,
    `[${fg}0]scale=${fw}:${fh}:flags=bicubic,setsar=1[${fg}]`,
    `[${bg}][${fg}]overlay=x=${Math.round((W - fw) / 2)}:y=${Math.round((H - fh) / 2)}${tail}[${outLabel}]`,
  ].join(';');
}

/**
 * x264 threads for each encoder when `parallel` ffmpeg processes encode at once, so threads × processes
 * stays within the cores (oversubscribed x264 threads only add context switches and memory). Encoders
 * of one process count once: ffmpeg 4.1 feeds them in turn from its main thread.
 */
export const encoderThreads = (parallel = 1, cores = availableParallelism()): number =>
  Math.max(1, Math.floor(cores / Math.max(1, parallel)));
