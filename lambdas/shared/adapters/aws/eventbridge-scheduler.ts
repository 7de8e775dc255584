import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { atExpression } from '../../../broadcaster/domain/publish-timing.js';
import type { PostScheduler } from '../../ports/index.js';

// Locally AWS_ENDPOINT_URL_SCHEDULER points this unchanged client at the embedded Scheduler emulator.
const client = new SchedulerClient({});

export interface SchedulerTarget {
  group: string;
  /** The function that publishes (PublishPost). */
  targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it. */
  roleArn: string;
  /** Where events that still fail after the retries go. */
  deadLetterArn?: string;
}

/**
 * One-time EventBridge Scheduler schedules: `at(...)` in UTC, no flexible window, deleted by the
 * Scheduler once they have fired (`ActionAfterCompletion: DELETE`). Creating an existing name updates
 * it (a replayed step, or a moved post); deleting a missing one reports false (it fired or is gone).
 */
export class EventBridgePostScheduler implements PostScheduler {
  constructor(private readonly target: SchedulerTarget) {}

  private input(name: string, at: string, payload: unknown): CreateScheduleCommandInput {
    return {
      Name: name,
      GroupName: this.target.group,
      ScheduleExpression: atExpression(at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Description: `publishes a scheduled post at ${at}`,
      Target: {
        Arn: this.target.targetArn,
        RoleArn: this.target.roleArn,
        Input: JSON.stringify(payload),
        // A post is an hour late at most; the publisher is idempotent, so a retry never posts twice.
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 10 },
        ...(this.target.deadLetterArn ? { DeadLetterConfig: { Arn: this.target.deadLetterArn } } : {}),
      },
    };
  }

  async schedule(name: string, at: string, payload: unknown): Promise<void> {
    const input = this.input(name, at, payload);
    try {
      await client.send(new CreateScheduleCommand(input));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
      await client.send(new UpdateScheduleCommand(input));
    }
  }

  async cancel(name: string): Promise<boolean> {
    try {
      await client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.target.group }));
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  }
}
