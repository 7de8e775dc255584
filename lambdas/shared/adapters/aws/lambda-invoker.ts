import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionInvoker } from '../../ports/index.js';

// Locally AWS_ENDPOINT_URL_LAMBDA points this unchanged client at the embedded Lambda endpoint.
const lambda = new LambdaClient({});

export class AsyncInvokeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AsyncInvokeError';
  }
}

/** Lambda Invoke with `InvocationType: Event`: Lambda queues the event and answers 202. */
export const lambdaInvoker: FunctionInvoker = {
  async invokeAsync(functionName, payload) {
    const res = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(payload ?? null)),
      }),
    );
    if (res.StatusCode !== 202) {
      throw new AsyncInvokeError(`${functionName} did not accept the event (HTTP ${res.StatusCode})`);
    }
  },
};
