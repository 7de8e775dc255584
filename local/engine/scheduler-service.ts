import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { serveService } from '../deployed/services/protocol.js';
import type { LambdaContext, LambdaHandler } from './asl-runner.js';
import { LocalScheduler } from './scheduler.js';

/** The schedule group and role the embedded runtime gives scheduled posts (the stack makes real ones). */
export const LOCAL_POST_SCHEDULE_GROUP = 'bie-posts';
export const LOCAL_SCHEDULER_ROLE_ARN = 'arn:aws:iam::000000000000:role/bie-post-scheduler';

/**
 * The embedded runtime's EventBridge Scheduler: the emulator on a loopback port (the unchanged SDK
 * client finds it through AWS_ENDPOINT_URL_SCHEDULER), persisted under `<data>/scheduler`, firing the
 * target function in-process. `env` goes into the environment before handler modules load; `start`
 * arms the stored schedules once the handlers exist.
 */
export async function startLocalScheduler(dataDir: string) {
  const scheduler = new LocalScheduler({
    dataDir: path.join(dataDir, 'scheduler'),
    region: 'us-east-1',
    account: '000000000000',
    groups: [LOCAL_POST_SCHEDULE_GROUP],
  });
  const server = await serveService(scheduler.handle);
  return {
    scheduler,
    env: {
      AWS_ENDPOINT_URL_SCHEDULER: server.url,
      POST_SCHEDULE_GROUP: LOCAL_POST_SCHEDULE_GROUP,
      POST_SCHEDULER_ROLE_ARN: LOCAL_SCHEDULER_ROLE_ARN,
    },
    /** `functions`: handler by function ARN, as the ASL runner has them. */
    start(functions: Record<string, LambdaHandler>) {
      scheduler.start(async (arn, input) => {
        const handler = functions[arn];
        if (!handler) throw new Error(`schedule target ${arn} is not a function of this runtime`);
        await handler(input, localContext(arn));
      });
    },
    /** No more fires (fires in flight finish); the API stays up for steps still running. */
    stopFiring: () => scheduler.stop(),
    async stop() {
      await scheduler.stop();
      await server.close();
    },
  };
}

function localContext(arn: string): LambdaContext {
  const name = arn.slice(arn.lastIndexOf(':') + 1);
  return {
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: arn,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 300_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
