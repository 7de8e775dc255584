import { z } from 'zod';
import { Approval } from './approval.js';
import { CreativeBrief } from './brief.js';
import { Campaign } from './campaign.js';
import { AspectRatio, Pillar, Platform, Score, Timestamp, Usd, Uuid } from './common.js';
import { CostEntry } from './ledger.js';
import { UnrenderedScene, VideoAssets } from './production.js';
import { PublicationPackage } from './publication.js';
import { Script } from './script.js';

/**
 * What the review dashboard reads (`/dashboard/...` for signed-in users, `/approvals/{id}/review` for
 * the holder of a mailed review link). The web client's types are generated from these (docs/openapi.json).
 */

/** An approval as shown outside the store: the task token never leaves it. */
export const ApprovalView = Approval.omit({ task_token: true });
export type ApprovalView = z.infer<typeof ApprovalView>;

export const PillarState = z.enum(['waiting', 'running', 'awaiting_approval', 'done', 'failed']);
export type PillarState = z.infer<typeof PillarState>;

export const PillarProgress = z.object({
  pillar: Pillar,
  state: PillarState,
  cost_usd: Usd,
  list_price_usd: Usd,
});
export type PillarProgress = z.infer<typeof PillarProgress>;

/** One row of the campaigns screen: live status per pillar and cost against the budget. */
export const CampaignCard = z.object({
  campaign_id: Uuid,
  campaign_name: z.string(),
  brand_id: Uuid,
  status: Campaign.shape.status,
  budget_usd: Usd,
  spent_usd: Usd,
  pillars: z.array(PillarProgress),
  pending_approvals: z.array(
    z.object({ approval_id: z.string(), checkpoint: Approval.shape.checkpoint, variant_id: Uuid.optional() }),
  ),
  variants: z.number().int().min(0),
  failure: Campaign.shape.failure,
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type CampaignCard = z.infer<typeof CampaignCard>;

export const CampaignCards = z.object({ campaigns: z.array(CampaignCard) });
export type CampaignCards = z.infer<typeof CampaignCards>;

/** Cost of one scene of one variant: every render attempt and what it was charged. */
export const SceneCost = z.object({
  variant_id: Uuid,
  scene_id: Uuid,
  sequence: z.number().int().min(1),
  amount_usd: Usd,
  list_price_usd: Usd,
  attempts: z.number().int().min(0),
  models: z.array(z.string()),
});
export type SceneCost = z.infer<typeof SceneCost>;

export const CampaignDetail = CampaignCard.extend({
  scene_costs: z.array(SceneCost),
  entries: z.array(CostEntry),
  approvals: z.array(ApprovalView),
  publications: z.array(PublicationPackage),
});
export type CampaignDetail = z.infer<typeof CampaignDetail>;

/** A scene on the video's timeline: where it sits in the master, what made it and what it cost. */
export const ReviewScene = z.object({
  scene_id: Uuid,
  sequence: z.number().int().min(1),
  start_seconds: z.number().min(0),
  end_seconds: z.number().min(0),
  voiceover_text: z.string(),
  visual_prompt: z.string(),
  on_screen_text: z.string().optional(),
  model: z.string(),
  provider: z.string(),
  cache_hit: z.boolean(),
  cost_usd: Usd,
  /** No model could render the scene: a slate holds its seconds; approving is refused until it is sent back. */
  unrendered: UnrenderedScene.optional(),
});
export type ReviewScene = z.infer<typeof ReviewScene>;

/** One platform's post as the reviewer edits it, with the limits the page validates against live. */
export const ReviewPost = z.object({
  platform: Platform,
  label: z.string(),
  aspect_ratio: AspectRatio,
  width: z.number().int(),
  height: z.number().int(),
  caption: z.string(),
  hashtags: z.array(z.string()),
  rendition_url: z.string().optional(),
  thumbnail_url: z.string().optional(),
  safe_zone: z.object({ top: z.number(), bottom: z.number(), left: z.number(), right: z.number() }),
  caption_max: z.number().int(),
  hashtags_max: z.number().int(),
});
export type ReviewPost = z.infer<typeof ReviewPost>;

/** Everything a review page shows for one approval, by checkpoint. */
export const ReviewView = z.object({
  approval: ApprovalView,
  campaign: CampaignCard,
  media: z.array(z.object({ label: z.string(), url: z.string() })),
  /** Terms of the brand bible no copy may use (the page warns on edits; the API refuses them). */
  restricted_terms: z.array(z.string()),
  brief: CreativeBrief.optional(),
  scripts: z.array(Script).optional(),
  video: z
    .object({
      assets: VideoAssets,
      master_url: z.string(),
      captions_url: z.string().optional(),
      quality_score: Score,
      scenes: z.array(ReviewScene),
    })
    .optional(),
  posts: z.array(ReviewPost).optional(),
});
export type ReviewView = z.infer<typeof ReviewView>;

/** The review link of a mailed approval (its expiry and signature), from the URL fragment of the page. */
export const ReviewLinkQuery = z.object({
  exp: z.coerce.number().int(),
  sig: z.string().min(1),
});
