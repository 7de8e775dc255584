import { z } from 'zod';
import { ApprovalStatus, HexColour, Score, Timestamp, Uuid, VariantType } from './common.js';
import { UsedResult } from './distribution.js';

export const VariantSuggestion = z.object({
  variant_type: VariantType,
  rationale: z.string().min(1),
  expected_audience_response: z.string().optional(),
});

/** The seed's `creative_brief`, plus ids and the alignment evidence the gate used. */
export const CreativeBrief = z.object({
  brief_id: Uuid,
  campaign_id: Uuid,
  brand_id: Uuid,
  target_audience: z.object({
    demographics: z.record(z.string(), z.unknown()),
    psychographics: z.array(z.string()),
    pain_points: z.array(z.string()),
  }),
  core_message: z.object({
    primary_hook: z.string().min(1),
    value_proposition: z.string().min(1),
    call_to_action: z.string().min(1),
  }),
  trending_insights: z.object({
    trending_topics: z.array(z.string()),
    trending_audio: z.array(z.string()),
    competitor_analysis: z.record(z.string(), z.unknown()),
    viral_patterns: z.array(z.string()),
  }),
  brand_guidelines_ref: z.object({
    tone: z.string().min(1),
    color_palette: z.array(HexColour).min(1),
    restricted_keywords: z.array(z.string()),
    visual_style: z.string().min(1),
  }),
  variant_suggestions: z.array(VariantSuggestion).min(1),
  brand_alignment_score: Score,
  alignment_breakdown: z.record(z.string(), Score).optional(),
  /** Why the alignment score is what it is: each finding names its check, rule and words. */
  alignment_findings: z.array(z.string()).optional(),
  guideline_chunk_ids: z.array(z.string()).max(5),
  sources: z.array(z.object({ title: z.string(), url: z.string(), detected_at: Timestamp.optional() })),
  /** How much trend data the brief rests on; says so plainly when there was none. */
  trend_coverage: z.object({ trends_used: z.number().int().min(0), note: z.string() }).optional(),
  feedback_applied: z.string().optional(),
  /** The brand's past A/B results this brief's suggestions rest on (empty: none yet). */
  used_results: z.array(UsedResult).optional(),
  generated_at: Timestamp,
  approval_status: ApprovalStatus,
});
export type CreativeBrief = z.infer<typeof CreativeBrief>;
