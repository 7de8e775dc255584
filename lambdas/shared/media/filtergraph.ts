/**
 * Escaping for values placed inside an ffmpeg filtergraph string (`-filter_complex`, `-vf`, `-af`).
 *
 * A value is unescaped twice by ffmpeg: first by the filtergraph parser (which splits on `[ ] , ;` and
 * honours `\` and `'`), then by the filter's option parser (which splits on `:`). So the value is first
 * single-quoted for the option parser (a `'` inside becomes `'\''`), then every `\ ' [ ] , ;` of that
 * is backslash-escaped for the graph parser. Text for drawtext must also use `expansion=none`, or `%`
 * starts a function expansion.
 */
export function filterValue(value: string): string {
  const optionLevel = `'${value.replace(/'/g, "'\\''")}'`;
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/** Rounds to an even number ≥ 2 (yuv420p needs even sizes). */
export const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);

/** A number for an expression: fixed decimals without `-0` or exponent notation. */
export const num = (n: number, digits = 4): string => {
  const s = n.toFixed(digits).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
};

/** Builds `name=k1=v1:k2=v2` (values are used as given: quote them with {@link filterValue} if needed). */
export function filter(name: string, options: Record<string, string | number | undefined> = {}): string {
  const parts = Object.entries(options)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? num(v) : v}`);
  return parts.length ? `${name}=${parts.join(':')}` : name;
}
