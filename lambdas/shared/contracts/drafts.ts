import { z } from 'zod';
import { VariantType } from './common.js';
import { HookType, VisualStyle } from './script.js';

/**
 * What a text model is asked to produce at each creative step (structured outputs). The domain
 * assembles contracts (CreativeBrief, Script) from these drafts plus facts it never leaves to a model
 * (ids, the brand palette and restricted terms, timings).
 */
export const BriefDraft = z.object({
  target_audience: z.object({
    demographics: z.object({ summary: z.string(), age_range: z.string(), locale: z.string() }),
    psychographics: z.array(z.string()).min(2),
    pain_points: z.array(z.string()).min(2),
  }),
  core_message: z.object({
    primary_hook: z.string().min(5),
    value_proposition: z.string().min(5),
    call_to_action: z.string().min(3),
  }),
  competitor_analysis: z.object({ common_patterns: z.array(z.string()), white_space: z.string() }),
  viral_patterns: z.array(z.string()).min(1),
  trending_audio: z.array(z.string()).min(1),
  // Structured outputs require every field: drafts have no optional fields.
  variant_suggestions: z
    .array(
      z.object({
        variant_type: VariantType,
        rationale: z.string().min(1),
        expected_audience_response: z.string(),
      }),
    )
    .min(1)
    .max(4),
});
export type BriefDraft = z.infer<typeof BriefDraft>;

export const HookDrafts = z.object({
  hooks: z.array(z.object({ text: z.string().min(3).max(200), hook_type: HookType })).min(1),
});
export type HookDrafts = z.infer<typeof HookDrafts>;

export const OutlineDraft = z.object({
  beats: z
    .array(
      z.object({
        sequence: z.number().int().min(1),
        duration_seconds: z.number().min(3).max(5),
        purpose: z.string(),
        beat: z.string(),
      }),
    )
    .min(3)
    .max(20),
});
export type OutlineDraft = z.infer<typeof OutlineDraft>;

export const SceneDraft = z.object({
  visual_prompt: z.string().min(40),
  voiceover_text: z.string().min(1).max(400),
  on_screen_text: z.string().max(80),
  camera_movement: z.string().min(1),
  lighting: z.string().min(1),
  style: VisualStyle,
  music_style: z.string().min(1),
  sfx: z.array(z.string()),
  voice_tone: z.string().min(1),
});
export type SceneDraft = z.infer<typeof SceneDraft>;

export const PlatformCopyDraft = z.object({
  caption: z.string().min(1),
  hashtags: z.array(z.string()),
  title: z.string().optional(),
});
export type PlatformCopyDraft = z.infer<typeof PlatformCopyDraft>;
