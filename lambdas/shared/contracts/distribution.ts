import { z } from 'zod';
import { Platform, Timestamp, Uuid, VariantType } from './common.js';
import { HookType } from './script.js';

/**
 * Scheduling, engagement and the closed loop (issue 8): when posts go out, what they earned, which
 * variant won, and what the brand learned from it for its next campaign.
 */

/** `immediate`: at the publication approval; `scheduled`: at `publish_at`; `best_time`: the next good slot. */
export const PublishMode = z.enum(['immediate', 'scheduled', 'best_time']);
export type PublishMode = z.infer<typeof PublishMode>;

/** One time for every platform, or a time per platform (platforms left out go at the approval). */
export const PublishAt = z.union([
  Timestamp,
  z.partialRecord(Platform, Timestamp).refine((r) => Object.keys(r).length > 0, 'name at least one platform'),
]);
export type PublishAt = z.infer<typeof PublishAt>;

/** How far ahead a post may be scheduled (platform schedulers allow 10 to 75 days; we keep the shortest). */
export const SCHEDULE_HORIZON_DAYS = 60;
/** A scheduled time at least this far ahead (EventBridge Scheduler fires to the minute). */
export const SCHEDULE_MIN_LEAD_SECONDS = 60;

/**
 * Why a scheduled time is not acceptable at `now`, or undefined when it is: in the future by at least
 * the lead time and within the horizon.
 */
export function publishTimeProblem(at: string, now: number): string | undefined {
  const t = Date.parse(at);
  if (!Number.isFinite(t)) return 'is not a timestamp';
  if (t < now + SCHEDULE_MIN_LEAD_SECONDS * 1000)
    return `must be at least ${SCHEDULE_MIN_LEAD_SECONDS} s in the future`;
  if (t > now + SCHEDULE_HORIZON_DAYS * 86_400_000)
    return `must be within ${SCHEDULE_HORIZON_DAYS} days from now`;
  return undefined;
}

/** Adds a field-level issue per unacceptable time of a `PublishAt` (path `[...base, platform?]`). */
export function checkPublishAt(
  at: PublishAt,
  now: number,
  ctx: z.RefinementCtx,
  base: (string | number)[],
): void {
  const entries: [string | undefined, string][] =
    typeof at === 'string' ? [[undefined, at]] : Object.entries(at).map(([p, t]) => [p, t as string]);
  for (const [platform, t] of entries) {
    const problem = publishTimeProblem(t, now);
    if (problem)
      ctx.addIssue({ code: 'custom', path: platform ? [...base, platform] : base, message: problem });
  }
}

/** The time asked for one platform, if any. */
export const publishAtFor = (at: PublishAt | undefined, platform: Platform): string | undefined =>
  at === undefined ? undefined : typeof at === 'string' ? at : at[platform];

/** A post waiting for its time (the seed's ScheduledPost), one per post key. */
export const ScheduledPost = z.object({
  /** The post id shown in the publication package and used by the schedule routes. */
  post_id: z.string().min(1),
  post_key: z.string().min(1),
  campaign_id: Uuid,
  variant_id: Uuid,
  publication_id: Uuid,
  platform: Platform,
  scheduled_time: Timestamp,
  /** Where the time came from. */
  source: z.enum(['request', 'approval', 'best_time', 'operator']),
  rationale: z.string(),
  /** The name of the one-time schedule (EventBridge Scheduler) that publishes it. */
  schedule_name: z.string().min(1),
  /** The Broadcaster execution that scheduled it (part of what the schedule hands PublishPost). */
  execution: z.string().min(1),
  status: z.enum(['pending', 'due', 'cancelled']),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ScheduledPost = z.infer<typeof ScheduledPost>;

/** `PATCH /campaigns/{id}/posts/{post_id}/schedule`: a new time. */
export const MoveScheduleBody = z.object({ publish_at: Timestamp }).strict();
export type MoveScheduleBody = z.infer<typeof MoveScheduleBody>;

/** One collection of one post's metrics (stored per post per collection time, kept 30 days past the window). */
export const EngagementPoint = z.object({
  collected_at: Timestamp,
  views: z.number().int().min(0),
  likes: z.number().int().min(0),
  comments: z.number().int().min(0),
  shares: z.number().int().min(0),
  watch_time_seconds: z.number().min(0).optional(),
  impressions: z.number().int().min(0).optional(),
});
export type EngagementPoint = z.infer<typeof EngagementPoint>;

const Totals = z.object({
  views: z.number().int().min(0),
  likes: z.number().int().min(0),
  comments: z.number().int().min(0),
  shares: z.number().int().min(0),
  engagement_rate: z.number().min(0),
});

/** `GET /campaigns/{id}/performance`. */
export const PerformanceReport = z.object({
  campaign_id: Uuid,
  generated_at: Timestamp,
  posts: z.array(
    z.object({
      post_id: z.string(),
      platform: Platform,
      variant_id: Uuid,
      variant_type: VariantType.optional(),
      /** `cancelled`: a scheduled post cancelled before it went out. */
      publication_status: z.enum(['scheduled', 'published', 'failed', 'cancelled']),
      published_at: Timestamp.optional(),
      series: z.array(EngagementPoint),
      latest: Totals,
    }),
  ),
  by_variant: z.array(Totals.extend({ variant_id: Uuid, variant_type: VariantType.optional() })),
  by_platform: z.array(Totals.extend({ platform: Platform })),
  totals: Totals,
});
export type PerformanceReport = z.infer<typeof PerformanceReport>;

const Interval = z.object({ low: z.number().min(0).max(1), high: z.number().min(0).max(1) });

/** `GET /campaigns/{id}/ab-report`: a winner only at significance with the minimum sample. */
export const AbReport = z.object({
  campaign_id: Uuid,
  generated_at: Timestamp,
  decision: z.enum(['winner', 'not_significant', 'insufficient_sample', 'insufficient_variants']),
  winner: Uuid.optional(),
  alpha: z.number(),
  min_views: z.number().int(),
  variants: z.array(
    z.object({
      variant_id: Uuid,
      variant_type: VariantType.optional(),
      views: z.number().int().min(0),
      engagements: z.number().int().min(0),
      engagement_rate: z.number().min(0),
      ci95: Interval,
      meets_min_sample: z.boolean(),
    }),
  ),
  comparison: z
    .object({
      best: Uuid,
      runner_up: Uuid,
      z: z.number(),
      p_value: z.number(),
      absolute_lift: z.number(),
      relative_lift: z.number().optional(),
    })
    .optional(),
});
export type AbReport = z.infer<typeof AbReport>;

/** The attributes of a variant a result can teach something about. */
export const OutcomeAttributes = z.object({
  hook_type: HookType.optional(),
  variant_type: VariantType.optional(),
  video_model: z.string().optional(),
  platform: Platform.optional(),
  /** The hour (UTC, 0–23) the variant's best post went out, per platform. */
  posting_hours: z.partialRecord(Platform, z.number().int().min(0).max(23)).optional(),
});
export type OutcomeAttributes = z.infer<typeof OutcomeAttributes>;

/** A Beta-style tally per attribute value: wins and trials of A/B tests it took part in. */
export const PriorTally = z.object({ wins: z.number().min(0), trials: z.number().min(0) });
export type PriorTally = z.infer<typeof PriorTally>;

/** Which decided A/B test a result is: the campaign, its winner and the evidence. */
const DecidedTest = z.object({
  campaign_id: Uuid,
  winner_variant_id: Uuid,
  decided_at: Timestamp,
  p_value: z.number(),
  relative_lift: z.number().optional(),
});

/** What one decided A/B test taught (kept on the priors so a brief can cite it). */
export const PriorResult = DecidedTest.extend({
  winner: OutcomeAttributes,
  losers: z.array(OutcomeAttributes),
});
export type PriorResult = z.infer<typeof PriorResult>;

/** Per-brand priors learned from past A/B winners. */
export const BrandPriors = z.object({
  brand_id: Uuid,
  hook_type: z.record(z.string(), PriorTally),
  variant_type: z.record(z.string(), PriorTally),
  video_model: z.record(z.string(), PriorTally),
  platform: z.record(z.string(), PriorTally),
  /** `<platform>:<hour>` → tally. */
  posting_hour: z.record(z.string(), PriorTally),
  results: z.array(PriorResult),
  updated_at: Timestamp,
});
export type BrandPriors = z.infer<typeof BrandPriors>;

/** A past result a brief rests on (the brief's `used_results`). */
export const UsedResult = DecidedTest.extend({ learned: z.string().min(1) });
export type UsedResult = z.infer<typeof UsedResult>;
