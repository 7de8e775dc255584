import { z } from 'zod';
import { VideoModelName } from '../contracts/production.js';

/** Who renders a model: its adapter is chosen by this (lambdas/shared/providers/video.ts). */
export const VideoProviderName = z.enum(['fal', 'bedrock', 'gemini', 'openai']);
export type VideoProviderName = z.infer<typeof VideoProviderName>;

export const AspectRatio = z.enum(['9:16', '16:9', '1:1']);
export type AspectRatio = z.infer<typeof AspectRatio>;

const day = z.iso.date();

export const VideoCapabilities = z.object({
  aspect_ratios: z.array(AspectRatio).min(1),
  /** The lengths the provider accepts, ascending; a render asks for the shortest that covers the scene. */
  durations_seconds: z
    .array(z.number().int().positive())
    .min(1)
    .refine((d) => d.every((v, i) => i === 0 || v > (d[i - 1] as number)), 'must be ascending'),
  native_audio: z.boolean(),
  /** Accepts a start keyframe. */
  image_to_video: z.boolean(),
  /** Renders from the prompt alone; false: every render needs a keyframe first. */
  text_to_video: z.boolean(),
  max_resolution: z.enum(['540p', '720p', '1080p', '4k']),
});
export type VideoCapabilities = z.infer<typeof VideoCapabilities>;

export const VideoModelSpec = z
  .object({
    provider: VideoProviderName,
    provider_model: z.string().min(1),
    /** List price per second of output without audio (USD). */
    usd_per_second: z.number().nonnegative(),
    /** List price per second with native audio, where it differs. */
    usd_per_second_audio: z.number().nonnegative().optional(),
    capabilities: VideoCapabilities,
    /** The provider shut the model down on this day: never routed. */
    retired_on: day.optional(),
    successor: VideoModelName.optional(),
    strengths: z.string(),
  })
  .refine((m) => m.capabilities.image_to_video || m.capabilities.text_to_video, {
    message: 'a model renders from text, from a keyframe, or both',
  });
export type VideoModelSpec = z.infer<typeof VideoModelSpec>;

export const KeyframeModelSpec = z.object({
  provider: z.literal('fal'),
  provider_model: z.string().min(1),
  usd_per_image: z.number().nonnegative(),
  retired_on: day.optional(),
  successor: z.string().optional(),
});
export type KeyframeModelSpec = z.infer<typeof KeyframeModelSpec>;

const tiers = <S extends z.ZodType>(s: S) => z.object({ premium: s, standard: s, volume: s });
const modelList = z.array(VideoModelName).min(1);

/** The video part of models.json: every VideoModelName has exactly one entry, every rule names a model. */
export const VideoModelsConfig = z
  .object({
    video_models: z.record(VideoModelName, VideoModelSpec),
    keyframe_models: z.record(z.string().regex(/^[a-z0-9_]+$/), KeyframeModelSpec),
    keyframe_default: z.string(),
    routing: z.object({
      style: z.record(z.string(), VideoModelName),
      scene_type: z.record(z.string(), VideoModelName),
      default: VideoModelName,
      budget_tier_allowed: tiers(modelList),
      budget_tier_preferred: tiers(VideoModelName),
      /** Ordered: the models that take over a scene when its model fails, refuses or times out. */
      fallback_chains: tiers(modelList),
    }),
  })
  .refine((c) => c.keyframe_default in c.keyframe_models, {
    message: 'keyframe_default must name a keyframe model',
    path: ['keyframe_default'],
  })
  .refine((c) => !c.keyframe_models[c.keyframe_default]?.retired_on, {
    message: 'keyframe_default must not be retired',
    path: ['keyframe_default'],
  });
export type VideoModelsConfig = z.infer<typeof VideoModelsConfig>;

/** `$comment` keys document the JSON; they are not entries. */
export function withoutComments<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutComments) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !k.startsWith('$'))
        .map(([k, v]) => [k, withoutComments(v)]),
    ) as T;
  return value;
}

/** Parses the video section of models.json, naming the field that is wrong. */
export function parseVideoModels(raw: unknown): VideoModelsConfig {
  const parsed = VideoModelsConfig.safeParse(withoutComments(raw));
  if (!parsed.success)
    throw new Error(
      `models.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}
