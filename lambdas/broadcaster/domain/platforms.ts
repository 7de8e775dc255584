import type { AspectRatio, Platform } from '../../shared/contracts/index.js';

export interface PlatformSpec {
  aspect_ratio: AspectRatio;
  width: number;
  height: number;
  /** Characters of the post text, hashtags included where the platform counts them in the caption. */
  caption_max: number;
  hashtags_in_caption: boolean;
  hashtags_max: number;
  title_max?: number;
  tone: string;
  max_duration_seconds: number;
  /** Pixels at native size that platform UI covers; captions stay inside. */
  safe_zone: { top: number; bottom: number; left: number; right: number };
}

/**
 * Limits per platform (see the platform documentation: TikTok Content Posting API `title` ≤ 2,200;
 * Instagram Graph API caption ≤ 2,200 and ≤ 30 hashtags; YouTube Data API title ≤ 100, description
 * ≤ 5,000, more than 15 hashtags makes YouTube ignore them all; LinkedIn Posts API commentary ≤ 3,000).
 * Safe zones follow the platforms' creative guidance for 9:16 (bottom ~20 % and the right-hand action
 * rail are UI) and are approximate.
 */
export const PLATFORM_SPECS: Record<Platform, PlatformSpec> = {
  tiktok: {
    aspect_ratio: '9:16',
    width: 1080,
    height: 1920,
    caption_max: 2200,
    hashtags_in_caption: true,
    hashtags_max: 6,
    tone: 'casual',
    max_duration_seconds: 600,
    safe_zone: { top: 160, bottom: 420, left: 60, right: 180 },
  },
  instagram: {
    aspect_ratio: '9:16',
    width: 1080,
    height: 1920,
    caption_max: 2200,
    hashtags_in_caption: true,
    hashtags_max: 30,
    tone: 'warm',
    max_duration_seconds: 180,
    safe_zone: { top: 220, bottom: 440, left: 60, right: 150 },
  },
  youtube: {
    aspect_ratio: '16:9',
    width: 1920,
    height: 1080,
    caption_max: 5000,
    hashtags_in_caption: true,
    hashtags_max: 15,
    title_max: 100,
    tone: 'descriptive',
    max_duration_seconds: 43_200,
    safe_zone: { top: 60, bottom: 110, left: 150, right: 150 },
  },
  linkedin: {
    aspect_ratio: '1:1',
    width: 1080,
    height: 1080,
    caption_max: 3000,
    hashtags_in_caption: true,
    hashtags_max: 5,
    tone: 'professional',
    max_duration_seconds: 600,
    safe_zone: { top: 60, bottom: 110, left: 80, right: 80 },
  },
};
