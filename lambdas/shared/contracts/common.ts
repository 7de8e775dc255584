import { z } from 'zod';

/** Shared building blocks. Every enumeration here is the seed's, spelled as the seed spells it. */

export const Uuid = z.uuid();
/** ISO-8601 timestamp with an explicit offset (the seed's "timestamp"). */
export const Timestamp = z.iso.datetime({ offset: true });
/** Scores are probabilities on 0..1 (alignment, compliance, hook and quality scores). */
export const Score = z.number().min(0).max(1);
export const Usd = z.number().min(0);
export const HexColour = z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'must be a #RRGGBB hex colour');

export const CampaignObjective = z.enum(['awareness', 'conversion', 'engagement']);
export const BudgetTier = z.enum(['premium', 'standard', 'volume']);
export const VariantType = z.enum(['humorous', 'serious', 'emotional', 'educational']);
export const ApprovalStatus = z.enum(['pending', 'approved', 'rejected']);
export const Platform = z.enum(['instagram', 'tiktok', 'youtube', 'linkedin']);
export const AspectRatio = z.enum(['9:16', '16:9', '1:1']);
export const Pillar = z.enum(['strategist', 'copywriter', 'production', 'campaign_manager', 'broadcaster']);
export const CampaignStatus = z.enum([
  'draft',
  'in_production',
  'awaiting_approval',
  'paused',
  'completed',
  'published',
  'failed',
  'cancelled',
]);

/** Scene durations (seconds) and whole-script durations, from the seed. */
export const SCENE_SECONDS = { min: 3, max: 5 } as const;
export const SCRIPT_SECONDS = { min: 15, max: 60 } as const;
export const ALIGNMENT_THRESHOLD = 0.85;
export const COMPLIANCE_THRESHOLD = 0.9;
export const HOOK_QUALITY_THRESHOLD = 0.75;
export const HOOK_VARIATIONS = 50;
export const BUDGET_ALERT_LEVELS = [0.5, 0.75, 0.9] as const;

export type CampaignObjective = z.infer<typeof CampaignObjective>;
export type BudgetTier = z.infer<typeof BudgetTier>;
export type VariantType = z.infer<typeof VariantType>;
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;
export type Platform = z.infer<typeof Platform>;
export type AspectRatio = z.infer<typeof AspectRatio>;
export type Pillar = z.infer<typeof Pillar>;
export type CampaignStatus = z.infer<typeof CampaignStatus>;
