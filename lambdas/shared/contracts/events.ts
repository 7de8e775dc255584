import { z } from 'zod';
import { Checkpoint } from './approval.js';
import { Timestamp, Uuid } from './common.js';

/**
 * Campaign lifecycle events on the EventBridge bus (EVENT_BUS_NAME). Every event has
 * `source: "brand-infinity.campaigns"`, a `detail-type` below and a `detail` of its schema. EventBridge
 * delivers at least once and the steps that emit may run twice: consumers deduplicate on
 * `detail.event_id`, which is the same for every delivery of the same fact.
 */
export const EVENT_SOURCE = 'brand-infinity.campaigns';

const base = { event_id: Uuid, campaign_id: Uuid, at: Timestamp };

export const LIFECYCLE_EVENTS = {
  'Campaign Started': z.object({ ...base, brand_id: Uuid, execution: z.string() }),
  'Approval Requested': z.object({
    ...base,
    approval_id: z.string(),
    checkpoint: Checkpoint,
    variant_id: Uuid.optional(),
    approver: z.string(),
  }),
  'Approval Decided': z.object({
    ...base,
    approval_id: z.string(),
    checkpoint: Checkpoint,
    decision: z.enum(['approved', 'rejected']),
    decided_by: z.string(),
  }),
  'Variant Ready': z.object({ ...base, variant_id: Uuid, video_url: z.string() }),
  'Campaign Published': z.object({ ...base, publications: z.number().int().min(0), total_usd: z.number() }),
  'Campaign Failed': z.object({
    ...base,
    pillar: z.string(),
    error: z.string(),
    cause: z.string().max(2000),
  }),
  'Budget Threshold Crossed': z.object({
    ...base,
    threshold_percent: z.number().int(),
    used_usd: z.number(),
    limit_usd: z.number(),
    /** The step whose charge crossed the threshold (`Production/SubmitRender (scene render …)`). */
    step: z.string().optional(),
  }),
} as const;

export type LifecycleEventType = keyof typeof LIFECYCLE_EVENTS;
export type LifecycleEvent = {
  [K in LifecycleEventType]: { type: K; detail: z.infer<(typeof LIFECYCLE_EVENTS)[K]> };
}[LifecycleEventType];
