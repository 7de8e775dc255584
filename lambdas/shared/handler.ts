import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { logger, metrics } from './commons.js';
import { inStep } from './step-context.js';
import { parseOrThrow } from './validation.js';

/**
 * A state-machine step: validate the event with its zod schema at the edge, then call the domain
 * function. Errors keep their names so the ASL can Catch them by name.
 */
export function stepHandler<S extends z.ZodType, R>(
  name: string,
  schema: S,
  step: (input: z.infer<S>, context: Context) => Promise<R>,
) {
  return middy(async (event: unknown, context: Context): Promise<R> => {
    const input = parseOrThrow(schema, event, `${name} input`);
    return inStep(name, () => step(input, context));
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}
