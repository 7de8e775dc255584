import { z } from 'zod';
import {
  HOOK_QUALITY_THRESHOLD,
  HOOK_VARIATIONS,
  type HookDrafts,
  type HookScores,
  HookType,
  type HookVariation,
} from '../../shared/contracts/index.js';
import { stableUuid } from '../../shared/ids.js';
import { findRestrictedTerms } from './compliance.js';

const EMOTION =
  /\b(love|deserve|moment|quiet|calm|kind|warm|heart|feel|story|friend|home|morning|ritual|patience|smile|joy|pause)\w*/gi;
// Sensory and visual words of any category (no product vocabulary: the scorer is brand-agnostic).
const SENSORY =
  /\b(look|watch|see|seen|hear|sound|feel|touch|texture|detail|close[- ]up|colou?r|light|shine|glow|bright|sharp|crisp|burst|snap|click|spin|frames?|seconds?|split[- ]second)\w*/gi;
const CONTRAST =
  /\b(but|instead|never|without|stop|wait|not|no|only|secret|finally|actually|really|surprising)\b/gi;
const SHARE = /\b(you|your|everyone|friends?|tag|we|us|together)\b/gi;
const count = (re: RegExp, s: string) => s.match(re)?.length ?? 0;
const clamp = (n: number) => Math.max(0, Math.min(1, n));

/**
 * Hook scoring heuristic (0–1 each):
 * - curiosity gap: questions, open loops ("secret", "why", "what if", "wait"), numbers, a story set-up;
 * - emotional resonance: emotion and ritual words, second person;
 * - pattern interrupt: imperative openers ("Stop", "Watch", "Wait"), sensory/visual verbs, contrast words;
 * - shareability: second person / group words, length in the 6–14 word sweet spot, trend overlap.
 * quality = 0.3 curiosity + 0.25 emotion + 0.25 interrupt + 0.2 shareability.
 */
export function scoreHook(
  text: string,
  type: HookType,
  trendWords: string[] = [],
): { scores: HookScores; quality: number } {
  const words = text.split(/\s+/).length;
  const lower = text.toLowerCase();
  const sweet = words >= 6 && words <= 14 ? 1 : words < 6 ? 0.6 : Math.max(0.2, 1 - (words - 14) * 0.08);
  const curiosity = clamp(
    0.3 +
      (text.includes('?') ? 0.3 : 0) +
      (/(what if|why|secret|wait|nobody|never|how)/i.test(text) ? 0.2 : 0) +
      (/\d/.test(text) ? 0.1 : 0) +
      (type === 'story' ? 0.15 : 0),
  );
  const emotion = clamp(
    0.3 + 0.15 * count(EMOTION, text) + (/\byou/i.test(text) ? 0.15 : 0) + (type === 'story' ? 0.1 : 0),
  );
  const interrupt = clamp(
    0.25 +
      (/^(stop|watch|wait|look|breaking|behold)/i.test(text) ? 0.3 : 0) +
      0.1 * count(SENSORY, text) +
      0.08 * count(CONTRAST, text) +
      (type === 'visual_shock' ? 0.2 : 0),
  );
  const trend = trendWords.some((w) => w.length > 4 && lower.includes(w)) ? 0.15 : 0;
  const share = clamp(0.2 + 0.1 * count(SHARE, text) + 0.35 * sweet + trend);
  const scores = {
    curiosity_gap: round(curiosity),
    emotional_resonance: round(emotion),
    pattern_interrupt: round(interrupt),
    shareability: round(share),
  };
  const quality = round(0.3 * curiosity + 0.25 * emotion + 0.25 * interrupt + 0.2 * share);
  return { scores, quality };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** The hook set a GenerateHooks run keeps (work document `hookset`): the selection, the top 3 and the gate. */
export const HookSet = z.object({
  hook_set_id: z.string(),
  selected: z.object({
    hook_id: z.string(),
    text: z.string(),
    hook_type: HookType,
    quality_score: z.number(),
  }),
  top: z.array(
    z.object({
      hook_id: z.string(),
      text: z.string(),
      quality_score: z.number(),
      hook_type: HookType.optional(),
    }),
  ),
  rationale: z.string(),
  count: z.number().int(),
  /** The hook quality gate after the regenerations: below it the hooks go to human review. */
  gate: z
    .object({ passed: z.boolean(), threshold: z.number(), rounds: z.number().int(), reason: z.string() })
    .optional(),
});
export type HookSet = z.infer<typeof HookSet>;

/** The hooks result of the state machine: with `review` when the hook gate sent the set to a reviewer. */
export const HooksState = z
  .object({ review: z.object({ chosen_hook_id: z.string().optional() }).optional() })
  .default({});

/** The gate verdict in words the reviewer reads. */
export function hookGate(best: number, rounds: number, count: number): NonNullable<HookSet['gate']> {
  const passed = best >= HOOK_QUALITY_THRESHOLD;
  return {
    passed,
    threshold: HOOK_QUALITY_THRESHOLD,
    rounds,
    reason: passed
      ? `the best of ${count} hooks scored ${best}, at or above the ${HOOK_QUALITY_THRESHOLD} gate`
      : `the best of ${count} hooks scored ${best} after ${rounds} generation rounds, below the ${HOOK_QUALITY_THRESHOLD} quality gate`,
  };
}

/**
 * The hook the script uses: the reviewer's choice when the hook review named one (it must be one of the
 * top hooks offered), else the selected one.
 */
export function resolveHook(set: HookSet, chosenHookId?: string): HookSet['selected'] {
  if (!chosenHookId || chosenHookId === set.selected.hook_id) return set.selected;
  const chosen = set.top.find((h) => h.hook_id === chosenHookId);
  if (!chosen) throw new Error(`hook ${chosenHookId} is not one of the top hooks of set ${set.hook_set_id}`);
  return { ...chosen, hook_type: chosen.hook_type ?? set.selected.hook_type };
}

export interface RankedHooks {
  variations: HookVariation[];
  top: HookVariation[];
  selected: HookVariation;
  rationale: string;
  discarded: number;
}

/**
 * Scores and ranks drafted hooks. Drafts containing a restricted term are discarded before ranking;
 * the caller asks for more until at least `min` remain.
 */
export function rankHooks(
  drafts: HookDrafts['hooks'],
  opts: { hookSetId: string; restricted: string[]; trendWords: string[]; min?: number },
): RankedHooks {
  const clean = drafts.filter((h) => findRestrictedTerms(h.text, opts.restricted).length === 0);
  const min = opts.min ?? HOOK_VARIATIONS;
  if (clean.length < min) throw new Error(`only ${clean.length} compliant hook variations, ${min} needed`);
  const scored = clean.map((h, i) => ({ h, i, ...scoreHook(h.text, h.hook_type, opts.trendWords) }));
  const order = [...scored].sort((a, b) => b.quality - a.quality || a.i - b.i);
  const topIdx = new Set(order.slice(0, 3).map((s) => s.i));
  const best = order[0];
  const variations: HookVariation[] = scored.map((s) => ({
    hook_id: stableUuid('hook', opts.hookSetId, s.i),
    variation_number: s.i + 1,
    text: s.h.text,
    hook_type: s.h.hook_type,
    scores: s.scores,
    quality_score: s.quality,
    selected: s.i === best?.i,
  }));
  const top = order.slice(0, 3).map((s) => variations[s.i] as HookVariation);
  const selected = top[0] as HookVariation;
  const dims = Object.entries(selected.scores).sort((a, b) => b[1] - a[1]);
  return {
    variations,
    top,
    selected,
    rationale: `Highest quality of ${variations.length} (${selected.quality_score}); strongest on ${dims[0]?.[0]?.replace('_', ' ')} and ${dims[1]?.[0]?.replace('_', ' ')}. Top 3 kept for review.`,
    discarded: drafts.length - clean.length + (topIdx.size ? 0 : 0),
  };
}

/**
 * The hook set of a script rewrite the reviewer asked for around one of the script's top hooks: that
 * hook is the selection (no new generation, nothing charged), the other choices follow it.
 */
export function pinnedHookSet(
  hookSetId: string,
  chosen: { hook_id: string; text: string; quality_score: number },
  others: { hook_id: string; text: string; quality_score: number }[],
): HookSet {
  const hookType = chosen.text.trim().endsWith('?') ? 'question' : 'statement';
  return {
    hook_set_id: hookSetId,
    selected: { ...chosen, hook_type: hookType },
    top: [chosen, ...others.filter((h) => h.hook_id !== chosen.hook_id)],
    rationale: 'chosen by the reviewer at the script review',
    count: others.length,
    gate: {
      passed: true,
      threshold: HOOK_QUALITY_THRESHOLD,
      rounds: 0,
      reason: 'the reviewer chose this hook at the script review',
    },
  };
}
