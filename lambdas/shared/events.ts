import { EventBridgeEvents } from './adapters/aws/eventbridge-events.js';
import { config } from './commons.js';
import type { Approval } from './contracts/approval.js';
import { LIFECYCLE_EVENTS, type LifecycleEvent, type LifecycleEventType } from './contracts/events.js';
import { nowIso, stableUuid } from './ids.js';
import { lazy } from './providers/lazy.js';

const bus = lazy(() => new EventBridgeEvents(config.EVENT_BUS_NAME));

type DetailOf<K extends LifecycleEventType> = Omit<
  Extract<LifecycleEvent, { type: K }>['detail'],
  'event_id' | 'at'
> & {
  at?: string;
};

/**
 * Publishes one lifecycle event. `key` names the fact (e.g. the approval id), so a step that runs
 * twice emits the same event_id and consumers can drop the duplicate.
 */
export async function emitEvent<K extends LifecycleEventType>(
  type: K,
  key: string,
  detail: DetailOf<K>,
): Promise<void> {
  // Validated here, at the source, against the documented schema.
  const parsed = LIFECYCLE_EVENTS[type].parse({
    ...detail,
    at: detail.at ?? nowIso(),
    event_id: stableUuid('event', type, detail.campaign_id, key),
  });
  const event = { type, detail: parsed } as LifecycleEvent;
  await bus().publish([event]);
}

/** Approval requested/decided events, for every checkpoint (the approvals and the budget pause alike). */
export const approvalEvents = {
  requested: (a: Approval, approver: string): Promise<void> =>
    emitEvent('Approval Requested', a.approval_id, {
      campaign_id: a.campaign_id,
      approval_id: a.approval_id,
      checkpoint: a.checkpoint,
      variant_id: a.variant_id,
      approver,
    }),
  decided: (a: Approval): Promise<void> =>
    emitEvent('Approval Decided', a.approval_id, {
      campaign_id: a.campaign_id,
      approval_id: a.approval_id,
      checkpoint: a.checkpoint,
      decision: a.status === 'approved' ? 'approved' : 'rejected',
      decided_by: a.decided_by ?? 'unknown',
      at: a.decided_at,
    }),
};
