import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  type Target,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { atExpression } from '../../../broadcaster/domain/publish-timing.js';
import type { PostScheduler } from '../../ports/index.js';

// Locally AWS_ENDPOINT_URL_SCHEDULER points this unchanged client at the embedded Scheduler emulator.
const client = new SchedulerClient({});

export interface SchedulerTarget {
  group: string;
  /**
   * The function that publishes (PublishPost: its own ARN from the invocation context; a function's
   * template cannot carry its own ARN). Only needed to create a schedule: an update keeps the target
   * the schedule already has, so the schedule routes need neither the target nor the role.
   */
  targetArn?: string;
  /** The role EventBridge Scheduler assumes to invoke the target (read only when creating). */
  roleArn?: () => string;
  /** Where events that still fail after the retries go. */
  deadLetterArn?: string;
}

export class ScheduleTargetUnknownError extends Error {
  constructor(name: string) {
    super(`schedule ${name} does not exist and no target was configured to create it`);
    this.name = 'ScheduleTargetUnknownError';
  }
}

/**
 * One-time EventBridge Scheduler schedules: `at(...)` in UTC, no flexible window, deleted by the
 * Scheduler once they have fired (`ActionAfterCompletion: DELETE`). Scheduling an existing name moves
 * it (a replayed step, or a moved post); cancelling a missing one reports false (it fired or is gone).
 */
export class EventBridgePostScheduler implements PostScheduler {
  constructor(private readonly opts: SchedulerTarget) {}

  private common(at: string) {
    return {
      GroupName: this.opts.group,
      ScheduleExpression: atExpression(at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      ActionAfterCompletion: 'DELETE' as const,
      State: 'ENABLED' as const,
      Description: `publishes a scheduled post at ${at}`,
    };
  }

  private newTarget(name: string, payload: unknown): Target {
    if (!this.opts.targetArn || !this.opts.roleArn) throw new ScheduleTargetUnknownError(name);
    return {
      Arn: this.opts.targetArn,
      RoleArn: this.opts.roleArn(),
      Input: JSON.stringify(payload),
      // A post is an hour late at most; the publisher is idempotent, so a retry never posts twice.
      RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 10 },
      ...(this.opts.deadLetterArn ? { DeadLetterConfig: { Arn: this.opts.deadLetterArn } } : {}),
    };
  }

  private async existingTarget(name: string): Promise<Target | undefined> {
    try {
      const s = await client.send(new GetScheduleCommand({ Name: name, GroupName: this.opts.group }));
      return s.Target;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  async schedule(name: string, at: string, payload: unknown): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const existing = await this.existingTarget(name);
      if (existing) {
        const Target = { ...existing, Input: JSON.stringify(payload) } as Target;
        await client.send(new UpdateScheduleCommand({ Name: name, ...this.common(at), Target }));
        return;
      }
      try {
        await client.send(
          new CreateScheduleCommand({
            Name: name,
            ...this.common(at),
            Target: this.newTarget(name, payload),
          }),
        );
        return;
      } catch (error) {
        // Created meanwhile by a concurrent replay: update that one instead.
        if (!(error instanceof ConflictException)) throw error;
      }
    }
    throw new Error(`schedule ${name} kept changing while being scheduled`);
  }

  async cancel(name: string): Promise<boolean> {
    try {
      await client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.opts.group }));
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  }
}
