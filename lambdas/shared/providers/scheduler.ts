import { EventBridgePostScheduler } from '../adapters/aws/eventbridge-scheduler.js';
import { config } from '../commons.js';
import type { PostScheduler } from '../ports/index.js';
import { lazy } from './lazy.js';

/** The one-time schedules that publish scheduled posts (EventBridge Scheduler; locally its emulator). */
export const postScheduler = lazy<PostScheduler>(
  () =>
    new EventBridgePostScheduler({
      group: config.POST_SCHEDULE_GROUP,
      targetArn: config.PUBLISH_POST_FUNCTION_ARN,
      roleArn: config.POST_SCHEDULER_ROLE_ARN,
      deadLetterArn: config.POST_SCHEDULE_DEAD_LETTER_ARN,
    }),
);
