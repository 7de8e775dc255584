import { describe, expect, it } from 'vitest';
import { rootFailure } from '../../../lambdas/campaign-manager/domain/failures.js';
import { renderListPrice } from '../../../lambdas/production/domain/router.js';
import { chargeFor, listPriceMicros, renderCostUsd } from '../../../lambdas/shared/charges.js';
import { ENV_ROLES } from '../../../lambdas/shared/config/index.js';
import { crossedLevels } from '../../../lambdas/shared/data/ledger.js';
import { BudgetExceededError } from '../../../lambdas/shared/errors.js';
import { inStep, stepLabel } from '../../../lambdas/shared/step-context.js';
import { chargingFunctions } from '../../support/chargers.js';

const live = { request: { rehearse: undefined } } as never;
const rehearsal = { request: { rehearse: true } } as never;

describe('what a step is charged', () => {
  it('is nothing for an offline stand-in, outside a rehearsal', () => {
    expect(chargeFor(live, 'offline', 25_000)).toEqual({ micros: 0, rehearsal: false });
  });

  it('is the list price of the stood-in model for an offline stand-in in a rehearsal', () => {
    expect(chargeFor(rehearsal, 'offline', 25_000)).toEqual({ micros: 25_000, rehearsal: true });
    expect(renderCostUsd(rehearsal, 'offline', renderListPrice('sora', 4))).toBe(0.4);
    expect(renderCostUsd(live, 'offline', renderListPrice('sora', 4))).toBe(0);
  });

  it('is always the real price for a real provider, rehearsal or not', () => {
    expect(chargeFor(rehearsal, 'openai', 25_000, 24_000)).toEqual({ micros: 24_000, rehearsal: false });
    expect(chargeFor(live, 'openai', 25_000)).toEqual({ micros: 25_000, rehearsal: false });
  });
});

describe('list prices', () => {
  it('price tokens at the blended rate per million, in micro-dollars', () => {
    // gpt-4o: ($2.50 + $10) / 2 per million tokens → 4,000 tokens = $0.025.
    expect(
      listPriceMicros(
        { model: 'offline-creative-engine', provider: 'offline', units: 4000, unit: 'tokens' },
        'creative_brief',
      ),
    ).toEqual({
      model: 'gpt-4o',
      micros: 25_000,
    });
    expect(
      listPriceMicros({ model: 'offline-espeak-ng', provider: 'offline', units: 1000, unit: 'characters' }),
    ).toEqual({
      model: 'polly-neural',
      micros: 16_000,
    });
    expect(
      listPriceMicros({ model: 'local-outbox', provider: 'offline', units: 1, unit: 'requests' }).micros,
    ).toBe(0);
  });

  it('price a render per second, to the micro-dollar', () => {
    expect(renderListPrice('veo3', 4.5)).toBe(0.45);
    expect(renderListPrice('veo3', 4, true)).toBe(0.6);
    expect(renderListPrice('nano_b', 3)).toBe(0.06);
  });
});

describe('budget alerts', () => {
  it('are crossed once per level, by the charge that reaches it', () => {
    expect(crossedLevels(0, 4_999_999, 10_000_000)).toEqual([]);
    expect(crossedLevels(4_999_999, 5_000_000, 10_000_000)).toEqual([0.5]);
    expect(crossedLevels(5_000_000, 7_000_000, 10_000_000)).toEqual([]);
    expect(crossedLevels(0, 10_000_000, 10_000_000)).toEqual([0.5, 0.75, 0.9]);
  });

  it('are exact at tiny budgets', () => {
    // 9 of 10 micro-dollars is 90 %, not 89.99999 %.
    expect(crossedLevels(8, 9, 10)).toEqual([0.9]);
    expect(crossedLevels(0, 1, 0)).toEqual([]);
  });
});

describe('a failure', () => {
  it('is unwrapped from nested executions and Lambda errors to what happened', () => {
    const lambda = JSON.stringify({
      errorType: 'BudgetExceededError',
      errorMessage: 'budget of $5.00 exceeded at X',
    });
    const child = JSON.stringify({
      ExecutionArn: 'arn:child',
      Status: 'FAILED',
      Error: 'CampaignCancelled',
      Cause: 'cancelled by ops',
    });
    const grandchild = JSON.stringify({
      ExecutionArn: 'arn:p',
      Status: 'FAILED',
      Error: 'States.TaskFailed',
      Cause: child,
    });
    expect(rootFailure({ Error: 'BudgetExceededError', Cause: lambda })).toEqual({
      error: 'BudgetExceededError',
      cause: 'budget of $5.00 exceeded at X',
    });
    expect(rootFailure({ Error: 'States.TaskFailed', Cause: grandchild })).toEqual({
      error: 'CampaignCancelled',
      cause: 'cancelled by ops',
    });
    expect(rootFailure({ Error: 'VariantFailed', Cause: 'a variant failed' })).toEqual({
      error: 'VariantFailed',
      cause: 'a variant failed',
    });
  });

  it('that is a budget refusal names the step running when it was thrown', () => {
    const error = inStep(
      'SubmitRender',
      () =>
        new BudgetExceededError('c', {
          limitMicros: 1,
          spentMicros: 1,
          needMicros: 1,
          step: stepLabel('SubmitRender'),
        }),
    );
    expect(error.message).toContain('at Production/SubmitRender:');
  });
});

describe('the functions that charge', () => {
  it('are exactly the ones allowed to announce budget alerts (found in the code)', () => {
    expect(chargingFunctions()).toEqual([...ENV_ROLES.budgetChargers].sort());
  });
});
