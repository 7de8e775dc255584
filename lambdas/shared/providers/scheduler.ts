import { EventBridgePostScheduler } from '../adapters/aws/eventbridge-scheduler.js';
import { config } from '../commons.js';
import type { PostScheduler } from '../ports/index.js';

/**
 * The one-time schedules that publish scheduled posts (EventBridge Scheduler; locally its emulator).
 * `targetArn`: the publishing function, for creating schedules (PublishPost passes its own ARN); the
 * schedule routes only move or delete existing schedules and pass none.
 */
export function postScheduler(targetArn?: string): PostScheduler {
  return new EventBridgePostScheduler({
    group: config.POST_SCHEDULE_GROUP,
    ...(targetArn
      ? {
          targetArn,
          roleArn: () => config.POST_SCHEDULER_ROLE_ARN,
          deadLetterArn: config.POST_SCHEDULE_DEAD_LETTER_ARN,
        }
      : {}),
  });
}
