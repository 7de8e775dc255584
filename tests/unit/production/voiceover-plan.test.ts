import { describe, expect, it } from 'vitest';
import { MAX_TEMPO, planVoiceover } from '../../../lambdas/production/domain/voiceover-plan.js';

const line = (duration: number, n = 3) => ({
  duration_seconds: duration,
  words: Array.from({ length: n }, (_, i) => ({
    text: `w${i}`,
    start_seconds: (duration / n) * i,
    end_seconds: (duration / n) * (i + 1),
  })),
});

describe('planVoiceover', () => {
  it('starts each line just after its scene cut', () => {
    const plan = planVoiceover(
      [
        { sequence: 1, duration_seconds: 4 },
        { sequence: 2, duration_seconds: 5 },
      ],
      [line(2), line(2)],
    );
    expect(plan.placements.map((p) => p.offset_seconds)).toEqual([0.15, 4.15]);
    expect(plan.total_seconds).toBe(9);
  });

  it('speeds up a line that would run past the next cut, up to the tempo cap', () => {
    const plan = planVoiceover([{ sequence: 1, duration_seconds: 3 }], [line(3.975)]);
    expect(plan.placements[0]?.tempo).toBe(1.5);
    const capped = planVoiceover([{ sequence: 1, duration_seconds: 3 }], [line(9)]);
    expect(capped.placements[0]?.tempo).toBe(MAX_TEMPO);
    expect(capped.placements[0]?.placed_seconds).toBeLessThanOrEqual(3 - 0.15);
  });

  it('keeps every word inside its scene and in order', () => {
    const plan = planVoiceover(
      [
        { sequence: 1, duration_seconds: 3 },
        { sequence: 2, duration_seconds: 3 },
      ],
      [line(8, 8), line(1, 2)],
    );
    const starts = plan.words.map((w) => w.start_seconds);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(plan.words.filter((w) => w.start_seconds < 3).every((w) => w.end_seconds <= 3)).toBe(true);
  });

  it('refuses a mismatch between scenes and lines', () => {
    expect(() => planVoiceover([{ sequence: 1, duration_seconds: 3 }], [])).toThrow(/1 scenes but 0/);
  });
});
