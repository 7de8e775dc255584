import { z } from 'zod';
import {
  BudgetTier,
  CampaignObjective,
  CampaignStatus,
  Platform,
  Timestamp,
  Usd,
  Uuid,
  VariantType,
} from './common.js';

/**
 * The seed's `campaign_request`. The five seed fields are required; the rest are optional extensions a
 * marketing team needs in practice (a name, the product, a budget, which variants and platforms).
 */
export const CampaignRequest = z
  .object({
    product_category: z.string().trim().min(2).max(120),
    target_demographic: z.string().trim().min(2).max(300),
    campaign_objective: CampaignObjective,
    budget_tier: BudgetTier,
    brand_id: Uuid,
    campaign_name: z.string().trim().min(1).max(120).optional(),
    product_name: z.string().trim().min(1).max(120).optional(),
    product_description: z.string().trim().max(2000).optional(),
    key_message: z.string().trim().max(500).optional(),
    call_to_action: z.string().trim().max(120).optional(),
    budget_limit_usd: z.number().positive().max(100_000).optional(),
    /**
     * Rehearse the budget offline: the offline stand-ins charge the list price of the models they stand
     * in for (ledger rows marked `rehearsal`), so budget pauses and alerts happen as they would live.
     * Real providers always charge their real price.
     */
    rehearse: z.boolean().optional(),
    variants: z.array(VariantType).min(1).max(4).optional(),
    target_platforms: z.array(Platform).min(1).max(4).optional(),
    target_duration_seconds: z.number().int().min(15).max(60).optional(),
  })
  .strict()
  .refine((r) => !r.variants || new Set(r.variants).size === r.variants.length, {
    path: ['variants'],
    message: 'variants must not repeat',
  })
  .refine((r) => !r.target_platforms || new Set(r.target_platforms).size === r.target_platforms.length, {
    path: ['target_platforms'],
    message: 'target_platforms must not repeat',
  });
export type CampaignRequest = z.infer<typeof CampaignRequest>;

/** The body of `POST /campaigns`: the seed wraps the request in `campaign_request`. */
export const CreateCampaignBody = z
  .object({
    campaign_request: CampaignRequest,
    auto_approve: z.boolean().optional(),
    approver_email: z.email().optional(),
  })
  .strict();
export type CreateCampaignBody = z.infer<typeof CreateCampaignBody>;

/** The stored campaign (the seed's `campaigns` table). */
export const Campaign = z.object({
  campaign_id: Uuid,
  campaign_name: z.string(),
  brand_id: Uuid,
  status: CampaignStatus,
  request: CampaignRequest,
  budget_limit_usd: Usd,
  current_cost_usd: Usd,
  auto_approve: z.boolean(),
  approver_email: z.email().optional(),
  execution_arn: z.string().optional(),
  failure: z.object({ error: z.string(), cause: z.string() }).optional(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Campaign = z.infer<typeof Campaign>;

/** The seed's `variants` table. */
export const Variant = z.object({
  variant_id: Uuid,
  campaign_id: Uuid,
  variant_type: VariantType,
  brief_id: Uuid.optional(),
  script_id: Uuid.optional(),
  video_id: Uuid.optional(),
  status: z.enum(['draft', 'in_production', 'completed', 'published', 'failed']),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Variant = z.infer<typeof Variant>;
