import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RENDER_ATTEMPTS } from '../../lambdas/production/domain/render-attempts.js';
import { localFunctionArn, localMachineArn } from '../../local/engine/asl-runner.js';
import { openEndpoints, type Runtime, startRuntime } from '../../local/engine/runtime.js';
import { type AslState, allStates } from '../support/asl.js';

// The scene loop of production.asl.json itself (RenderScenes' item processor, taken from the file) on
// the local runner, with SubmitRender scripted: failed attempts move along the chain, not forever.
const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-render-chain-'));
const machineArn = localMachineArn('render-chain');

type Outcome = 'fail' | 'ok' | 'exhausted' | 'throttled' | 'broken';
/** Per execution: what each call of SubmitRender does, in order; and the attempt index of each call. */
const scripts = new Map<string, Outcome[]>();
const calls = new Map<string, number[]>();
let runtime: Runtime;

beforeAll(async () => {
  const asl = JSON.parse(readFileSync(path.join(ROOT, 'state-machines/production.asl.json'), 'utf8'));
  const [, renderScenes] = allStates(asl.States).find(([name]) => name === 'RenderScenes') ?? [];
  const processor = renderScenes?.ItemProcessor as NonNullable<AslState['ItemProcessor']>;
  const file = path.join(dataDir, 'render-chain.asl.json');
  writeFileSync(
    file,
    JSON.stringify({ StartAt: processor.StartAt, States: processor.States, TimeoutSeconds: 120 }),
  );
  runtime = startRuntime({
    dataDir,
    endpoints: await openEndpoints(),
    machines: [{ arn: machineArn, name: 'render-chain', file }],
    substitutions: {
      SubmitRenderFunctionArn: localFunctionArn('submit-render'),
      RequestBudgetRaiseFunctionArn: localFunctionArn('budget-raise'),
    },
    functions: {
      [localFunctionArn('submit-render')]: async (event: unknown) => {
        const e = event as { token: string; execution: string; attempt_index: number };
        const name = e.execution.split(':').pop() as string;
        calls.set(name, [...(calls.get(name) ?? []), e.attempt_index]);
        const outcome = scripts.get(name)?.shift() ?? 'ok';
        if (outcome === 'throttled')
          throw Object.assign(new Error('429 Too Many Requests'), { name: 'ProviderRetryableError' });
        if (outcome === 'exhausted')
          throw Object.assign(new Error('every model failed'), { name: 'RenderChainExhaustedError' });
        // Our own side failing (a bug, a table that is down), not the provider.
        if (outcome === 'broken')
          throw Object.assign(new Error('table unreachable'), { name: 'NotFoundError' });
        // The provider answers later, as the webhook or the poller would.
        setTimeout(() => {
          if (outcome === 'ok')
            runtime.runner.sendTaskSuccess(e.token, JSON.stringify({ job_id: `job-${e.attempt_index}` }));
          else runtime.runner.sendTaskFailure(e.token, 'RenderFailedError', '[refused] the safety filter');
        }, 10);
        return {};
      },
      [localFunctionArn('budget-raise')]: async () => ({}),
    },
    routes: [],
    retryIntervalMs: 0,
  });
});

afterAll(async () => runtime?.stop());

async function run(name: string, outcomes: Outcome[]) {
  scripts.set(name, outcomes);
  const started = runtime.runner.startExecution({
    stateMachineArn: machineArn,
    name,
    input: {
      campaign_id: '00000000-0000-4000-8000-000000000001',
      variant_id: '00000000-0000-4000-8000-000000000002',
      script_id: '00000000-0000-4000-8000-000000000003',
      execution: `arn:aws:states:local:000000000000:execution:production:${name}`,
      scene: {
        scene_id: 's1',
        cached: false,
        cached_job_id: '',
        model: 'veo3',
        rework_round: 0,
        feedback: '',
      },
      render: { attempt: 0, last_error: '' },
    },
  });
  const done = await runtime.runner.waitForExecution(started.executionArn);
  return { done, attempts: calls.get(name) ?? [] };
}

describe('the render chain of a scene', () => {
  it('hands a failed render to the next model of the chain', async () => {
    const { done, attempts } = await run('one-failure', ['fail', 'ok']);
    expect(done.status).toBe('SUCCEEDED');
    expect(attempts).toEqual([0, 1]);
    expect(done.output).toMatchObject({ scene_id: 's1', job_id: 'job-1' });
  });

  it(`stops after ${MAX_RENDER_ATTEMPTS} failed renders and ends the scene unrendered, not failed`, async () => {
    const { done, attempts } = await run('all-fail', ['fail', 'fail', 'fail', 'ok']);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toEqual({ scene_id: 's1', unrendered: true, model: 'veo3', rework_round: 0 });
    expect(attempts).toEqual([0, 1, 2]);
  });

  it('ends the scene unrendered at once when SubmitRender says a shorter chain is spent', async () => {
    const { done, attempts } = await run('short-chain', ['fail', 'exhausted']);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toMatchObject({ scene_id: 's1', unrendered: true });
    expect(attempts).toEqual([0, 1]);
  });

  it('still fails the scene when its last attempt failed on our side, not at the provider', async () => {
    const { done, attempts } = await run('infra', ['fail', 'fail', 'broken']);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('SceneRenderFailed');
    expect(attempts).toEqual([0, 1, 2]);
  });

  it('retries a rate-limited submit on the same model, not the next', async () => {
    const { done, attempts } = await run('throttled', ['throttled', 'throttled', 'ok']);
    expect(done.status).toBe('SUCCEEDED');
    expect(attempts).toEqual([0, 0, 0]);
  });
});
