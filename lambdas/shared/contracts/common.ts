import { z } from 'zod';

/** Shared building blocks. Every enumeration here is the seed's, spelled as the seed spells it. */

export const Uuid = z.uuid();
/** ISO-8601 timestamp with an explicit offset (the seed's "timestamp"). */
export const Timestamp = z.iso.datetime({ offset: true });
/** Scores are probabilities on 0..1 (alignment, compliance, hook and quality scores). */
export const Score = z.number().min(0).max(1);
export const Usd = z.number().min(0);
export const HexColour = z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'must be a #RRGGBB hex colour');

/** A UTF-16 code unit of a surrogate pair standing alone (with the `u` flag, pairs are one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const CONTROL = /\p{Cc}/u;

/**
 * Text a person typed: trimmed, then `min`–`max` characters of valid Unicode without control characters
 * (tab and line breaks only where `multiline`). A lone surrogate would not survive the round trip
 * through DynamoDB (stored as UTF-8, it comes back as U+FFFD), so the campaign would no longer be the
 * request that was accepted.
 */
export const Text = (min: number, max: number, opts: { multiline?: boolean } = {}) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode text (a lone surrogate is not)')
    .refine(
      (s) => !CONTROL.test(opts.multiline ? s.replace(/[\t\n\r]/g, '') : s),
      opts.multiline ? 'must not contain control characters' : 'must be one line without control characters',
    );

/**
 * An e-mail address within RFC 5321's limits: the local part (before the last `@`) at most 64 octets,
 * the domain at most 255 with labels of at most 63, the whole address at most 254 (the 256-octet path
 * less its angle brackets). zod's address pattern is ASCII-only, so characters are octets here.
 */
export const Email = z
  .email()
  .max(254)
  .refine((s) => s.slice(0, s.lastIndexOf('@')).length <= 64, {
    message: 'the local part (before @) must be at most 64 characters (RFC 5321)',
  })
  .refine(
    (s) => {
      const domain = s.slice(s.lastIndexOf('@') + 1);
      return domain.length <= 255 && domain.split('.').every((label) => label.length <= 63);
    },
    { message: 'the domain must be at most 255 characters, each label at most 63 (RFC 5321)' },
  );

/**
 * A budget a campaign can finish within. The least a campaign can cost is one render of the shortest
 * script with the cheapest video model (15 s × $0.02/s = $0.30 at list price, before any text model),
 * so less than a dollar only buys a campaign that stops at its first render; ledger amounts are cents.
 */
export const BUDGET_USD = { min: 1, max: 100_000 } as const;
export const BudgetUsd = z
  .number()
  .min(BUDGET_USD.min)
  .max(BUDGET_USD.max)
  .multipleOf(0.01, 'must be whole cents (at most two decimals)');

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
