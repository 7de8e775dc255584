import { describe, expect, it } from 'vitest';
import {
  describeBudgetRefusal,
  formatUsd,
  parseBudgetRefusal,
  parseUsd,
  toMicros,
  toUsd,
} from '../../../lambdas/shared/money.js';

describe('micro-dollars', () => {
  it('convert dollars to whole micro-dollars without floating-point residue', () => {
    expect(toMicros(0.07)).toBe(70_000);
    expect(toMicros(0.000001)).toBe(1);
    expect(toMicros(4.93)).toBe(4_930_000);
    expect(toMicros(150)).toBe(150_000_000);
    expect(toUsd(toMicros(0.1) * 3)).toBe(0.3);
  });

  it('refuse amounts that are not money', () => {
    expect(() => toMicros(Number.NaN)).toThrow(RangeError);
    expect(() => toMicros(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => toMicros(1e12)).toThrow(RangeError);
  });

  it('add 10,000 charges of $0.000001 to exactly $0.01, where dollars in floating point drift', () => {
    // Prepare
    const charges = Array.from({ length: 10_000 }, () => 0.000001);
    // Act
    const micros = charges.reduce((t, c) => t + toMicros(c), 0);
    const floats = charges.reduce((t, c) => t + c, 0);
    // Assess
    expect(micros).toBe(10_000);
    expect(toUsd(micros)).toBe(0.01);
    expect(floats).not.toBe(0.01);
    // The 10,001st does not fit in a $0.01 budget: remaining 0 < 1.
    expect(toMicros(0.01) - micros >= toMicros(0.000001)).toBe(false);
  });

  it('sum 200 × $0.07 exactly, so a $5 budget lets exactly 71 through', () => {
    let remaining = toMicros(5);
    let accepted = 0;
    for (let i = 0; i < 200; i++) {
      if (remaining >= toMicros(0.07)) {
        remaining -= toMicros(0.07);
        accepted++;
      }
    }
    expect(accepted).toBe(71);
    expect(remaining).toBe(30_000);
  });

  it('print two decimals, more only when the cents do not say it all', () => {
    expect(formatUsd(5_000_000)).toBe('$5.00');
    expect(formatUsd(4_930_000)).toBe('$4.93');
    expect(formatUsd(12_500)).toBe('$0.0125');
    expect(formatUsd(1)).toBe('$0.000001');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(1_234_567_890)).toBe('$1,234.56789');
  });

  it('parse what they print back, exactly', () => {
    for (const m of [0, 1, 10_000, 4_930_000, 1_234_567_890, 99_999_999_999])
      expect(parseUsd(formatUsd(m))).toBe(m);
    expect(parseUsd('5 dollars')).toBeUndefined();
  });
});

describe('a budget refusal', () => {
  const refusal = {
    limitMicros: 5_000_000,
    spentMicros: 4_930_000,
    needMicros: 500_000,
    step: 'Production/SubmitRender (scene 3)',
  };

  it('names the budget, the amount spent, what the step needs and the step', () => {
    expect(describeBudgetRefusal(refusal)).toBe(
      'budget of $5.00 exceeded at Production/SubmitRender (scene 3): $4.93 spent, this step needs $0.50',
    );
  });

  it('is read back from a message or a Step Functions cause that carries it', () => {
    const cause = JSON.stringify({
      errorType: 'BudgetExceededError',
      errorMessage: describeBudgetRefusal(refusal),
    });
    expect(parseBudgetRefusal(describeBudgetRefusal(refusal))).toEqual(refusal);
    expect(parseBudgetRefusal(cause)).toEqual(refusal);
    expect(parseBudgetRefusal('something else failed')).toBeUndefined();
  });
});
