import { z } from 'zod';
import { MODELS } from '../config/index.js';
import {
  BudgetTier,
  BudgetUsd,
  CampaignObjective,
  CampaignStatus,
  Email,
  Platform,
  SCRIPT_SECONDS,
  Text,
  Timestamp,
  Usd,
  Uuid,
  VariantType,
} from './common.js';
import { checkPublishAt, PublishAt, PublishMode } from './distribution.js';

/**
 * The seed's `campaign_request`. The five seed fields are required; the rest are optional extensions a
 * marketing team needs in practice (a name, the product, a budget, which variants and platforms).
 *
 * This is the one schema of what a campaign may ask for: `POST /campaigns` and `bie run` both validate
 * with it, and it carries every constraint a later step puts on the request, so nothing it accepts
 * fails downstream for being malformed (tests/unit/contracts/campaign-request.test.ts replays the
 * pillars' parse steps on generated requests). Where a field reaches a step's contract verbatim, the
 * bound is that contract's: the key message becomes the brief's value proposition and the call to
 * action the brief's call to action (BriefDraft: at least 5 and 3 characters).
 */
const CampaignRequestFields = z
  .object({
    product_category: Text(2, 120),
    target_demographic: Text(2, 300),
    campaign_objective: CampaignObjective,
    budget_tier: BudgetTier,
    brand_id: Uuid,
    campaign_name: Text(1, 120).optional(),
    product_name: Text(1, 120).optional(),
    product_description: Text(0, 2000, { multiline: true }).optional(),
    key_message: Text(5, 500).optional(),
    call_to_action: Text(3, 120).optional(),
    budget_limit_usd: BudgetUsd.optional(),
    /**
     * Rehearse the budget offline: the offline stand-ins charge the list price of the models they stand
     * in for (ledger rows marked `rehearsal`), so budget pauses and alerts happen as they would live.
     * Real providers always charge their real price.
     */
    rehearse: z.boolean().optional(),
    variants: z.array(VariantType).min(1).max(4).optional(),
    target_platforms: z.array(Platform).min(1).max(4).optional(),
    target_duration_seconds: z.number().int().min(SCRIPT_SECONDS.min).max(SCRIPT_SECONDS.max).optional(),
    /** When posts go out (default `immediate`: at the publication approval). */
    publish_mode: PublishMode.optional(),
    /** `scheduled` only: one time for every platform or a time per platform. */
    publish_at: PublishAt.optional(),
  })
  .strict()
  .refine((r) => r.publish_mode !== 'scheduled' || r.publish_at !== undefined, {
    path: ['publish_at'],
    message: 'publish_mode scheduled needs publish_at',
  })
  .refine((r) => r.publish_at === undefined || r.publish_mode === 'scheduled', {
    path: ['publish_at'],
    message: 'publish_at is only for publish_mode scheduled',
  })
  .refine((r) => !r.variants || new Set(r.variants).size === r.variants.length, {
    path: ['variants'],
    message: 'variants must not repeat',
  })
  .refine((r) => !r.target_platforms || new Set(r.target_platforms).size === r.target_platforms.length, {
    path: ['target_platforms'],
    message: 'target_platforms must not repeat',
  });

/** A campaign as it was accepted (the stored form: the budget is not re-checked against later prices). */
export const StoredCampaignRequest = CampaignRequestFields;

/** What `POST /campaigns` and `bie run` accept: the fields, and a budget today's list prices can meet. */
export const CampaignRequest = CampaignRequestFields.superRefine((r, ctx) => {
  // A time is checked against the clock when it is asked for, not when the stored request is read again.
  if (r.publish_at !== undefined) checkPublishAt(r.publish_at, Date.now(), ctx, ['publish_at']);
  if (r.budget_limit_usd === undefined) return;
  const least = leastVideoCostUsd(r);
  if (r.budget_limit_usd < least.usd)
    ctx.addIssue({
      code: 'custom',
      path: ['budget_limit_usd'],
      message: `must be at least $${least.usd.toFixed(2)}: ${least.why}`,
    });
});
export type CampaignRequest = z.infer<typeof CampaignRequest>;

/** The script length the Copywriter aims at when the request names none. */
export const DEFAULT_DURATION_SECONDS = 30;

/**
 * The least a campaign's videos can cost at list price: every second of every variant rendered by the
 * cheapest model its budget tier allows (text, voice and retries come on top). A budget below it is
 * exceeded by the renders whatever the scenes turn out to be, so the request is refused instead.
 */
export function leastVideoCostUsd(
  r: Pick<CampaignRequest, 'budget_tier' | 'target_duration_seconds' | 'variants'>,
): { usd: number; why: string } {
  const today = new Date().toISOString().slice(0, 10);
  // Retired models are never routed, so they do not make the least cost cheaper.
  const allowed = MODELS.routing.budget_tier_allowed[r.budget_tier].filter(
    (m) => !(MODELS.video_models[m].retired_on && (MODELS.video_models[m].retired_on as string) <= today),
  );
  const perSecond = Math.min(...allowed.map((m) => MODELS.video_models[m].usd_per_second));
  const seconds = r.target_duration_seconds ?? DEFAULT_DURATION_SECONDS;
  const variants = r.variants?.length ?? 1;
  // Whole cents, rounded up: budgets are whole cents too.
  const usd = Math.ceil(Math.round(seconds * variants * perSecond * 1e6) / 1e4) / 100;
  return {
    usd,
    why: `${variants} variant${variants === 1 ? '' : 's'} of ${seconds} s at $${perSecond}/s, the cheapest video model of the ${r.budget_tier} tier`,
  };
}

/**
 * The request fields whose text reaches the models' prompts and the generated copy (brief, hooks,
 * scenes, captions): a brand's restricted term in one of them is refused at the edge, because the
 * script's compliance gate would fail the campaign on it later.
 */
export const REQUEST_COPY_FIELDS = [
  'product_category',
  'product_name',
  'product_description',
  'target_demographic',
  'key_message',
  'call_to_action',
] as const satisfies readonly (keyof CampaignRequest)[];

/** The body of `POST /campaigns`: the seed wraps the request in `campaign_request`. */
export const CreateCampaignBody = z
  .object({
    campaign_request: CampaignRequest,
    auto_approve: z.boolean().optional(),
    approver_email: Email.optional(),
  })
  .strict();
export type CreateCampaignBody = z.infer<typeof CreateCampaignBody>;

/** The stored campaign (the seed's `campaigns` table). */
export const Campaign = z.object({
  campaign_id: Uuid,
  campaign_name: z.string(),
  brand_id: Uuid,
  status: CampaignStatus,
  request: StoredCampaignRequest,
  budget_limit_usd: Usd,
  current_cost_usd: Usd,
  auto_approve: z.boolean(),
  approver_email: Email.optional(),
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
