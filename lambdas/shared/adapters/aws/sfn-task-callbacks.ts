import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import type { TaskCallbacks } from '../../ports/index.js';

const sfn = new SFNClient({});

/**
 * Step Functions task callbacks. Failures are rethrown on purpose: swallowing one would leave the
 * execution waiting until its timeout.
 */
export const sfnTaskCallbacks: TaskCallbacks = {
  async success(token, output) {
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output ?? {}) }));
  },
  async failure(token, error, cause) {
    await sfn.send(
      new SendTaskFailureCommand({
        taskToken: token,
        error: error.slice(0, 256),
        cause: cause.slice(0, 32_768),
      }),
    );
  },
  async heartbeat(token) {
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
  },
};
