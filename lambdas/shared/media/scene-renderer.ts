import { seededRandom } from '../ids.js';
import { ffColor, luminance, mix, parsePalette, type Rgb, scaleRgb, toYuv709 } from './color.js';
import { sceneClipOutputArgs } from './encoding.js';
import { even, filterValue, num } from './filtergraph.js';
import { fitText } from './text.js';
import { fontPath, runFfmpeg } from './tools.js';

export { wrapText } from './text.js';

export type SceneStyle = 'hyper_realistic' | 'abstract' | 'cinematic';

export interface SceneRenderOptions {
  outPath: string;
  width: number;
  height: number;
  fps: number;
  durationSeconds: number;
  /** Brand colours, `#RRGGBB`; invalid entries are skipped, an empty palette gets a neutral one. */
  palette: string[];
  /** Free text: "slow dolly in", "whip pan left", "handheld", "locked-off"… see {@link parseCameraMovement}. */
  cameraMovement: string;
  /** Free text: "warm golden hour", "moody low-key"… see {@link parseLighting}. */
  lighting: string;
  style: SceneStyle;
  onScreenText?: string;
  seed: number;
  /** x264 preset (default `BIE_X264_PRESET` or `veryfast`). */
  preset?: string;
  crf?: number;
  fontFile?: string;
  signal?: AbortSignal;
}

export interface SceneRenderResult {
  outPath: string;
  frames: number;
  durationSeconds: number;
  motion: Motion;
  lighting: LightingLook;
}

export type Motion =
  | 'zoom_in'
  | 'zoom_out'
  | 'pan_left'
  | 'pan_right'
  | 'tilt_up'
  | 'tilt_down'
  | 'orbit'
  | 'handheld'
  | 'static';

/**
 * Reads free-text camera directions as one motion: dolly/push in → zoom in, pull out/back → zoom out,
 * pan/truck/track left|right, tilt/crane up|down, orbit/arc, handheld → shake, static/locked → none.
 * The first matching direction wins; anything unrecognised is static.
 */
export function parseCameraMovement(text: string): Motion {
  const t = text.toLowerCase();
  if (/\b(static|locked|lock-off|tripod|still frame|fixed)\b/.test(t)) return 'static';
  if (/\b(pull(ing|s)? (back|out|away)|zoom(ing|s)? out|dolly(ing)? (out|back)|reveal|widen)/.test(t))
    return 'zoom_out';
  if (
    /\b(push(ing|es)?[ -]in|dolly(ing)?( in|[ -]forward)?|zoom(ing|s)? in|close[sd]? in|crash zoom|punch in|creep|zoom\b)/.test(
      t,
    )
  )
    return 'zoom_in';
  if (/\b(orbit|arc(ing)?|circl|360|revolv|around)/.test(t)) return 'orbit';
  if (/\b(pan(ning|s)?|truck(ing)?|track(ing)?|slide|slider|whip)\b[^.]*\bleft\b/.test(t)) return 'pan_left';
  if (/\b(pan(ning|s)?|truck(ing)?|track(ing)?|slide|slider|whip)\b/.test(t)) return 'pan_right';
  if (/\b(tilt(ing|s)?|crane|pedestal|boom)\b[^.]*\bup\b|\b(rise|rising|ascend)/.test(t)) return 'tilt_up';
  if (/\b(tilt(ing|s)?|crane|pedestal|boom|descend(ing)?|drone)\b/.test(t)) return 'tilt_down';
  if (/\b(hand-?held|shaky|documentary|verite|vérité|run-and-gun|pov)\b/.test(t)) return 'handheld';
  return 'static';
}

/** "slow"/"gentle" moves less, "fast"/"whip"/"crash" more (0.6 … 1.6). */
export function parseCameraSpeed(text: string): number {
  const t = text.toLowerCase();
  if (/\b(whip|crash|fast|quick|rapid|snappy|energetic|dynamic)\b/.test(t)) return 1.6;
  if (/\b(slow(ly)?|gentle|gently|subtle|gradual|drift(ing)?|soft|creep(ing)?)\b/.test(t)) return 0.6;
  return 1;
}

export interface LightingLook {
  /** Multiplies the palette (0.7 dark … 1.2 bright). */
  exposure: number;
  /** −1 cool … +1 warm. */
  warmth: number;
  /** Around mid-grey (0.85 flat … 1.25 punchy). */
  contrast: number;
  /** Vignette angle in radians (0 none … π/3.5 heavy). */
  vignette: number;
  /** Strength of the moving light bloom (0 … 1). */
  glow: number;
}

/** Reads free-text lighting into exposure, colour temperature, contrast, vignette and bloom. */
export function parseLighting(text: string): LightingLook {
  const l = text.toLowerCase();
  const look: LightingLook = { exposure: 1, warmth: 0, contrast: 1, vignette: Math.PI / 7, glow: 0.45 };
  if (/\b(golden|warm|sunset|sunrise|tungsten|candle|amber|fire)/.test(l)) look.warmth += 0.7;
  if (/\b(cool|cold|blue|moon|overcast|winter|clinical|fluorescent|teal)/.test(l)) look.warmth -= 0.7;
  if (/\b(bright|high[- ]key|daylight|sunlit|sunny|airy|clean|white|studio)/.test(l)) {
    look.exposure += 0.15;
    look.vignette = Math.PI / 10;
  }
  if (/\b(night|moody|low[- ]key|dark|noir|shadow|dim)/.test(l)) {
    look.exposure -= 0.25;
    look.contrast += 0.15;
    look.vignette = Math.PI / 4;
  }
  if (/\b(dramatic|chiaroscuro|contrast|hard|rim|spotlight)/.test(l)) {
    look.contrast += 0.15;
    look.vignette = Math.max(look.vignette, Math.PI / 4.5);
    look.glow += 0.2;
  }
  if (/\b(soft|diffuse[d]?|flat|even|natural)/.test(l)) look.contrast -= 0.1;
  if (/\b(neon|glow|backlit|back-lit|bokeh|volumetric|haze|hazy)/.test(l)) look.glow += 0.35;
  look.warmth = Math.max(-1, Math.min(1, look.warmth));
  look.glow = Math.min(1, look.glow);
  return look;
}

const DEFAULT_PALETTE = ['#1B2A41', '#3E5C76', '#C8A27A', '#F4EDE4'];

const applyLook = (c: Rgb, look: LightingLook): Rgb => {
  const k = look.exposure;
  const warm = 22 * look.warmth;
  const contrast = (v: number) => 128 + (v - 128) * look.contrast;
  return scaleRgb({ r: contrast(c.r + warm), g: contrast(c.g + warm * 0.25), b: contrast(c.b - warm) }, k);
};

interface CameraField {
  from: number;
  to: number;
  /** Oscillations added on top: amplitude, frequency (Hz), phase (rad). */
  wobble?: { amp: number; hz: number; phase: number }[];
}

interface Camera {
  /** Window centre on the canvas (0…1), zoom (≥ 1: the window is 1/zoom of the canvas), roll (rad). */
  cx: CameraField;
  cy: CameraField;
  zoom: CameraField;
  roll: CameraField;
  /** How much the foreground shapes move against the camera (parallax), per unit of depth. */
  parallax: number;
}

const field = (from: number, to = from, wobble?: CameraField['wobble']): CameraField => ({
  from,
  to,
  wobble,
});

function cameraFor(motion: Motion, speed: number, rand: () => number): Camera {
  const s = Math.min(1.6, Math.max(0.4, speed));
  const ph = () => rand() * Math.PI * 2;
  switch (motion) {
    case 'zoom_in':
      return { cx: field(0.5), cy: field(0.5), zoom: field(1, 1 + 0.22 * s), roll: field(0), parallax: 0 };
    case 'zoom_out':
      return { cx: field(0.5), cy: field(0.5), zoom: field(1 + 0.22 * s, 1), roll: field(0), parallax: 0 };
    case 'pan_left':
    case 'pan_right': {
      const a = 0.065 * s * (motion === 'pan_left' ? -1 : 1);
      return {
        cx: field(0.5 - a, 0.5 + a),
        cy: field(0.5),
        zoom: field(1.18),
        roll: field(0),
        parallax: 0.8,
      };
    }
    case 'tilt_up':
    case 'tilt_down': {
      const a = 0.065 * s * (motion === 'tilt_up' ? -1 : 1);
      return {
        cx: field(0.5),
        cy: field(0.5 - a, 0.5 + a),
        zoom: field(1.18),
        roll: field(0),
        parallax: 0.8,
      };
    }
    case 'orbit':
      return {
        cx: field(0.5 - 0.045 * s, 0.5 + 0.045 * s),
        cy: field(0.5),
        zoom: field(1.16, 1.22),
        roll: field(-0.025 * s, 0.025 * s),
        parallax: 1.6,
      };
    case 'handheld':
      return {
        cx: field(0.5, 0.5, [
          { amp: 0.006 * s, hz: 0.9, phase: ph() },
          { amp: 0.0025 * s, hz: 2.3, phase: ph() },
        ]),
        cy: field(0.5, 0.5, [
          { amp: 0.004 * s, hz: 1.1, phase: ph() },
          { amp: 0.002 * s, hz: 2.9, phase: ph() },
        ]),
        zoom: field(1.07),
        roll: field(0, 0, [{ amp: 0.004 * s, hz: 0.7, phase: ph() }]),
        parallax: 0.3,
      };
    default:
      return { cx: field(0.5), cy: field(0.5), zoom: field(1), roll: field(0), parallax: 0 };
  }
}

const ease = (p: number): number => p * p * (3 - 2 * p);

/** The value of a camera field at progress p (0…1) and time t (s), as used to check the framing. */
function fieldAt(f: CameraField, p: number, t: number): number {
  const base = f.from + (f.to - f.from) * ease(p);
  return base + (f.wobble ?? []).reduce((v, w) => v + w.amp * Math.sin(2 * Math.PI * w.hz * t + w.phase), 0);
}

/** The same value as an ffmpeg expression in the variables named `p` and `t`. */
function fieldExpr(f: CameraField, p: string, t: string): string {
  let e = num(f.from, 5);
  if (f.to !== f.from) e += `+${num(f.to - f.from, 5)}*(${p})*(${p})*(3-2*(${p}))`;
  for (const w of f.wobble ?? [])
    e += `+${num(w.amp, 5)}*sin(${num(2 * Math.PI * w.hz, 5)}*(${t})+${num(w.phase, 4)})`;
  return e;
}

const CORNERS: [number, number][] = [
  [-1, -1],
  [1, -1],
  [-1, 1],
  [1, 1],
];

/** Raises the zoom until the camera window stays inside the canvas at every frame. */
function fitCamera(cam: Camera, frames: number, fps: number, aspect: number): Camera {
  let need = 1;
  for (let i = 0; i < frames; i += Math.max(1, Math.floor(frames / 60))) {
    const p = frames > 1 ? i / (frames - 1) : 0;
    const t = i / fps;
    const cx = fieldAt(cam.cx, p, t);
    const cy = fieldAt(cam.cy, p, t);
    const z = fieldAt(cam.zoom, p, t);
    const [c, s] = [Math.abs(Math.cos(fieldAt(cam.roll, p, t))), Math.abs(Math.sin(fieldAt(cam.roll, p, t)))];
    // Half extents of the rotated window as fractions of the canvas width / height (aspect = H / W).
    const ex = (0.5 * c + 0.5 * aspect * s) / z;
    const ey = ((0.5 * s) / aspect + 0.5 * c) / z;
    const rx = Math.min(cx, 1 - cx);
    const ry = Math.min(cy, 1 - cy);
    if (rx <= 0 || ry <= 0) continue;
    need = Math.max(need, ex / rx, ey / ry);
  }
  if (need <= 1.0001) return cam;
  const k = need * 1.01;
  return { ...cam, zoom: { ...cam.zoom, from: cam.zoom.from * k, to: cam.zoom.to * k } };
}

/** perspective= quad (source points sent to the output corners) following the camera; `on` = frame. */
function perspectiveFilter(cam: Camera, frames: number, fps: number): string {
  const p = `on/${Math.max(1, frames - 1)}`;
  const t = `on/${fps}`;
  const cx = fieldExpr(cam.cx, p, t);
  const cy = fieldExpr(cam.cy, p, t);
  const z = fieldExpr(cam.zoom, p, t);
  const r = fieldExpr(cam.roll, p, t);
  const rolls = cam.roll.from !== 0 || cam.roll.to !== 0 || (cam.roll.wobble?.length ?? 0) > 0;
  const pts = CORNERS.map(([sx, sy]) => {
    const hx = `${sx}*W/(2*(${z}))`;
    const hy = `${sy}*H/(2*(${z}))`;
    return rolls
      ? {
          x: `W*(${cx})+${hx}*cos(${r})-${hy}*sin(${r})`,
          y: `H*(${cy})+${hx}*sin(${r})+${hy}*cos(${r})`,
        }
      : { x: `W*(${cx})+${hx}`, y: `H*(${cy})+${hy}` };
  });
  const opts = pts.flatMap((pt, i) => [`x${i}=${filterValue(pt.x)}`, `y${i}=${filterValue(pt.y)}`]);
  return `perspective=${opts.join(':')}:interpolation=linear:sense=source:eval=frame`;
}

type ShapeKind = 'glow' | 'bokeh' | 'disc' | 'ring';

/** One-frame sprite of one colour with alpha (overlay repeats it): a glow, a bokeh disc, a disc or a ring. */
function sprite(kind: ShapeKind, size: number, c: Rgb, opacity: number): string {
  const { y, u, v } = toYuv709(c);
  const half = size / 2;
  const d = `hypot(X-${num(half, 2)},Y-${num(half, 2)})/${num(half, 2)}`;
  const a = Math.round(255 * opacity);
  const edge = (softPx: number) => num(half / Math.max(1, softPx), 3);
  const alpha = {
    glow: `${a}*exp(-3.2*pow(${d},2))*lt(${d},1)`,
    // Out-of-focus highlight: flat disc, slightly brighter rim, soft edge.
    bokeh: `${a}*clip((1-${d})*${edge(half * 0.12)},0,1)*(0.8+0.2*${d})`,
    disc: `${a}*clip((1-${d})*${edge(1.5)},0,1)`,
    ring: `${a}*clip(1-abs(${d}-0.82)*${edge(Math.max(1.5, half * 0.07))},0,1)`,
  }[kind];
  return `color=c=black:s=${size}x${size}:r=1:d=1,format=yuva444p,geq=lum=${y}:cb=${u}:cr=${v}:a=${filterValue(alpha)}`;
}

/** Size (fraction of the short side) and opacity range of each kind of shape. */
const SHAPE: Record<ShapeKind, { size: [number, number]; opacity: [number, number] }> = {
  glow: { size: [0.6, 0.9], opacity: [0.25, 0.4] },
  bokeh: { size: [0.1, 0.26], opacity: [0.2, 0.45] },
  disc: { size: [0.18, 0.45], opacity: [0.55, 0.85] },
  ring: { size: [0.25, 0.55], opacity: [0.5, 0.8] },
};

const shapeKinds = (style: SceneStyle): ShapeKind[] =>
  style === 'abstract'
    ? ['glow', 'disc', 'ring', 'disc', 'bokeh', 'ring', 'disc']
    : ['glow', 'bokeh', 'bokeh', 'bokeh', 'bokeh', 'bokeh'];

interface Layout {
  W: number;
  H: number;
  w: number;
  h: number;
  frames: number;
  fps: number;
  D: number;
}

/** Background field: a drifting two-colour gradient with a light bloom, computed on a tiny grid. */
function backgroundSource(
  L: Layout,
  c0: Rgb,
  c1: Rgb,
  bloom: Rgb,
  look: LightingLook,
  rand: () => number,
): string {
  const gw = Math.max(4, Math.round((16 * L.w) / Math.max(L.w, L.h)));
  const gh = Math.max(4, Math.round((16 * L.h) / Math.max(L.w, L.h)));
  const angle = rand() * Math.PI * 2;
  const [ca, sa] = [Math.cos(angle), Math.sin(angle)];
  const drift = `${num(0.12 + rand() * 0.1)}*sin(T*${num(0.35 + rand() * 0.4)}+${num(rand() * 6)})`;
  const m = `clip(0.5+(X/W-0.5)*${num(ca)}+(Y/H-0.5)*${num(sa)}+${drift},0,1)`;
  const gx = `(${num(0.3 + rand() * 0.4)}+${num(0.18)}*sin(T*${num(0.25 + rand() * 0.3)}+${num(rand() * 6)}))`;
  const gy = `(${num(0.25 + rand() * 0.35)}+${num(0.12)}*cos(T*${num(0.2 + rand() * 0.3)}+${num(rand() * 6)}))`;
  const g = `${num(0.2 + 0.45 * look.glow)}*exp(-(pow(X/W-${gx},2)+pow(Y/H-${gy},2))/0.09)`;
  const [a, b, k] = [toYuv709(c0), toYuv709(c1), toYuv709(bloom)];
  const plane = (p0: number, p1: number, p2: number) => `(${p0}+${p1 - p0}*${m})*(1-${g})+${p2}*${g}`;
  return [
    `color=c=black:s=${gw}x${gh}:r=${L.fps}:d=${num((L.frames + 1) / L.fps, 4)}`,
    'format=yuv444p',
    `geq=lum=${filterValue(plane(a.y, b.y, k.y))}:cb=${filterValue(plane(a.u, b.u, k.u))}:cr=${filterValue(plane(a.v, b.v, k.v))}`,
    `scale=${L.w}:${L.h}:flags=bicubic`,
  ].join(',');
}

/**
 * Renders a procedural stand-in for a generated clip, deterministic for a seed. The world is composed at
 * a third of the output size (it is all soft light, so nothing is lost) and then upscaled; text and
 * letterbox are drawn at full size:
 *
 * - background: a drifting gradient between the two darkest brand colours with a moving bloom;
 * - shapes: soft glows (abstract: also discs and rings) in the brighter brand colours, drifting;
 * - camera: a `perspective` quad per frame — zoom, pan, tilt, orbit (with roll and parallax), handheld
 *   shake — so motion is sub-pixel smooth (zoompan rounds to whole pixels and judders);
 * - lighting: exposure, warmth and contrast are applied to the palette itself, plus vignette and bloom;
 * - style: abstract (more shapes, hue cycling), cinematic (letterbox, heavier vignette),
 *   hyper_realistic (subtle temporal grain);
 * - on-screen text: DejaVu Sans Bold, centred lines fading and rising in.
 *
 * Output: H.264 yuv420p (BT.709-tagged), no audio, exactly round(duration × fps) frames.
 */
export async function renderScene(o: SceneRenderOptions): Promise<SceneRenderResult> {
  if (!(o.durationSeconds > 0) || !(o.fps > 0)) throw new Error('renderScene: duration and fps must be > 0');
  const rand = seededRandom(o.seed);
  const W = even(o.width);
  const H = even(o.height);
  const frames = Math.max(1, Math.round(o.durationSeconds * o.fps));
  const L: Layout = {
    W,
    H,
    w: even(Math.max(32, W / 3)),
    h: even(Math.max(32, H / 3)),
    frames,
    fps: o.fps,
    D: frames / o.fps,
  };
  const look = parseLighting(o.lighting);
  if (o.style === 'cinematic') {
    look.vignette = Math.max(look.vignette, Math.PI / 4.5);
    look.contrast += 0.08;
  }
  const parsed = parsePalette(o.palette);
  const base = parsed.length ? parsed : parsePalette(DEFAULT_PALETTE);
  const byLum = [...base].sort((a, b) => luminance(a) - luminance(b));
  const darkest = byLum[0] as Rgb;
  const second = byLum[1] ?? mix(darkest, { r: 255, g: 255, b: 255 }, 0.35);
  const brightest = byLum[byLum.length - 1] as Rgb;
  // Background from the dark end (kept dark enough for text); shapes from the bright end.
  const bg0 = applyLook(luminance(darkest) > 0.5 ? scaleRgb(darkest, 0.55) : darkest, look);
  const bg1 = applyLook(mix(darkest, second, luminance(second) > 0.5 ? 0.45 : 0.85), look);
  const bloom = applyLook(mix(brightest, { r: 255, g: 240, b: 220 }, 0.2), look);
  const accents = (byLum.length > 2 ? byLum.slice(1) : [second, brightest]).map((c) => applyLook(c, look));

  const motion = parseCameraMovement(o.cameraMovement);
  const camera = fitCamera(cameraFor(motion, parseCameraSpeed(o.cameraMovement), rand), frames, o.fps, H / W);

  const graph: string[] = [`${backgroundSource(L, bg0, bg1, bloom, look, rand)}[bg]`];
  let last = 'bg';
  const camDx = `(${fieldExpr(camera.cx, `t/${num(L.D)}`, 't')}-${num(camera.cx.from, 5)})`;
  const camDy = `(${fieldExpr(camera.cy, `t/${num(L.D)}`, 't')}-${num(camera.cy.from, 5)})`;
  const minSide = Math.min(L.w, L.h);
  const between = ([lo, hi]: [number, number]) => lo + rand() * (hi - lo);
  for (const [i, kind] of shapeKinds(o.style).entries()) {
    const size = even(minSide * between(SHAPE[kind].size));
    const colour = (kind === 'glow' ? bloom : accents[i % accents.length]) as Rgb;
    const opacity = between(SHAPE[kind].opacity);
    graph.push(`${sprite(kind, size, colour, opacity)}[s${i}]`);
    const x0 = rand() * L.w - size / 2;
    const y0 = rand() * L.h - size / 2;
    const speed = o.style === 'abstract' ? 1.8 : 1;
    const ax = L.w * (0.04 + rand() * 0.1);
    const ay = L.h * (0.03 + rand() * 0.08);
    const depth = 0.3 + rand() * 0.9;
    const par = camera.parallax * depth;
    const x = `${num(x0, 1)}+${num(ax, 1)}*sin(t*${num((0.25 + rand() * 0.5) * speed)}+${num(rand() * 6)})${par ? `-${num(par * L.w, 1)}*${camDx}` : ''}`;
    const y = `${num(y0, 1)}+${num(ay, 1)}*cos(t*${num((0.2 + rand() * 0.4) * speed)}+${num(rand() * 6)})${par ? `-${num(par * L.h, 1)}*${camDy}` : ''}`;
    graph.push(`[${last}][s${i}]overlay=x=${filterValue(x)}:y=${filterValue(y)}:format=yuv444[l${i}]`);
    last = `l${i}`;
  }

  const world: string[] = [];
  if (motion !== 'static') world.push(perspectiveFilter(camera, frames, o.fps));
  if (o.style === 'abstract')
    world.push(`hue=h=${filterValue(`${num(20 + rand() * 15)}*sin(t*${num(0.5 + rand() * 0.5)})`)}`);
  if (o.style === 'hyper_realistic') world.push('noise=c0s=5:c0f=t');
  world.push(`vignette=angle=${num(look.vignette)}`);
  world.push(`scale=${W}:${H}:flags=bicubic`, 'format=yuv420p', 'setsar=1');

  let top = 0;
  if (o.style === 'cinematic') {
    // 2.39:1 bars on landscape, proportionate thinner bars on square and vertical frames.
    const bar = W > H ? Math.max(0, Math.round((H - W / 2.39) / 2)) : Math.round(H * (W === H ? 0.08 : 0.07));
    if (bar > 0) {
      world.push(
        `drawbox=x=0:y=0:w=iw:h=${bar}:color=black:t=fill`,
        `drawbox=x=0:y=ih-${bar}:w=iw:h=${bar}:color=black:t=fill`,
      );
      top = bar;
    }
  }
  const text = o.onScreenText?.trim();
  if (text)
    world.push(
      ...textFilters(text, W, H, top, o.fontFile ?? fontPath(), luminance(bg1) > 0.45 ? darkest : null),
    );
  graph.push(`[${last}]${world.join(',')}[v]`);

  await runFfmpeg(
    ['-filter_complex', graph.join(';'), '-map', '[v]', ...sceneClipOutputArgs(frames, o.fps, o), o.outPath],
    { signal: o.signal },
  );
  return { outPath: o.outPath, frames, durationSeconds: L.D, motion, lighting: look };
}

/** Centred lines (drawtext has no per-line centring in ffmpeg 4.1), each fading and rising in. */
function textFilters(
  text: string,
  W: number,
  H: number,
  top: number,
  font: string,
  darkInk: Rgb | null,
): string[] {
  const minSide = Math.min(W, H);
  const portrait = H > W;
  const { fontSize, lines } = fitText(text, {
    maxWidth: W * (portrait ? 0.84 : 0.7),
    fontSize: minSide * 0.075,
    minFontSize: Math.max(10, minSide * 0.045),
    maxLines: 4,
  });
  const lineHeight = Math.round(fontSize * 1.22);
  const y0 = Math.max(top + H * 0.05, H * (portrait ? 0.2 : 0.14));
  const ink = darkInk ? ffColor(darkInk) : 'white';
  const shadow = darkInk ? 'white@0.35' : 'black@0.45';
  const rise = Math.round(fontSize * 0.5);
  return lines.map((line, i) => {
    const start = 0.15 + i * 0.12;
    const k = `clip((t-${num(start)})/0.45,0,1)`;
    return [
      `drawtext=fontfile=${filterValue(font)}`,
      `text=${filterValue(line)}`,
      'expansion=none',
      `fontsize=${fontSize}`,
      `fontcolor=${ink}`,
      `shadowcolor=${shadow}`,
      `shadowx=${Math.max(1, Math.round(fontSize / 24))}`,
      `shadowy=${Math.max(1, Math.round(fontSize / 18))}`,
      `borderw=${Math.max(1, Math.round(fontSize / 30))}`,
      `bordercolor=${darkInk ? 'white@0.25' : 'black@0.3'}`,
      `x=${filterValue('(w-text_w)/2')}`,
      `y=${filterValue(`${Math.round(y0 + i * lineHeight)}+${rise}*pow(1-${k},2)`)}`,
      `alpha=${filterValue(k)}`,
    ].join(':');
  });
}
