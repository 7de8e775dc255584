import { z } from 'zod';
import { AspectRatio, Platform, SCRIPT_SECONDS, Timestamp, Uuid } from './common.js';

/** The seed's `campaign_package` (input to the Broadcaster). */
export const CampaignPackage = z.object({
  campaign_id: Uuid,
  variant_id: Uuid,
  master_video_url: z.string().min(1),
  script: z.object({
    voiceover_full_text: z.string(),
    scenes: z.array(z.record(z.string(), z.unknown())),
  }),
  metadata: z.object({
    variant_type: z.string(),
    target_platforms: z.array(Platform).min(1),
  }),
});
export type CampaignPackage = z.infer<typeof CampaignPackage>;

export const EngagementMetrics = z.object({
  views: z.number().int().min(0),
  likes: z.number().int().min(0),
  shares: z.number().int().min(0),
  comments: z.number().int().min(0),
});
export type EngagementMetrics = z.infer<typeof EngagementMetrics>;

export const PlatformPost = z.object({
  platform: Platform,
  formatted_video_url: z.string().min(1),
  post_id: z.string().min(1),
  caption: z.string(),
  hashtags: z.array(z.string()),
  metadata: z.object({
    aspect_ratio: AspectRatio,
    duration_seconds: z
      .number()
      .min(SCRIPT_SECONDS.min - 0.5)
      .max(SCRIPT_SECONDS.max + 0.5),
    thumbnail_url: z.string().min(1),
  }),
  publication_status: z.enum(['scheduled', 'published', 'failed']),
  published_at: Timestamp.optional(),
  engagement_metrics: EngagementMetrics,
});
export type PlatformPost = z.infer<typeof PlatformPost>;

/** The seed's `publication_package` (output of the Broadcaster). */
export const PublicationPackage = z.object({
  publication_id: Uuid,
  campaign_id: Uuid,
  variant_id: Uuid,
  platform_posts: z.array(PlatformPost).min(1),
  scheduled_posts: z.array(
    z.object({
      platform: z.string(),
      scheduled_time: Timestamp,
      status: z.enum(['pending', 'published', 'cancelled']),
    }),
  ),
  created_at: Timestamp,
});
export type PublicationPackage = z.infer<typeof PublicationPackage>;
