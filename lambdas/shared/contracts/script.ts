import { z } from 'zod';
import {
  ApprovalStatus,
  HexColour,
  SCENE_SECONDS,
  SCRIPT_SECONDS,
  Score,
  Timestamp,
  Uuid,
  VariantType,
} from './common.js';

export const HookType = z.enum(['question', 'statement', 'visual_shock', 'story']);
export type HookType = z.infer<typeof HookType>;
export const VisualStyle = z.enum(['hyper_realistic', 'abstract', 'cinematic']);
export type VisualStyle = z.infer<typeof VisualStyle>;

/** The four persuasion dimensions every hook variation is scored on. */
export const HookScores = z.object({
  curiosity_gap: Score,
  emotional_resonance: Score,
  pattern_interrupt: Score,
  shareability: Score,
});
export type HookScores = z.infer<typeof HookScores>;

/** One of the ≥ 50 generated hook variations (the seed's `hooks` row). */
export const HookVariation = z.object({
  hook_id: Uuid,
  variation_number: z.number().int().min(1),
  text: z.string().min(1).max(200),
  hook_type: HookType,
  scores: HookScores,
  quality_score: Score,
  selected: z.boolean(),
});
export type HookVariation = z.infer<typeof HookVariation>;

export const Hook = z.object({
  text: z.string().min(1).max(200),
  hook_type: HookType,
  quality_score: Score,
  variations_generated: z.number().int().min(1),
  selected_rationale: z.string().min(1),
});
export type Hook = z.infer<typeof Hook>;

/**
 * What a scene is for in the story: the campaign's `establishing` and `product` shots are the same
 * picture in every variant (so they are rendered once); `story` scenes are the variant's own. Derived
 * from the outline beat's purpose by the Copywriter (lambdas/copywriter/domain/shared-shots.ts), not
 * asked of the text model, so the models' structured-output schemas stay as they are.
 */
export const SceneRole = z.enum(['establishing', 'product', 'story']);
export type SceneRole = z.infer<typeof SceneRole>;

export const Scene = z.object({
  scene_id: Uuid,
  sequence: z.number().int().min(1),
  duration_seconds: z.number().min(SCENE_SECONDS.min).max(SCENE_SECONDS.max),
  visual_prompt: z.string().min(40, 'a visual prompt must be dense enough for a video model').max(2000),
  voiceover_text: z.string().min(1).max(400),
  on_screen_text: z.string().max(80).optional(),
  /** Absent on scripts written before roles existed: read as `story`. */
  role: SceneRole.optional(),
  visual_cues: z.object({
    style: VisualStyle,
    color_palette: z.array(HexColour).min(1),
    camera_movement: z.string().min(1),
    lighting: z.string().min(1),
  }),
  audio_cues: z.object({
    music_style: z.string().min(1),
    sfx: z.array(z.string()),
    voice_tone: z.string().min(1),
  }),
});
export type Scene = z.infer<typeof Scene>;

/** The seed's `script`, plus the ids and version the Copywriter keeps. */
export const Script = z
  .object({
    script_id: Uuid,
    brief_id: Uuid,
    campaign_id: Uuid,
    variant_id: Uuid,
    version: z.number().int().min(1),
    hook: Hook,
    top_hooks: z.array(z.object({ hook_id: Uuid, text: z.string(), quality_score: Score })).max(3),
    scenes: z.array(Scene).min(1).max(20),
    voiceover_full_text: z.string().min(1),
    total_duration_seconds: z.number().min(SCRIPT_SECONDS.min).max(SCRIPT_SECONDS.max),
    variant_tag: VariantType,
    brand_compliance_score: Score,
    compliance_breakdown: z.record(z.string(), Score).optional(),
    /** Why the compliance score is what it is: each finding names its check, rule and words. */
    compliance_findings: z.array(z.string()).optional(),
    feedback_applied: z.string().optional(),
    generated_at: Timestamp,
    approval_status: ApprovalStatus,
  })
  .superRefine((s, ctx) => {
    const sum = s.scenes.reduce((t, sc) => t + sc.duration_seconds, 0);
    if (Math.abs(sum - s.total_duration_seconds) > 0.01) {
      ctx.addIssue({
        code: 'custom',
        path: ['total_duration_seconds'],
        message: `must equal the sum of scene durations (${sum})`,
      });
    }
    s.scenes.forEach((sc, i) => {
      if (sc.sequence !== i + 1) {
        ctx.addIssue({ code: 'custom', path: ['scenes', i, 'sequence'], message: `must be ${i + 1}` });
      }
    });
  });
export type Script = z.infer<typeof Script>;
