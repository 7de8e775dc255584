import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  DEFAULT_RENDER_TIMEOUT_SECONDS,
  MAX_RENDER_ATTEMPTS,
  nextModel,
  renderChain,
  renderJobIdFor,
  renderTimeoutSeconds,
  withProviderRetries,
} from '../../../lambdas/production/domain/render-attempts.js';
import { fallbackModel } from '../../../lambdas/production/domain/router.js';
import { ProviderRetryableError } from '../../../lambdas/shared/ports/index.js';

describe('the render chain', () => {
  it('starts with the routed model and goes on with its fallback inside the tier', () => {
    const chain = renderChain('veo3', 'standard');
    expect(chain[0]).toBe('veo3');
    expect(chain[1]).toBe(fallbackModel('veo3', 'standard'));
    expect(new Set(chain).size).toBe(chain.length);
  });

  it('hands out the models in order and nothing once the chain or the attempt limit is spent', () => {
    const chain = ['veo3', 'seedream', 'nano_b', 'sora'] as const;
    expect([0, 1, 2].map((i) => nextModel(chain, i))).toEqual(['veo3', 'seedream', 'nano_b']);
    expect(nextModel(chain, MAX_RENDER_ATTEMPTS)).toBeUndefined();
    expect(nextModel(['veo3'], 1)).toBeUndefined();
    expect(nextModel(chain, -1)).toBeUndefined();
  });

  it('gives each attempt and each rework round its own job, and round 0 the id it always had', () => {
    const first = renderJobIdFor('exec', 'scene', 'veo3');
    expect(renderJobIdFor('exec', 'scene', 'veo3', 0)).toBe(first);
    expect(
      new Set([
        first,
        renderJobIdFor('exec', 'scene', 'seedream'),
        renderJobIdFor('exec', 'scene', 'veo3', 1),
      ]).size,
    ).toBe(3);
  });

  it('times a render out after 45 minutes when the model sets no limit', () => {
    expect(renderTimeoutSeconds('veo3')).toBe(DEFAULT_RENDER_TIMEOUT_SECONDS);
    expect(DEFAULT_RENDER_TIMEOUT_SECONDS).toBe(2700);
  });
});

describe('provider retries', () => {
  const opts = (waits: number[]) => ({
    tries: 3,
    baseMs: 1000,
    maxMs: 20_000,
    random: () => 0.5,
    sleep: async (ms: number) => void waits.push(ms),
  });

  it('wait what the provider asks for (Retry-After), else exponentially with jitter, capped', () => {
    expect(backoffMs(1, 7, { baseMs: 1000, maxMs: 20_000 })).toBe(7000);
    expect(
      [1, 2, 3].map((r) => backoffMs(r, undefined, { baseMs: 1000, maxMs: 20_000, random: () => 1 })),
    ).toEqual([1000, 2000, 4000]);
    expect(backoffMs(10, undefined, { baseMs: 1000, maxMs: 20_000, random: () => 1 })).toBe(20_000);
    expect(backoffMs(3, undefined, { baseMs: 1000, maxMs: 20_000, random: () => 0.25 })).toBe(1000);
  });

  it('retry a 429 and return the answer that follows', async () => {
    const waits: number[] = [];
    let calls = 0;
    const out = await withProviderRetries(async () => {
      calls++;
      if (calls === 1) throw new ProviderRetryableError('429 Too Many Requests', 3);
      if (calls === 2) throw new ProviderRetryableError('503');
      return 'ok';
    }, opts(waits));
    expect(out).toBe('ok');
    expect(waits).toEqual([3000, 1000]);
  });

  /** Runs withProviderRetries over a call that always throws `error`; counts calls and waits. */
  const alwaysFailing = (error: Error) => {
    const waits: number[] = [];
    let calls = 0;
    const run = withProviderRetries(async () => {
      calls++;
      throw error;
    }, opts(waits));
    return { run, waits, calls: () => calls };
  };

  it('stop after the bounded number of calls and let the error go up', async () => {
    const { run, waits, calls } = alwaysFailing(new ProviderRetryableError('502'));
    await expect(run).rejects.toThrow('502');
    expect(calls()).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('leave a Retry-After longer than the cap to the state machine instead of sleeping in the function', async () => {
    const { run, waits } = alwaysFailing(new ProviderRetryableError('429', 120));
    await expect(run).rejects.toMatchObject({ name: 'ProviderRetryableError', retryAfterSeconds: 120 });
    expect(waits).toEqual([]);
  });

  it('never retry an error that is not retryable (a refusal, a bad request)', async () => {
    const { run, calls } = alwaysFailing(new Error('400 invalid prompt'));
    await expect(run).rejects.toThrow('400 invalid prompt');
    expect(calls()).toBe(1);
  });
});
