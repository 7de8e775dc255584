/** Greedy word wrap: lines of at most `maxChars` (a longer single word gets a line of its own). */
export function wrapLines(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.trim().split(/\s+/)) {
    if (!word) continue;
    if (line && `${line} ${word}`.length > maxChars) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** {@link wrapLines} joined with `\n`. */
export const wrapText = (text: string, maxChars: number): string => wrapLines(text, maxChars).join('\n');

/**
 * A font size and wrapping for a text block that fits `maxWidth` × `maxLines` lines, starting from
 * `fontSize` and shrinking (down to `minFontSize`, then cutting to `maxLines` with an ellipsis). Character width is estimated for DejaVu Sans Bold
 * (≈ 0.64 em on average for mixed-case text), so it is a layout estimate, not a measurement.
 */
export function fitText(
  text: string,
  o: { maxWidth: number; fontSize: number; minFontSize: number; maxLines: number; charEm?: number },
): { fontSize: number; lines: string[] } {
  const em = o.charEm ?? 0.64;
  let size = Math.max(o.minFontSize, o.fontSize);
  for (;;) {
    const lines = wrapLines(text, Math.max(4, Math.floor(o.maxWidth / (size * em))));
    const widest = Math.max(0, ...lines.map((l) => l.length)) * size * em;
    if (lines.length <= o.maxLines && widest <= o.maxWidth) return { fontSize: Math.round(size), lines };
    if (size <= o.minFontSize) {
      // Still too long at the smallest size: keep the first lines and mark the cut.
      const kept = lines.slice(0, o.maxLines);
      if (lines.length > o.maxLines) kept[kept.length - 1] = `${kept[kept.length - 1]}…`;
      return { fontSize: Math.round(size), lines: kept };
    }
    size = Math.max(o.minFontSize, size * 0.9);
  }
}
