/**
 * Fits each scene's spoken line inside its scene: the line starts a beat after the cut and is sped up
 * (never more than MAX_TEMPO) when it would run past the next cut. Word timings are moved onto the
 * master timeline with the same offset and tempo, so burned captions follow the voice.
 */
export const LEAD_IN_SECONDS = 0.15;
export const TAIL_SECONDS = 0.2;
export const MAX_TEMPO = 1.6;

export interface SpokenLine {
  duration_seconds: number;
  words: { text: string; start_seconds: number; end_seconds: number }[];
}

export interface LinePlacement {
  sequence: number;
  offset_seconds: number;
  tempo: number;
  /** Duration on the master timeline after the tempo change (may be cut at the scene end). */
  placed_seconds: number;
}

export interface VoiceoverPlan {
  placements: LinePlacement[];
  words: { text: string; start_seconds: number; end_seconds: number }[];
  total_seconds: number;
}

export function planVoiceover(
  scenes: { sequence: number; duration_seconds: number }[],
  lines: SpokenLine[],
): VoiceoverPlan {
  if (scenes.length !== lines.length)
    throw new Error(`${scenes.length} scenes but ${lines.length} spoken lines`);
  let cursor = 0;
  const placements: LinePlacement[] = [];
  const words: VoiceoverPlan['words'] = [];
  scenes.forEach((scene, i) => {
    const line = lines[i] as SpokenLine;
    const room = Math.max(0.5, scene.duration_seconds - LEAD_IN_SECONDS - TAIL_SECONDS);
    const tempo = Math.min(MAX_TEMPO, Math.max(1, line.duration_seconds / room));
    const offset = cursor + LEAD_IN_SECONDS;
    const sceneEnd = cursor + scene.duration_seconds;
    const placed = Math.min(line.duration_seconds / tempo, sceneEnd - offset);
    placements.push({
      sequence: scene.sequence,
      offset_seconds: round(offset),
      tempo: round(tempo),
      placed_seconds: round(placed),
    });
    for (const w of line.words) {
      const start = offset + w.start_seconds / tempo;
      if (start >= sceneEnd - 0.05) continue;
      words.push({
        text: w.text,
        start_seconds: round(start),
        end_seconds: round(Math.min(offset + w.end_seconds / tempo, sceneEnd)),
      });
    }
    cursor = sceneEnd;
  });
  return { placements, words, total_seconds: round(cursor) };
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
