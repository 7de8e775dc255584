import { z } from 'zod';
import { Uuid } from '../../shared/contracts/common.js';
import {
  type FailedRenderAttempt,
  type RenderJob,
  type UnrenderedScene,
  VideoModelName,
} from '../../shared/contracts/index.js';
import { renderJobIdFor } from './render-attempts.js';

/**
 * One scene of the RenderScenes Map's output (production.asl.json): its clip's render job, or, when
 * every model of its chain failed (SceneUnrendered), no clip: the routed model and the rework round,
 * from which its attempts' render jobs are found again.
 */
export const ClipRef = z
  .object({
    scene_id: Uuid,
    job_id: z.string().default(''),
    unrendered: z.boolean().default(false),
    model: VideoModelName.optional(),
    rework_round: z.number().int().min(0).default(0),
  })
  .refine((c) => c.unrendered || c.job_id.length > 0, {
    path: ['job_id'],
    message: 'a rendered scene names the render job of its clip',
  });
export type ClipRef = z.infer<typeof ClipRef>;

/**
 * The attempts of one scene in one execution and rework round, in chain order: every job whose id is
 * that of an attempt (renderJobIdFor is stable per execution, scene, model and round).
 */
export function sceneAttempts(
  jobs: readonly RenderJob[],
  execution: string,
  sceneId: string,
  reworkRound: number,
): RenderJob[] {
  const ids = new Set(VideoModelName.options.map((m) => renderJobIdFor(execution, sceneId, m, reworkRound)));
  const index = (j: RenderJob) => Number(j.parameters.attempt_index ?? 0);
  return jobs.filter((j) => ids.has(j.job_id)).sort((a, b) => index(a) - index(b));
}

const KIND_WORDS: Record<NonNullable<FailedRenderAttempt['error_kind']>, string> = {
  refused: 'refused',
  provider_error: 'provider error',
  timeout: 'timed out',
  rate_limited: 'rate limited',
  invalid_request: 'invalid request',
};

/** Each attempt's message is cut to this: the reason is read in a mail, a CLI line and a slate. */
const MESSAGE_CHARS = 200;

const clean = (s: string | undefined, max: number): string => {
  const t = (s ?? '').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/**
 * Why a scene has no clip, from its attempts' render jobs: each attempt's model, provider, error kind
 * and message, in chain order. An attempt that never recorded an error (the task ended another way) says
 * what state its job was left in.
 */
export function unrenderedScene(attempts: readonly RenderJob[]): UnrenderedScene {
  const failed: FailedRenderAttempt[] = attempts.map((j) => ({
    model: j.model_name,
    provider: j.provider,
    status: j.status,
    ...(j.error_kind ? { error_kind: j.error_kind } : {}),
    ...(j.error_message ? { error_message: clean(j.error_message, MESSAGE_CHARS) } : {}),
  }));
  const parts = failed.map((a) => {
    const what = [a.error_kind, a.error_message].filter(Boolean).join(': ') || `no result (job ${a.status})`;
    return `${a.model} (${a.provider}): ${what}`;
  });
  return {
    reason: `no model could render it: ${parts.length ? parts.join('; ') : 'no attempt was recorded (see its render jobs)'}`,
    attempts: failed,
  };
}

/** A few words for the slate: `refused by 3 models`, `2 models failed`. */
export function shortReason(u: UnrenderedScene): string {
  const n = u.attempts.length;
  if (!n) return 'no model could render it';
  const models = `${n} model${n === 1 ? '' : 's'}`;
  const kinds = [...new Set(u.attempts.map((a) => a.error_kind))];
  const only = kinds.length === 1 ? kinds[0] : undefined;
  if (only === 'refused') return `refused by ${models}`;
  if (only) return `${KIND_WORDS[only]} at ${models}`;
  return `${models} failed`;
}
