import { z } from 'zod';
import { ApprovalStatus, SCENE_SECONDS, SCRIPT_SECONDS, Score, Timestamp, Usd, Uuid } from './common.js';

/**
 * The router's targets (models.json `video_models`): the seed's four (Sora and Nano Banana are retired
 * but stay valid names for the jobs that used them) and the current models. Which provider renders a
 * model is configuration.
 */
export const VideoModelName = z.enum([
  'sora',
  'veo3',
  'seedream',
  'nano_b',
  'veo31_fast',
  'kling_i2v',
  'nova_reel',
  'luma_ray2',
  'gemini_veo31',
]);
export type VideoModelName = z.infer<typeof VideoModelName>;

/** `submitting`: the intent is recorded and the provider is being asked; no provider job id yet. */
export const RenderJobStatus = z.enum(['queued', 'submitting', 'processing', 'completed', 'failed']);
/** Why an attempt failed (ports `RenderFailureKind`): a reviewer reads it, the fallback chain acts on it. */
export const RenderFailureKind = z.enum([
  'provider_error',
  'refused',
  'timeout',
  'rate_limited',
  'invalid_request',
]);

/** One attempt of a scene's render chain that gave no clip, as its render job recorded it. */
export const FailedRenderAttempt = z.object({
  model: z.string().min(1),
  provider: z.string().min(1),
  status: RenderJobStatus,
  error_kind: RenderFailureKind.optional(),
  error_message: z.string().optional(),
});
export type FailedRenderAttempt = z.infer<typeof FailedRenderAttempt>;

/**
 * A scene no model of its chain could render, after its reworks: the master holds a marked slate for
 * its seconds, and the video cannot be approved until a reviewer sends the scene back with feedback.
 */
export const UnrenderedScene = z.object({
  /** What the reviewer reads: `no model could render it: <model> (<provider>): <kind>: <message>; …`. */
  reason: z.string().min(1),
  attempts: z.array(FailedRenderAttempt),
});
export type UnrenderedScene = z.infer<typeof UnrenderedScene>;

export const SceneClip = z.object({
  scene_id: Uuid,
  sequence: z.number().int().min(1),
  clip_url: z.string().min(1),
  duration_seconds: z.number().min(SCENE_SECONDS.min).max(SCENE_SECONDS.max),
  model_used: VideoModelName,
  provider: z.string().min(1),
  generation_job_id: z.string().min(1),
  cost_usd: Usd,
  cache_hit: z.boolean().optional(),
  /** Set when no model rendered the scene: `clip_url` is then a slate, never published (cost 0). */
  unrendered: UnrenderedScene.optional(),
});
export type SceneClip = z.infer<typeof SceneClip>;

export const AudioAssets = z.object({
  voiceover_url: z.string().min(1),
  background_music_url: z.string().min(1),
  sfx_urls: z.array(z.string()),
  synced_audio_url: z.string().min(1),
});
export type AudioAssets = z.infer<typeof AudioAssets>;

/** Which model made which seconds of a master (from the render job of each scene). */
export const ProvenanceSegment = z.object({
  start_seconds: z.number().min(0),
  end_seconds: z.number().min(0),
  scene_id: Uuid,
  /** The provider's model id (e.g. `fal-ai/veo3.1/fast`, `amazon.nova-reel-v1:1`). */
  model: z.string().min(1),
  provider: z.string().min(1),
  /** Made by a generative model (false for the offline procedural stand-in). */
  ai_generated: z.boolean(),
});
export type ProvenanceSegment = z.infer<typeof ProvenanceSegment>;

/** The seed's `video_assets`, plus ids, the clean (caption-free) master and caption files. */
export const VideoAssets = z.object({
  video_id: Uuid,
  script_id: Uuid,
  campaign_id: Uuid,
  variant_id: Uuid,
  master_mp4_url: z.string().min(1),
  clean_master_mp4_url: z.string().min(1),
  captions_url: z.string().min(1),
  master_duration_seconds: z
    .number()
    .min(SCRIPT_SECONDS.min - 0.5)
    .max(SCRIPT_SECONDS.max + 0.5),
  scene_clips: z.array(SceneClip).min(1),
  /** Scene by scene, in order; also written into the masters' MP4 metadata. */
  provenance: z.array(ProvenanceSegment).default([]),
  audio_assets: AudioAssets,
  metadata: z.object({
    generation_started_at: Timestamp,
    generation_completed_at: Timestamp,
    total_cost_usd: Usd,
    models_used: z.array(z.string()),
    quality_score: Score,
  }),
  approval_status: ApprovalStatus,
});
export type VideoAssets = z.infer<typeof VideoAssets>;

/** One scene render at a provider (the seed's `generation_jobs`), holding the task token to resume. */
export const RenderJob = z.object({
  job_id: z.string().min(1),
  campaign_id: Uuid,
  variant_id: Uuid,
  scene_id: Uuid,
  model_name: VideoModelName,
  provider: z.string().min(1),
  provider_job_id: z.string().optional(),
  status: RenderJobStatus,
  prompt: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  task_token: z.string().optional(),
  result_url: z.string().optional(),
  error_message: z.string().optional(),
  error_kind: RenderFailureKind.optional(),
  cost_usd: Usd,
  list_price_usd: Usd,
  attempt: z.number().int().min(1),
  started_at: Timestamp.optional(),
  completed_at: Timestamp.optional(),
  created_at: Timestamp,
});
export type RenderJob = z.infer<typeof RenderJob>;

/** The voice track of a script version: where each line sits and every word's time (for captions). */
export const VoicePlan = z.object({
  voiceover_key: z.string(),
  total_seconds: z.number(),
  words: z.array(z.object({ text: z.string(), start_seconds: z.number(), end_seconds: z.number() })),
  placements: z.array(
    z.object({
      sequence: z.number(),
      offset_seconds: z.number(),
      tempo: z.number(),
      placed_seconds: z.number(),
    }),
  ),
});
