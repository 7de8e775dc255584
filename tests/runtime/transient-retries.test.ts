import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATE_MACHINES } from '../../lambdas/catalog.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Retrier {
  ErrorEquals: string[];
  MaxAttempts?: number;
  BackoffRate?: number;
  IntervalSeconds?: number;
}
interface State {
  Type: string;
  Resource?: string;
  Retry?: Retrier[];
  Catch?: { ErrorEquals: string[] }[];
  ItemProcessor?: { States: Record<string, State> };
  Iterator?: { States: Record<string, State> };
  Branches?: { States: Record<string, State> }[];
}

function tasks(states: Record<string, State>, out: [string, State][] = []): [string, State][] {
  for (const [name, s] of Object.entries(states)) {
    if (s.Type === 'Task') out.push([name, s]);
    for (const inner of [s.ItemProcessor, s.Iterator, ...(s.Branches ?? [])])
      if (inner) tasks(inner.States, out);
  }
  return out;
}

/** The retrier Step Functions applies to an error of a Task: the first whose ErrorEquals matches it. */
function retrierFor(s: State, error: string): Retrier | undefined {
  return s.Retry?.find((r) =>
    r.ErrorEquals.some(
      (e) => e === error || e === 'States.ALL' || (e === 'States.TaskFailed' && error !== 'States.Timeout'),
    ),
  );
}
const retried = (r: Retrier | undefined) =>
  r !== undefined && (r.MaxAttempts ?? 3) > 0 && (r.BackoffRate ?? 2) >= 2;

/** A handler that crashed on a transient fault (a torn read, a reset connection, a throttled table). */
const TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.TooManyRequestsException',
  'ThrottlingException',
  'SyntaxError',
  'Error',
];

describe('transient faults', () => {
  for (const m of STATE_MACHINES) {
    const definition = JSON.parse(readFileSync(path.join(ROOT, m.file), 'utf8')) as {
      States: Record<string, State>;
    };
    for (const [name, s] of tasks(definition.States)) {
      const nested = s.Resource?.startsWith('arn:aws:states:::states:startExecution');
      if (nested) {
        it(`${m.id}.${name} retries a throttled StartExecution, and leaves a failed pillar to redrive`, () => {
          expect(retried(retrierFor(s, 'StepFunctions.ExecutionLimitExceeded'))).toBe(true);
          // The child already retried its own steps; running it again from the start would repeat them.
          expect(retried(retrierFor(s, 'States.TaskFailed'))).toBe(false);
        });
        continue;
      }
      it(`${m.id}.${name} retries transient faults with backoff before it fails`, () => {
        for (const error of TRANSIENT) expect(retried(retrierFor(s, error)), error).toBe(true);
      });
      if (s.Catch?.some((c) => c.ErrorEquals.includes('ApprovalRejected')))
        it(`${m.id}.${name} never retries a rejection (it goes to the Catch with the feedback)`, () => {
          expect(retried(retrierFor(s, 'ApprovalRejected'))).toBe(false);
        });
      if (JSON.stringify(s).includes('RequestBudgetRaise'))
        it(`${m.id}.${name} never retries a cancellation at the budget checkpoint`, () => {
          expect(retried(retrierFor(s, 'CampaignCancelled'))).toBe(false);
        });
    }
  }
});
