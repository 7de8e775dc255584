import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, LIFECYCLE_EVENTS, type LifecycleEvent } from '../../contracts/events.js';
import type { EventPublisher } from '../../ports/index.js';

const client = new EventBridgeClient({});

/** Campaign lifecycle events to an EventBridge bus; a rejected entry fails the step (it is retried). */
export class EventBridgeEvents implements EventPublisher {
  constructor(private readonly busName: string) {}

  async publish(events: LifecycleEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const res = await client.send(
        new PutEventsCommand({
          Entries: batch.map((e) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: e.type,
            Detail: JSON.stringify(LIFECYCLE_EVENTS[e.type].parse(e.detail)),
            Time: new Date(e.detail.at),
          })),
        }),
      );
      if (res.FailedEntryCount) {
        const failed = (res.Entries ?? [])
          .filter((x) => x.ErrorCode)
          .map((x) => `${x.ErrorCode}: ${x.ErrorMessage}`);
        throw new Error(`EventBridge refused ${res.FailedEntryCount} event(s): ${failed.join('; ')}`);
      }
    }
  }
}
