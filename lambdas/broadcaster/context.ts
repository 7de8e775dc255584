import { z } from 'zod';
import { CampaignPackage } from '../shared/contracts/index.js';
import { workDocs } from '../shared/data/repositories.js';

export const StoredPackage = CampaignPackage.extend({ video_id: z.uuid(), script_id: z.uuid() });

export const Formatted = z.object({
  platform: z.enum(['instagram', 'tiktok', 'youtube', 'linkedin']),
  rendition_key: z.string(),
  thumbnail_key: z.string(),
  captions_key: z.string(),
  caption: z.string(),
  hashtags: z.array(z.string()),
  title: z.string().optional(),
  duration_seconds: z.number(),
  aspect_ratio: z.enum(['9:16', '16:9', '1:1']),
  /** AI-generated disclosure (TikTok `is_aigc`, YouTube `containsSyntheticMedia`): any scene was. */
  ai_generated: z.boolean().default(false),
  /** Which models made which seconds, one line (e.g. `0–4 s veo3.1 (fal); 4–8 s nova-reel (bedrock)`). */
  provenance_summary: z.string().default(''),
});

export const PlatformCopies = z.record(
  z.string(),
  z.object({ caption: z.string(), hashtags: z.array(z.string()), title: z.string().optional() }),
);

export const loadPackage = (campaignId: string, variantId: string) =>
  workDocs.get(campaignId, 'campaign_package', variantId, StoredPackage);
