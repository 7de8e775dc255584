import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../../lambdas/shared/map-limit.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('mapLimit', () => {
  it('keeps the items’ order and never has more than the limit in flight', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;

    // Act
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n, i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      for (let k = 0; k < n; k++) await tick();
      inFlight--;
      return `${i}:${n}`;
    });

    // Assess
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3']);
    expect(most).toBe(2);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    const run = mapLimit([1, 2, 3, 4], 1, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('two failed');
      return n;
    });
    await expect(run).rejects.toThrow('two failed');
    expect(started).toEqual([1, 2]);
  });
});
