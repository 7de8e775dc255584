import { z } from 'zod';
import { Uuid } from '../../shared/contracts/common.js';

/** A scene failing the clip check is rendered again at most this often, then a human reviews the video. */
export const MAX_QUALITY_REWORKS = 2;

/**
 * What the Production House re-renders in this execution: the scenes named (with feedback from a
 * reviewer, or none after a failed clip check); every other scene reuses its clip from `clips` (this
 * execution's earlier renders) or from the scene clips of `video_id` (the video a reviewer sent back).
 */
export const Rework = z.object({
  /** Job ids are stable per round: a reworked scene is a new job, never the one it replaces. */
  round: z.number().int().min(0).default(0),
  /** Clip-check reworks so far in this execution (at most {@link MAX_QUALITY_REWORKS}). */
  quality_reworks: z.number().int().min(0).default(0),
  video_id: z.string().default(''),
  clips: z.array(z.object({ scene_id: Uuid, job_id: z.string().min(1) })).default([]),
  scenes: z.array(z.object({ scene_id: Uuid, feedback: z.string().default('') })).default([]),
});
export type Rework = z.infer<typeof Rework>;
export const NO_REWORK: Rework = Rework.parse({});

/** One scene of the render plan (production.asl.json RenderScenes items). */
export interface PlannedScene {
  scene_id: string;
  sequence: number;
  model: string;
  cached: boolean;
  cached_job_id: string;
  rework_round: number;
  feedback: string;
}

/**
 * Applies a rework to a plan: named scenes render anew (not from the cache, feedback kept for their
 * prompt); the others reuse their earlier clip. A plan without a rework is returned as it was.
 */
export function applyRework<P extends Omit<PlannedScene, 'rework_round' | 'feedback'>>(
  plan: P[],
  rework: Rework,
  reusable: ReadonlyMap<string, string>,
): (P & Pick<PlannedScene, 'rework_round' | 'feedback'>)[] {
  if (!rework.scenes.length) return plan.map((p) => ({ ...p, rework_round: 0, feedback: '' }));
  const round = Math.max(1, rework.round);
  const named = new Map(rework.scenes.map((s) => [s.scene_id, s.feedback]));
  return plan.map((p) => {
    if (named.has(p.scene_id))
      return {
        ...p,
        cached: false,
        cached_job_id: '',
        rework_round: round,
        feedback: named.get(p.scene_id) ?? '',
      };
    const jobId = reusable.get(p.scene_id);
    return jobId
      ? { ...p, cached: true, cached_job_id: jobId, rework_round: 0, feedback: '' }
      : { ...p, rework_round: round, feedback: '' };
  });
}

/** The prompt of a scene a reviewer sent back: the scene's prompt, then what the reviewer asked for. */
export const promptWithFeedback = (prompt: string, feedback: string): string =>
  feedback.trim() ? `${prompt}\n\nRevision requested by the reviewer: ${feedback.trim()}` : prompt;

export interface SceneCheck {
  scene_id: string;
  sequence: number;
  /** Empty when the scene has no clip (`unrendered`). */
  job_id: string;
  issues: string[];
  /** Every model of the scene's chain failed: no clip (the issue says why). */
  unrendered?: boolean;
}

/**
 * The decision after the clip check: everything passed; or render the failing scenes again (this
 * execution's other clips reused); or, when a scene already failed {@link MAX_QUALITY_REWORKS} reworks,
 * go on to a video a human must review, with every issue named. A scene no model could render is a
 * failing scene like any other: its rework is a new run of its chain.
 */
export function decideAfterCheck(
  checks: SceneCheck[],
  rework: Rework,
): { passed: boolean; rework_again: boolean; rework: Rework; issues: SceneCheck[] } {
  const failing = checks.filter((c) => c.issues.length > 0);
  if (!failing.length) return { passed: true, rework_again: false, rework, issues: [] };
  if (rework.quality_reworks >= MAX_QUALITY_REWORKS)
    return { passed: false, rework_again: false, rework, issues: failing };
  return {
    passed: false,
    rework_again: true,
    rework: {
      round: Math.max(1, rework.round) + 1,
      quality_reworks: rework.quality_reworks + 1,
      video_id: '',
      // Only clips that exist are reused; an unrendered scene has none (and renders again anyway).
      clips: checks.filter((c) => c.job_id).map((c) => ({ scene_id: c.scene_id, job_id: c.job_id })),
      // A scene a reviewer sent back keeps the reviewer's words through its clip-check reworks.
      scenes: failing.map((c) => ({
        scene_id: c.scene_id,
        feedback: rework.scenes.find((s) => s.scene_id === c.scene_id)?.feedback ?? '',
      })),
    },
    issues: failing,
  };
}
