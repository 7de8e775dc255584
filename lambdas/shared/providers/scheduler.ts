import { EventBridgePostScheduler } from '../adapters/aws/eventbridge-scheduler.js';
import { config } from '../commons.js';
import type { PostScheduler } from '../ports/index.js';

/**
 * The one-time schedules that publish scheduled posts (EventBridge Scheduler; locally its emulator).
 * `targetArn`: the publishing function, for creating schedules (PublishPost passes its own ARN); the
 * schedule routes only move or delete existing schedules and pass none. Configuration is read when a
 * schedule is touched, so a request refused before that needs none.
 */
export function postScheduler(targetArn?: string): PostScheduler {
  const make = () =>
    new EventBridgePostScheduler({
      group: config.POST_SCHEDULE_GROUP,
      ...(targetArn
        ? {
            targetArn,
            roleArn: () => config.POST_SCHEDULER_ROLE_ARN,
            deadLetterArn: config.POST_SCHEDULE_DEAD_LETTER_ARN,
          }
        : {}),
    });
  return {
    schedule: (name, at, payload) => make().schedule(name, at, payload),
    cancel: (name) => make().cancel(name),
  };
}
