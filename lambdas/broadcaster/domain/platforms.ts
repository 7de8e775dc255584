import type { AspectRatio, Platform } from '../../shared/contracts/index.js';

/**
 * What each platform accepts and expects from one post: rendition size, text limits, hashtag rules,
 * tone, duration and where burned-in captions may go. Pure data; nothing here is read at runtime from
 * outside the repository.
 *
 * Sources (checked when this table was written; platforms change these, re-check before relying on them):
 * - [TT-API]  TikTok Content Posting API, Direct Post reference, `post_info.title`: "The video caption.
 *             Hashtags (#) and mentions (@) will be matched ... The maximum length is 2200 in UTF-16 runes."
 *             developers.tiktok.com/doc/content-posting-api-reference-direct-post
 * - [TT-DUR]  TikTok `creator_info/query` returns `max_video_post_duration_sec` per creator (repo reference
 *             shared/reference/providers.md §6); 10 min is the common API ceiling quoted by publishing
 *             aggregators (Blotato, Zernio, getlate media guidelines), 3 s the minimum.
 * - [IG-API]  Instagram Graph API, POST /{ig-user-id}/media `caption`: "Maximum 2200 characters, 30 hashtags,
 *             and 20 @ tags." developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
 * - [IG-5]    Instagram (@creators, Dec 2025): captions of Reels and posts are being limited to 5 hashtags.
 *             The API still documents 30, so 30 is the hard limit and 5 the most we ever emit.
 * - [IG-DUR]  Reels 3 s – 15 min, ≤ 300 MB, 9:16 recommended (providers.md §6, Instagram Reels).
 * - [YT-API]  YouTube Data API v3, videos resource: `snippet.title` "maximum length of 100 characters",
 *             `snippet.description` "maximum length of 5000 bytes", both "may contain all valid UTF-8
 *             characters except < and >". developers.google.com/youtube/v3/docs/videos
 * - [YT-HT]   YouTube Help, "Use hashtags for YouTube videos": a video with more than 15 hashtags has all of
 *             its hashtags ignored; the first 3 of the description are shown above the title.
 * - [YT-DUR]  YouTube Help: uploads up to 15 min, longer (≤ 12 h) only for verified accounts. Our 16:9
 *             rendition is never a Short (Shorts are square/vertical ≤ 3 min, providers.md §6).
 * - [LI-API]  LinkedIn Posts API `commentary`: 3,000 characters (LinkedIn composer limit; Ayrshare LinkedIn
 *             docs "The post field accepts up to 3,000 characters"). The real adapter must escape the
 *             Little Text Format reserved characters, which can lengthen the text.
 * - [LI-DUR]  LinkedIn video 3 s – 30 min, ≤ 500 MB, aspect 1:2.4 – 2.4:1 (providers.md §6, LinkedIn).
 * - [CONV]    Hashtag counts of 3–5 are the platforms' own advice (Instagram @creators, YouTube Help,
 *             LinkedIn Help "use a few relevant hashtags") and a house convention for TikTok, which
 *             documents no count limit: the caption length is the only bound there.
 * - [SAFE]    Safe zones: TikTok/Instagram creative guidance for 9:16 (right-hand action rail, bottom caption
 *             and username band ≈ 20–25 % of the height, top tabs); YouTube/LinkedIn keep clear of the player
 *             controls (≈ 10 % at the bottom) and a 5 % title-safe margin. Approximate by nature.
 */

/** How a platform counts the length of a text field. */
export type LengthUnit = 'utf16' | 'utf8_bytes';

export type ToneStyle = 'casual' | 'warm' | 'descriptive' | 'professional';

export interface TextLimit {
  /** The API field the text goes into. */
  field: string;
  max: number;
  unit: LengthUnit;
  /** Characters the platform refuses in this field. */
  forbidden_chars: string[];
  source: string;
}

export interface HashtagRules {
  /** Hashtags are part of the caption text, so they count toward its limit. */
  in_caption: boolean;
  /** The most we ever emit (never above `hard_limit`). */
  max: number;
  /** Above this the platform refuses the post or ignores every hashtag; undefined when none is documented. */
  hard_limit?: number;
  recommended: { min: number; max: number };
  placement: 'end_of_caption' | 'end_of_description';
  convention: string;
  source: string;
}

export interface PlatformSpec {
  platform: Platform;
  label: string;
  aspect_ratio: AspectRatio;
  /** Rendition size at native resolution (pixels). */
  width: number;
  height: number;
  /** The post text: TikTok/Instagram caption, YouTube description, LinkedIn commentary. */
  caption: TextLimit;
  /** A separate title field, where the platform has one. */
  title?: TextLimit;
  hashtags: HashtagRules;
  tone: { style: ToneStyle; rules: string[] };
  duration_seconds: { min: number; max: number; source: string };
  /**
   * Pixels at native size covered by platform UI; burned-in captions stay inside the remaining box.
   * Scale them with the rendition (format-rendition multiplies by the rendition scale).
   */
  safe_zone: { top: number; bottom: number; left: number; right: number };
}

export const PLATFORM_SPECS: Readonly<Record<Platform, PlatformSpec>> = {
  tiktok: {
    platform: 'tiktok',
    label: 'TikTok',
    aspect_ratio: '9:16',
    width: 1080,
    height: 1920,
    caption: { field: 'post_info.title', max: 2200, unit: 'utf16', forbidden_chars: [], source: 'TT-API' },
    hashtags: {
      in_caption: true,
      max: 5,
      recommended: { min: 3, max: 5 },
      placement: 'end_of_caption',
      convention: 'no documented count limit; 3–5 specific tags, they count toward the 2,200',
      source: 'TT-API, CONV',
    },
    tone: {
      style: 'casual',
      rules: [
        'hook first, then at most two short sentences',
        'contractions',
        'call to action ends with "!" (not for serious variants or calm brand voices)',
      ],
    },
    duration_seconds: { min: 3, max: 600, source: 'TT-DUR' },
    // Top tabs ~200 px, bottom username/caption/sound band ~22 %, right action rail ~170 px.
    safe_zone: { top: 200, bottom: 420, left: 60, right: 170 },
  },
  instagram: {
    platform: 'instagram',
    label: 'Instagram Reels',
    aspect_ratio: '9:16',
    width: 1080,
    height: 1920,
    caption: { field: 'caption', max: 2200, unit: 'utf16', forbidden_chars: [], source: 'IG-API' },
    hashtags: {
      in_caption: true,
      max: 5,
      hard_limit: 30,
      recommended: { min: 3, max: 5 },
      placement: 'end_of_caption',
      convention: 'API allows 30; Instagram limits captions to 5 since Dec 2025; they count toward the 2,200',
      source: 'IG-API, IG-5',
    },
    tone: {
      style: 'warm',
      rules: [
        'hook, then up to three sentences of story',
        'no exclamation marks',
        'sign-off from the brand team',
      ],
    },
    duration_seconds: { min: 3, max: 900, source: 'IG-DUR' },
    // Reels: top ~220 px (header), bottom ~25 % (caption, audio, CTA), right ~150 px (action icons).
    safe_zone: { top: 220, bottom: 480, left: 64, right: 150 },
  },
  youtube: {
    platform: 'youtube',
    label: 'YouTube',
    aspect_ratio: '16:9',
    width: 1920,
    height: 1080,
    caption: {
      field: 'snippet.description',
      max: 5000,
      unit: 'utf8_bytes',
      forbidden_chars: ['<', '>'],
      source: 'YT-API',
    },
    title: { field: 'snippet.title', max: 100, unit: 'utf16', forbidden_chars: ['<', '>'], source: 'YT-API' },
    hashtags: {
      in_caption: true,
      max: 5,
      hard_limit: 15,
      recommended: { min: 3, max: 5 },
      placement: 'end_of_description',
      convention: 'more than 15 and YouTube ignores them all; the first 3 show above the title',
      source: 'YT-HT',
    },
    tone: {
      style: 'descriptive',
      rules: ['title: the hook and the brand', 'description: the whole voiceover', 'no exclamation marks'],
    },
    duration_seconds: { min: 1, max: 900, source: 'YT-DUR' },
    // Player controls ~10 % at the bottom, 5 % title-safe margins elsewhere.
    safe_zone: { top: 54, bottom: 110, left: 96, right: 96 },
  },
  linkedin: {
    platform: 'linkedin',
    label: 'LinkedIn',
    aspect_ratio: '1:1',
    width: 1080,
    height: 1080,
    caption: { field: 'commentary', max: 3000, unit: 'utf16', forbidden_chars: [], source: 'LI-API' },
    hashtags: {
      in_caption: true,
      max: 5,
      recommended: { min: 3, max: 5 },
      placement: 'end_of_caption',
      convention: '3–5 relevant hashtags at the end; no documented count limit',
      source: 'LI-API, CONV',
    },
    tone: {
      style: 'professional',
      rules: ['no contractions', 'no exclamation marks or emoji', 'hook, up to three sentences, plain CTA'],
    },
    duration_seconds: { min: 3, max: 1800, source: 'LI-DUR' },
    // Player controls ~10 % at the bottom, 5 % margins elsewhere.
    safe_zone: { top: 54, bottom: 108, left: 54, right: 54 },
  },
};

/** Length of a text as the platform counts it (UTF-16 code units, or UTF-8 bytes for YouTube). */
export function measure(text: string, unit: LengthUnit): number {
  return unit === 'utf8_bytes' ? new TextEncoder().encode(text).length : text.length;
}
