import { z } from 'zod';
import { BudgetUsd, Pillar, Timestamp, Usd, Uuid, VariantType } from './common.js';

/**
 * One charge: a model call, a render, a publish (the seed's `cost_ledger` row). Amounts are dollars
 * here, as the API shows them; the store keeps them as integer micro-dollars (lambdas/shared/money.ts).
 */
export const CostEntry = z.object({
  ledger_entry_id: z.string().min(1),
  campaign_id: Uuid,
  variant_id: Uuid.optional(),
  pillar: Pillar,
  cost_type: z.enum(['api_cost', 'storage_cost', 'processing_cost']),
  provider: z.string().min(1),
  model: z.string().min(1),
  units: z.number().min(0),
  unit: z.enum(['tokens', 'seconds', 'characters', 'requests', 'images']),
  amount_usd: Usd,
  /** What the call would have cost at the configured list price (offline providers charge $0). */
  list_price_usd: Usd,
  /**
   * An offline stand-in charged at the list price of the model it stands in for, because the campaign
   * rehearses its budget (`rehearse: true`); no money was spent. Real providers never set it.
   */
  rehearsal: z.boolean().optional(),
  /** The step that paid (`Production/SubmitRender`): one row per charged step. */
  step: z.string().optional(),
  description: z.string(),
  created_at: Timestamp,
});
export type CostEntry = z.infer<typeof CostEntry>;

export const CostBreakdown = z.object({
  strategist_cost: Usd,
  copywriter_cost: Usd,
  production_cost: Usd,
  broadcaster_cost: Usd,
  total_cost: Usd,
});
export type CostBreakdown = z.infer<typeof CostBreakdown>;

/** The seed's `campaign_metadata` (input to the Campaign Manager). */
export const CampaignMetadata = z.object({
  campaign_id: Uuid,
  brief_id: Uuid,
  script_id: Uuid,
  video_id: Uuid,
  variant_type: VariantType,
  asset_links: z.object({
    master_video_url: z.string(),
    scene_clips: z.array(z.string()),
    audio_assets: z.record(z.string(), z.unknown()),
  }),
  costs: z.object({ script_generation_cost: Usd, video_generation_cost: Usd, total_cost: Usd }),
});
export type CampaignMetadata = z.infer<typeof CampaignMetadata>;

/** The seed's `ledger_entry` (output of the Campaign Manager, one per variant). */
export const LedgerEntry = z.object({
  entry_id: Uuid,
  campaign_id: Uuid,
  variant_id: Uuid,
  asset_registry: z.object({
    brief_id: Uuid,
    script_id: Uuid,
    video_id: Uuid,
    master_video_url: z.string(),
    scene_clips: z.array(z.string()),
    audio_assets: z.record(z.string(), z.unknown()),
  }),
  cost_breakdown: CostBreakdown,
  status: z.enum(['draft', 'in_production', 'completed', 'published']),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export const AssetType = z.enum([
  'brief',
  'script',
  'video',
  'audio',
  'publication',
  'rendition',
  'thumbnail',
]);
export const Asset = z.object({
  asset_id: z.string().min(1),
  campaign_id: Uuid,
  variant_id: Uuid.optional(),
  asset_type: AssetType,
  subject_id: z.string(),
  asset_url: z.string().optional(),
  asset_metadata: z.record(z.string(), z.unknown()),
  created_at: Timestamp,
});
export type Asset = z.infer<typeof Asset>;

export const AuditEvent = z.object({
  campaign_id: Uuid,
  action: z.string().min(1),
  actor: z.string().min(1),
  previous_state: z.unknown().optional(),
  new_state: z.unknown().optional(),
  created_at: Timestamp,
});
export type AuditEvent = z.infer<typeof AuditEvent>;

/**
 * `POST /operator/campaigns/{id}/budget` (IAM): the new budget limit (whole cents, as a request's
 * budget), above the current one. The steps paused at a budget checkpoint run again; the raise is
 * recorded with who made it.
 */
export const BudgetRaiseBody = z
  .object({
    budget_limit_usd: BudgetUsd,
    decided_by: z.string().trim().min(1).max(200).default('operator'),
  })
  .strict();
export type BudgetRaiseBody = z.infer<typeof BudgetRaiseBody>;

export const BudgetRaiseResult = z.object({
  campaign_id: Uuid,
  previous_budget_limit_usd: Usd,
  budget_limit_usd: Usd,
  current_cost_usd: Usd,
  /** The budget checkpoints this raise resumed. */
  resumed: z.array(z.string()),
});

/** `POST /operator/campaigns/{id}/cancel` (IAM): cancels a campaign paused at a budget checkpoint. */
export const CancelCampaignBody = z
  .object({
    decided_by: z.string().trim().min(1).max(200).default('operator'),
    reason: z.string().trim().max(2000).optional(),
  })
  .strict();
export type CancelCampaignBody = z.infer<typeof CancelCampaignBody>;

export const CancelCampaignResult = z.object({
  campaign_id: Uuid,
  status: z.literal('cancelled'),
  /** The budget checkpoints that were failed with CampaignCancelled. */
  cancelled: z.array(z.string()),
});
