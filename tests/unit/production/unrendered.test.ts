import { describe, expect, it } from 'vitest';
import { renderJobIdFor } from '../../../lambdas/production/domain/render-attempts.js';
import {
  decideAfterCheck,
  MAX_QUALITY_REWORKS,
  NO_REWORK,
  Rework,
  type SceneCheck,
} from '../../../lambdas/production/domain/scene-rework.js';
import {
  ClipRef,
  sceneAttempts,
  shortReason,
  unrenderedScene,
} from '../../../lambdas/production/domain/unrendered.js';
import type { RenderJob, VideoModelName } from '../../../lambdas/shared/contracts/index.js';

const S1 = '00000000-0000-4000-8000-000000000001';
const S2 = '00000000-0000-4000-8000-000000000002';
const CAMPAIGN = '00000000-0000-4000-8000-0000000000c0';
const VARIANT = '00000000-0000-4000-8000-0000000000d0';
const EXEC = 'arn:aws:states:local:000000000000:execution:production:run-1';

function job(
  model: VideoModelName,
  attempt: number,
  over: Partial<RenderJob> & { execution?: string; round?: number; scene?: string } = {},
): RenderJob {
  const { execution = EXEC, round = 0, scene = S2, ...rest } = over;
  return {
    job_id: renderJobIdFor(execution, scene, model, round),
    campaign_id: CAMPAIGN,
    variant_id: VARIANT,
    scene_id: scene,
    model_name: model,
    provider: 'fal',
    status: 'failed',
    prompt: 'a cup',
    parameters: { attempt_index: attempt, rework_round: round },
    error_kind: 'refused',
    error_message: 'fal: body.prompt: The content was flagged by a content checker.',
    cost_usd: 0.6,
    list_price_usd: 0.6,
    attempt: 1,
    created_at: '2026-01-01T00:00:00.000Z',
    ...rest,
  };
}

describe('a scene of the render Map’s output', () => {
  it('is a rendered clip with its render job, or an unrendered scene with its model and round', () => {
    expect(ClipRef.parse({ scene_id: S1, job_id: 'job-1' })).toMatchObject({
      job_id: 'job-1',
      unrendered: false,
    });
    expect(ClipRef.parse({ scene_id: S2, unrendered: true, model: 'veo3', rework_round: 2 })).toMatchObject({
      job_id: '',
      unrendered: true,
      model: 'veo3',
      rework_round: 2,
    });
  });

  it('refuses a rendered clip without its render job, naming the field', () => {
    const result = ClipRef.safeParse({ scene_id: S1 });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['job_id']);
  });
});

describe('the attempts of an unrendered scene', () => {
  it('are the jobs of this execution, scene and round, in chain order', () => {
    const jobs = [
      job('kling_i2v', 2),
      job('veo31_fast', 0),
      job('veo3', 1),
      job('veo3', 1, { round: 1 }),
      job('veo3', 1, { execution: `${EXEC}-other` }),
      job('veo3', 1, { scene: S1 }),
    ];
    expect(sceneAttempts(jobs, EXEC, S2, 0).map((j) => j.model_name)).toEqual([
      'veo31_fast',
      'veo3',
      'kling_i2v',
    ]);
    expect(sceneAttempts(jobs, EXEC, S2, 1).map((j) => j.model_name)).toEqual(['veo3']);
  });

  it('say why, attempt by attempt: model, provider, kind and message', () => {
    const u = unrenderedScene([
      job('veo31_fast', 0),
      job('veo3', 1, { error_kind: 'timeout', error_message: 'no result after 2700 s' }),
      job('kling_i2v', 2, { status: 'submitting', error_kind: undefined, error_message: undefined }),
    ]);
    expect(u.reason).toBe(
      'no model could render it: veo31_fast (fal): refused: fal: body.prompt: The content was flagged by a content checker.; veo3 (fal): timeout: no result after 2700 s; kling_i2v (fal): no result (job submitting)',
    );
    expect(u.attempts).toEqual([
      {
        model: 'veo31_fast',
        provider: 'fal',
        status: 'failed',
        error_kind: 'refused',
        error_message: 'fal: body.prompt: The content was flagged by a content checker.',
      },
      {
        model: 'veo3',
        provider: 'fal',
        status: 'failed',
        error_kind: 'timeout',
        error_message: 'no result after 2700 s',
      },
      { model: 'kling_i2v', provider: 'fal', status: 'submitting' },
    ]);
  });

  it('cut a long provider message so the reason stays readable', () => {
    const u = unrenderedScene([job('veo3', 0, { error_message: `x${'y'.repeat(5000)}` })]);
    expect(u.attempts[0]?.error_message?.length).toBe(200);
    expect(u.reason.length).toBeLessThan(300);
  });

  it('say so when no attempt was recorded', () => {
    expect(unrenderedScene([]).reason).toBe(
      'no model could render it: no attempt was recorded (see its render jobs)',
    );
  });

  it('fit in a few words on the slate', () => {
    const refused = unrenderedScene([job('veo31_fast', 0), job('veo3', 1), job('kling_i2v', 2)]);
    expect(shortReason(refused)).toBe('refused by 3 models');
    const mixed = unrenderedScene([job('veo31_fast', 0), job('veo3', 1, { error_kind: 'provider_error' })]);
    expect(shortReason(mixed)).toBe('2 models failed');
    const late = unrenderedScene([job('veo3', 0, { error_kind: 'timeout' })]);
    expect(shortReason(late)).toBe('timed out at 1 model');
    expect(shortReason(unrenderedScene([]))).toBe('no model could render it');
  });
});

describe('the clip check with an unrendered scene', () => {
  const checks: SceneCheck[] = [
    { scene_id: S1, sequence: 1, job_id: 'job-1', issues: [] },
    {
      scene_id: S2,
      sequence: 2,
      job_id: '',
      issues: ['no model could render it: veo3 (fal): refused: flagged'],
      unrendered: true,
    },
  ];

  it('sends the scene back for a new run of its chain, reusing only clips that exist', () => {
    const d = decideAfterCheck(checks, NO_REWORK);
    expect(d).toMatchObject({ passed: false, rework_again: true });
    expect(d.rework).toEqual(
      Rework.parse({
        round: 2,
        quality_reworks: 1,
        clips: [{ scene_id: S1, job_id: 'job-1' }],
        scenes: [{ scene_id: S2, feedback: '' }],
      }),
    );
    // The rework itself is a valid Rework (no clip without a job).
    expect(Rework.safeParse(d.rework).success).toBe(true);
  });

  it(`after ${MAX_QUALITY_REWORKS} reworks goes on to a human with the scene marked unrendered and why`, () => {
    const spent = Rework.parse({
      round: 3,
      quality_reworks: MAX_QUALITY_REWORKS,
      scenes: [{ scene_id: S2 }],
    });
    const d = decideAfterCheck(checks, spent);
    expect(d).toMatchObject({ passed: false, rework_again: false });
    expect(d.issues).toEqual([checks[1]]);
  });
});
