import { z } from 'zod';
import { HexColour, Timestamp, Uuid } from './common.js';

/** How a brand-bible section is used downstream; classified from its heading. */
export const GuidelineCategory = z.enum([
  'voice_tone',
  'visual_style',
  'color_palette',
  'restricted',
  'claims_policy',
  'audience',
  'general',
]);
export type GuidelineCategory = z.infer<typeof GuidelineCategory>;

export const GuidelineSection = z.object({
  category: GuidelineCategory,
  heading: z.string().min(1).max(200),
  content: z.string().min(1).max(20_000),
});
export type GuidelineSection = z.infer<typeof GuidelineSection>;

/** A brand bible in structured form (also accepted directly as JSON instead of Markdown). */
export const BrandProfile = z
  .object({
    brand_id: Uuid,
    name: z.string().trim().min(1).max(120),
    voice_tone: z.string().trim().min(1).max(2000),
    visual_style: z.string().trim().min(1).max(2000),
    color_palette: z.array(HexColour).min(1).max(12),
    restricted_keywords: z.array(z.string().trim().min(1).max(80)).max(500),
    claims_policy: z.string().max(4000).default(''),
    audience: z.string().max(4000).default(''),
    hashtags: z
      .array(z.string().regex(/^#?[\p{L}\p{N}_]+$/u))
      .max(30)
      .default([]),
    guidelines: z.array(GuidelineSection).min(1),
    created_at: Timestamp.optional(),
    updated_at: Timestamp.optional(),
  })
  .strict();
export type BrandProfile = z.infer<typeof BrandProfile>;
export type BrandProfileInput = z.input<typeof BrandProfile>;

/** One embedded chunk of a brand bible (the seed's `brand_guidelines` row). */
export const GuidelineChunk = z.object({
  chunk_id: z.string().min(1),
  brand_id: Uuid,
  category: GuidelineCategory,
  heading: z.string(),
  content: z.string(),
  embedding_model: z.string(),
});
export type GuidelineChunk = z.infer<typeof GuidelineChunk>;
