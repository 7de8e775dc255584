import { num } from './filtergraph.js';
import { probeMedia } from './probe.js';
import { SLATE_PROVIDER } from './slate.js';

/** Which model made which seconds of a video (the contract's `ProvenanceSegment`). */
export interface ProvenanceEntry {
  start_seconds: number;
  end_seconds: number;
  scene_id: string;
  model: string;
  provider: string;
  ai_generated: boolean;
}

/**
 * Providers that are not generative models: the offline procedural stand-in draws scenes with ffmpeg,
 * and a slate holds the seconds of a scene no model rendered.
 */
const NOT_GENERATIVE = new Set(['offline', SLATE_PROVIDER]);

export const isGenerativeProvider = (provider: string): boolean => !NOT_GENERATIVE.has(provider);

/**
 * Scenes laid end to end: each scene's seconds of the master, its model and provider. The last scene
 * runs to `totalSeconds` (it is held, or trimmed, to the master's length).
 */
export function buildProvenance(
  scenes: readonly { scene_id: string; seconds: number; model: string; provider: string }[],
  totalSeconds: number,
): ProvenanceEntry[] {
  let t = 0;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return scenes
    .map((s, i) => {
      const start = Math.min(t, totalSeconds);
      t += s.seconds;
      const end = i === scenes.length - 1 ? totalSeconds : Math.min(t, totalSeconds);
      return {
        start_seconds: round(start),
        end_seconds: round(end),
        scene_id: s.scene_id,
        model: s.model,
        provider: s.provider,
        ai_generated: isGenerativeProvider(s.provider),
      };
    })
    .filter((e) => e.end_seconds > e.start_seconds);
}

/** One line for people and post records: `0–4 s fal-ai/veo3.1/fast (fal, AI); 4–8 s procedural (offline)`. */
export const provenanceSummary = (entries: readonly ProvenanceEntry[]): string =>
  entries
    .map(
      (e) =>
        `${num(e.start_seconds, 2)}–${num(e.end_seconds, 2)} s ${e.model} (${e.provider}${e.ai_generated ? ', AI' : ''})`,
    )
    .join('; ');

export const anyAiGenerated = (entries: readonly ProvenanceEntry[]): boolean =>
  entries.some((e) => e.ai_generated);

/**
 * MP4 metadata: `ai_generated` (`true`/`false`), `comment` = JSON `{ ai_generated, provenance }` and
 * `description` = the one-line summary. Written with `use_metadata_tags`, read back by ffprobe.
 */
export const provenanceMetadata = (entries: readonly ProvenanceEntry[]): Record<string, string> => ({
  ai_generated: String(anyAiGenerated(entries)),
  comment: JSON.stringify({ ai_generated: anyAiGenerated(entries), provenance: entries }),
  description: provenanceSummary(entries),
});

/** The provenance written into a video by {@link provenanceMetadata}; undefined when it has none. */
export async function readProvenance(
  file: string,
): Promise<{ ai_generated: boolean; provenance: ProvenanceEntry[] } | undefined> {
  const { tags } = await probeMedia(file);
  if (!tags.comment) return undefined;
  try {
    const parsed = JSON.parse(tags.comment) as { ai_generated?: unknown; provenance?: unknown };
    if (typeof parsed.ai_generated !== 'boolean' || !Array.isArray(parsed.provenance)) return undefined;
    return { ai_generated: parsed.ai_generated, provenance: parsed.provenance as ProvenanceEntry[] };
  } catch {
    return undefined;
  }
}
