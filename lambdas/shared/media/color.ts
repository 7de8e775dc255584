/** Colour helpers: brand palettes arrive as `#RRGGBB`; ffmpeg, libass and YUV sources want other forms. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

const clamp = (v: number, lo = 0, hi = 255): number => Math.min(hi, Math.max(lo, v));

/** Parses `#RRGGBB`, `RRGGBB`, `#RGB` (case-insensitive). Throws on anything else. */
export function parseHexColor(hex: string): Rgb {
  const m = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(hex.trim());
  if (!m?.[1]) throw new Error(`not a #RRGGBB colour: ${JSON.stringify(hex)}`);
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return {
    r: Number.parseInt(h.slice(0, 2), 16),
    g: Number.parseInt(h.slice(2, 4), 16),
    b: Number.parseInt(h.slice(4, 6), 16),
  };
}

/** Parses every valid colour of a palette, skipping invalid entries. */
export const parsePalette = (palette: readonly string[]): Rgb[] =>
  palette.flatMap((p) => {
    try {
      return [parseHexColor(p)];
    } catch {
      return [];
    }
  });

const hex2 = (v: number): string => Math.round(clamp(v)).toString(16).padStart(2, '0').toUpperCase();

export const toHex = (c: Rgb): string => `#${hex2(c.r)}${hex2(c.g)}${hex2(c.b)}`;

/** WCAG relative luminance, 0 (black) … 1 (white). */
export function luminance(c: Rgb): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

export const mix = (a: Rgb, b: Rgb, t: number): Rgb => ({
  r: a.r + (b.r - a.r) * t,
  g: a.g + (b.g - a.g) * t,
  b: a.b + (b.b - a.b) * t,
});

export const scaleRgb = (c: Rgb, k: number): Rgb => ({
  r: clamp(c.r * k),
  g: clamp(c.g * k),
  b: clamp(c.b * k),
});

/** Studio-range BT.709 Y'CbCr (what the encoded H.264 is tagged as). */
export function toYuv709(c: Rgb): { y: number; u: number; v: number } {
  const r = clamp(c.r) / 255;
  const g = clamp(c.g) / 255;
  const b = clamp(c.b) / 255;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return {
    y: Math.round(16 + 219 * y),
    u: Math.round(128 + 224 * ((b - y) / 1.8556)),
    v: Math.round(128 + 224 * ((r - y) / 1.5748)),
  };
}

/** ffmpeg colour syntax `0xRRGGBB[@alpha]`. */
export const ffColor = (c: Rgb | string, alpha?: number): string =>
  `0x${(typeof c === 'string' ? toHex(parseHexColor(c)) : toHex(c)).slice(1)}${alpha === undefined ? '' : `@${alpha.toFixed(2)}`}`;

/** libass colour `&HAABBGGRR` (AA = transparency: 00 opaque … FF invisible). */
export function assColor(c: Rgb | string, opacity = 1): string {
  const rgb = typeof c === 'string' ? parseHexColor(c) : c;
  return `&H${hex2(255 * (1 - clamp(opacity, 0, 1)))}${hex2(rgb.b)}${hex2(rgb.g)}${hex2(rgb.r)}`;
}
