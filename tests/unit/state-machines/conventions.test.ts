import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, STATE_MACHINES } from '../../../lambdas/catalog.js';
import {
  MAX_RENDER_ATTEMPTS,
  renderTimeoutSeconds,
} from '../../../lambdas/production/domain/render-attempts.js';
import { VideoModelName } from '../../../lambdas/shared/contracts/index.js';
import {
  type AslDefinition,
  type AslState,
  allStates,
  fakeSubstitutions,
  readAsl,
  substitute,
} from '../../support/asl.js';
import { chargingFunctions } from '../../support/chargers.js';

const require = createRequire(import.meta.url);
type Validator = (
  def: unknown,
  opts?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errorsText: (sep?: string) => string };
const aslValidator = require('asl-validator') as Validator;

/** Our conventions as predicates, so each has a compliance and a noncompliance test. */
const taskProblems = (name: string, s: AslState, caughtAround = false): string[] => {
  if (s.Type !== 'Task') return [];
  const problems: string[] = [];
  if (!s.Retry?.some((r) => (r.BackoffRate ?? 0) >= 2 && (r.MaxAttempts ?? 0) > 0))
    problems.push(`${name}: no Retry with backoff`);
  if (!s.Catch?.length && !caughtAround) problems.push(`${name}: no Catch`);
  if (!s.TimeoutSeconds) problems.push(`${name}: no TimeoutSeconds`);
  if (
    String(s.Resource).endsWith('.waitForTaskToken') &&
    !String(JSON.stringify(s.Parameters)).includes('$$.Task.Token')
  ) {
    problems.push(`${name}: waits for a token it never hands out`);
  }
  return problems;
};
/**
 * States inside a Parallel branch whose Parallel catches every error: an error they do not catch ends
 * the branches and is caught there (a branch cannot go to a state outside it, like RecordFailure).
 */
const caughtByParallel = (states: Record<string, AslState>): Set<string> => {
  const caught = new Set<string>();
  for (const [, s] of allStates(states))
    if (s.Type === 'Parallel' && s.Catch?.some((c) => c.ErrorEquals.includes('States.ALL')))
      for (const b of s.Branches ?? []) for (const [n] of allStates(b.States)) caught.add(n);
  return caught;
};

/**
 * A Task whose function can throw BudgetExceededError must catch it first (before any States.ALL) and
 * go to a budget checkpoint: a `.waitForTaskToken` on RequestBudgetRaise, with a TimeoutSeconds, that
 * returns to the very same Task (which then runs again, now within the raised budget).
 */
const budgetProblems = (
  name: string,
  s: AslState,
  states: Map<string, AslState>,
  chargers: readonly string[],
): string[] => {
  if (s.Type !== 'Task') return [];
  const fn = String((s.Parameters as { FunctionName?: string } | undefined)?.FunctionName ?? '');
  if (!chargers.some((id) => fn === `\${${id}FunctionArn}`)) return [];
  const catches = s.Catch ?? [];
  const at = catches.findIndex((c) => c.ErrorEquals.includes('BudgetExceededError'));
  if (at < 0) return [`${name}: does not catch BudgetExceededError`];
  const all = catches.findIndex((c) => c.ErrorEquals.includes('States.ALL'));
  const problems: string[] = [];
  if (all >= 0 && all < at) problems.push(`${name}: catches States.ALL before BudgetExceededError`);
  // The first retrier that matches it (by name or as a wildcard) must not retry: a refusal is final.
  const retrier = (s.Retry ?? []).find((r) =>
    r.ErrorEquals.some((e) => e === 'BudgetExceededError' || e === 'States.TaskFailed' || e === 'States.ALL'),
  );
  if ((retrier?.MaxAttempts ?? 0) > 0) problems.push(`${name}: retries BudgetExceededError`);
  const pauseName = catches[at]?.Next as string;
  const pause = states.get(pauseName);
  const pauseFn = (pause?.Parameters as { FunctionName?: string } | undefined)?.FunctionName;
  if (
    pause?.Resource !== 'arn:aws:states:::lambda:invoke.waitForTaskToken' ||
    pauseFn !== '${RequestBudgetRaiseFunctionArn}'
  )
    problems.push(`${name}: BudgetExceededError goes to ${pauseName}, not a RequestBudgetRaise checkpoint`);
  else {
    if (pause.Next !== name)
      problems.push(`${name}: its budget checkpoint ${pauseName} does not return to it`);
    if (!pause.TimeoutSeconds)
      problems.push(`${name}: its budget checkpoint ${pauseName} waits without a timeout`);
  }
  return problems;
};
const usesJsonata = (raw: string): boolean => /"QueryLanguage"\s*:\s*"JSONata"|\{%|"Assign"\s*:/.test(raw);

/** Found in the handlers' code (tests/support/chargers.ts), not listed by hand. */
const chargers = chargingFunctions();

describe('state machine files', () => {
  it('has exactly the orchestrator and the five pillars', () => {
    expect(STATE_MACHINES.map((m) => m.file).sort()).toEqual([
      'state-machines/broadcaster.asl.json',
      'state-machines/campaign-manager.asl.json',
      'state-machines/campaign.asl.json',
      'state-machines/copywriter.asl.json',
      'state-machines/production.asl.json',
      'state-machines/strategist.asl.json',
    ]);
  });

  for (const machine of STATE_MACHINES) {
    describe(machine.file, () => {
      const { raw, definition } = readAsl(machine.file);
      const states = allStates(definition.States);

      it('is valid ASL after substitution (asl-validator, ARN and path checks on)', () => {
        const substituted = JSON.parse(substitute(raw, fakeSubstitutions())) as AslDefinition;
        const result = aslValidator(substituted, { checkArn: true, checkPaths: true });
        expect(result.isValid ? '' : result.errorsText('\n')).toBe('');
        expect(result.isValid).toBe(true);
      });

      it('uses only placeholders the catalog can fill', () => {
        expect(() => substitute(raw, fakeSubstitutions())).not.toThrow();
      });

      it('is JSONPath only: no JSONata, no Assign', () => {
        expect(usesJsonata(raw)).toBe(false);
      });

      it('gives every Task a Retry with backoff, a Catch and a TimeoutSeconds', () => {
        const caught = caughtByParallel(definition.States);
        expect(states.flatMap(([n, s]) => taskProblems(n, s, caught.has(n)))).toEqual([]);
      });

      it('pauses every Task that can throw BudgetExceededError at a budget checkpoint that returns to it', () => {
        const byName = new Map(states);
        expect(states.flatMap(([n, s]) => budgetProblems(n, s, byName, chargers))).toEqual([]);
      });

      it('has unique state names, nested states included', () => {
        const names = states.map(([n]) => n);
        expect(names.length).toBe(new Set(names).size);
      });

      it('sets a machine-level TimeoutSeconds', () => {
        expect(definition.TimeoutSeconds).toBeGreaterThan(0);
      });
    });
  }

  it('references every step function of the catalog from some state machine', () => {
    const all = STATE_MACHINES.map((m) => readAsl(m.file).raw).join('\n');
    const unused = FUNCTIONS.filter((f) => f.pillar !== 'api' && !f.schedule && !f.invokedBy).filter(
      (f) => !all.includes(`\${${f.id}FunctionArn}`),
    );
    expect(unused.map((f) => f.id)).toEqual([]);
  });
});

describe('the orchestrator', () => {
  const { definition } = readAsl('state-machines/campaign.asl.json');
  const states = allStates(definition.States);
  const byName = new Map(states);

  it('waits for a human at the four checkpoints with task tokens', () => {
    const approval = ([, s]: [string, AslState]) =>
      String(s.Resource).endsWith('.waitForTaskToken') &&
      (s.Parameters as { FunctionName?: string }).FunctionName === '${RequestApprovalFunctionArn}';
    const checkpoints = states
      .filter(approval)
      .map(([, s]) => (s.Parameters?.Payload as { checkpoint?: string } | undefined)?.checkpoint);
    const broadcaster = allStates(readAsl('state-machines/broadcaster.asl.json').definition.States)
      .filter(approval)
      .map(([, s]) => (s.Parameters?.Payload as { checkpoint?: string } | undefined)?.checkpoint);
    expect([...checkpoints, ...broadcaster].sort()).toEqual(['brief', 'publication', 'script', 'video']);
  });

  it('starts every pillar as a nested .sync:2 execution', () => {
    const started = states
      .filter(([, s]) => s.Resource === 'arn:aws:states:::states:startExecution.sync:2')
      .map(([, s]) => String(s.Parameters?.StateMachineArn));
    expect(started.sort()).toEqual([
      '${BroadcasterStateMachineArn}',
      '${CampaignManagerStateMachineArn}',
      '${CopywriterStateMachineArn}',
      '${ProductionStateMachineArn}',
      '${StrategistStateMachineArn}',
    ]);
  });

  it('lets each nested pillar run as long as its own timeout, which holds a week-long budget checkpoint', () => {
    const machineOf = (arn: string) =>
      STATE_MACHINES.find((m) => arn === `\${${m.id}StateMachineArn}`) as (typeof STATE_MACHINES)[number];
    for (const [name, s] of states.filter(([, st]) => st.Resource?.startsWith('arn:aws:states:::states:'))) {
      const child = readAsl(machineOf(String(s.Parameters?.StateMachineArn)).file).definition;
      const pauses = allStates(child.States).filter(
        ([, c]) =>
          (c.Parameters as { FunctionName?: string } | undefined)?.FunctionName ===
          '${RequestBudgetRaiseFunctionArn}',
      );
      expect(s.TimeoutSeconds, name).toBeGreaterThanOrEqual(child.TimeoutSeconds as number);
      for (const [pauseName, p] of pauses)
        expect(child.TimeoutSeconds as number, pauseName).toBeGreaterThan(p.TimeoutSeconds as number);
    }
  });

  it('runs variants in a Map state', () => {
    expect(byName.get('ProduceVariants')?.Type).toBe('Map');
  });

  it('loops a rejected brief back to the Strategist with the feedback', () => {
    const approve = byName.get('ApproveBrief');
    expect(approve?.Catch?.[0]).toMatchObject({ ErrorEquals: ['ApprovalRejected'], Next: 'ReviseBrief' });
    expect(byName.get('CanReviseBrief')).toMatchObject({ Choices: [{ Next: 'RunStrategist' }] });
  });

  it('sends a rejection of named scenes to production with the scenes, and a whole rejection with none', () => {
    const approve = byName.get('ApproveVideo');
    expect(approve?.Catch?.find((c) => c.ErrorEquals.includes('ScenesRejected'))?.Next).toBe('ReviseScenes');
    expect(byName.get('ReviseScenes')).toMatchObject({
      Parameters: { feedback: '', 'rework.$': 'States.StringToJson($.rejection.Cause)' },
      Next: 'CanReviseVideo',
    });
    expect(byName.get('ReviseVideo')).toMatchObject({ Parameters: { rework: { scenes: [] } } });
  });
});

describe('the production house', () => {
  const states = new Map(allStates(readAsl('state-machines/production.asl.json').definition.States));

  it('renders scenes in a Map as callback tasks with a heartbeat and a fallback chain', () => {
    expect(states.get('RenderScenes')?.Type).toBe('Map');
    const render = states.get('RenderScene');
    expect(render?.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(render?.HeartbeatSeconds).toBeGreaterThan(0);
    expect(render?.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'))?.Next).toBe('NextRenderAttempt');
    expect(states.get('NextRenderAttempt')?.Next).toBe('CanRenderAgain');
    expect(states.get('CanRenderAgain')).toMatchObject({
      Choices: [{ Variable: '$.render.attempt', NumericLessThan: MAX_RENDER_ATTEMPTS, Next: 'RenderScene' }],
      Default: 'ChainSpent',
    });
  });

  it('ends a scene whose chain the providers failed unrendered, and fails it on any other last error', () => {
    expect(
      states.get('RenderScene')?.Catch?.find((c) => c.ErrorEquals.includes('RenderChainExhaustedError'))
        ?.Next,
    ).toBe('ChainSpent');
    expect(states.get('ChainSpent')).toMatchObject({
      Choices: [
        { Variable: '$.render.last_error', StringEquals: 'RenderFailedError', Next: 'SceneUnrendered' },
      ],
      Default: 'SceneFailed',
    });
    expect(states.get('SceneUnrendered')).toMatchObject({ Type: 'Pass', End: true });
  });

  it('heartbeats outlive the poll interval and the task outlives the longest render', () => {
    const render = states.get('RenderScene');
    // The poller runs every minute and heartbeats every job in flight.
    expect(render?.HeartbeatSeconds).toBeGreaterThanOrEqual(5 * 60);
    for (const model of VideoModelName.options)
      expect(render?.TimeoutSeconds).toBeGreaterThan(renderTimeoutSeconds(model) + 5 * 60);
  });

  it('moves to the next model at once on a failed render and retries a rate-limited provider with backoff', () => {
    const retry = states.get('RenderScene')?.Retry ?? [];
    const first = (error: string) => retry.find((r) => r.ErrorEquals.includes(error));
    expect(first('RenderFailedError')?.MaxAttempts).toBe(0);
    expect(first('ProviderRetryableError')).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL' });
    expect(first('ProviderRetryableError')?.MaxAttempts).toBeGreaterThan(0);
  });

  it('checks every clip and sends only failing scenes back to the plan', () => {
    expect(states.get('RenderScenes')?.Next).toBe('CheckClips');
    expect(states.get('CheckClips')?.Next).toBe('ClipsGate');
    expect(states.get('ClipsGate')).toMatchObject({
      Choices: [{ Variable: '$.clip_check.rework_again', Next: 'ReworkScenes' }],
      Default: 'PictureReady',
    });
    expect(states.get('ReworkScenes')).toMatchObject({ ResultPath: '$.rework', Next: 'PlanRenders' });
  });
});

describe('the convention checks themselves', () => {
  it('flag a Task without Retry, Catch or timeout', () => {
    expect(taskProblems('Bare', { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke' })).toHaveLength(
      3,
    );
  });
  it('let a Task in a Parallel branch rely on the Parallel’s Catch, and only then', () => {
    const task: AslState = { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke' };
    const parallel = (Catch?: AslState['Catch']): Record<string, AslState> => ({
      Both: { Type: 'Parallel', Branches: [{ StartAt: 'Inner', States: { Inner: task } }], Catch, End: true },
    });
    expect(caughtByParallel(parallel([{ ErrorEquals: ['States.ALL'], Next: 'X' }])).has('Inner')).toBe(true);
    expect(caughtByParallel(parallel()).has('Inner')).toBe(false);
  });
  it('flag a token wait that never passes the token', () => {
    const s: AslState = {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { Payload: {} },
      Retry: [{ ErrorEquals: ['States.ALL'], BackoffRate: 2, MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X' }],
      TimeoutSeconds: 5,
    };
    expect(taskProblems('Wait', s)).toEqual(['Wait: waits for a token it never hands out']);
  });
  describe('for budgets', () => {
    const task = (catches: { ErrorEquals: string[]; Next: string }[]): AslState => ({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: '${PayFunctionArn}' },
      Catch: catches,
    });
    const pause = (next: string, timeout = 604800): AslState => ({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: '${RequestBudgetRaiseFunctionArn}',
        Payload: { 'token.$': '$$.Task.Token' },
      },
      TimeoutSeconds: timeout,
      Next: next,
    });
    const budget = { ErrorEquals: ['BudgetExceededError'], Next: 'PayBudgetPause' };
    const all = { ErrorEquals: ['States.ALL'], Next: 'RecordFailure' };

    it('accept a paying Task that pauses at a checkpoint returning to it', () => {
      const states = new Map([['PayBudgetPause', pause('Pay')]]);
      expect(budgetProblems('Pay', task([budget, all]), states, ['Pay'])).toEqual([]);
    });
    it('ignore a Task whose function never charges', () => {
      expect(budgetProblems('Pay', task([all]), new Map(), ['Other'])).toEqual([]);
    });
    it('flag a paying Task without the Catch, or with States.ALL first', () => {
      const states = new Map([['PayBudgetPause', pause('Pay')]]);
      expect(budgetProblems('Pay', task([all]), states, ['Pay'])).toEqual([
        'Pay: does not catch BudgetExceededError',
      ]);
      expect(budgetProblems('Pay', task([all, budget]), states, ['Pay'])).toEqual([
        'Pay: catches States.ALL before BudgetExceededError',
      ]);
    });
    it('flag a paying Task that retries the refusal before pausing', () => {
      const states = new Map([['PayBudgetPause', pause('Pay')]]);
      const retried = {
        ...task([budget, all]),
        Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2, BackoffRate: 2 }],
      };
      expect(budgetProblems('Pay', retried, states, ['Pay'])).toEqual(['Pay: retries BudgetExceededError']);
      const final = {
        ...retried,
        Retry: [{ ErrorEquals: ['BudgetExceededError'], MaxAttempts: 0 }, ...(retried.Retry ?? [])],
      };
      expect(budgetProblems('Pay', final, states, ['Pay'])).toEqual([]);
    });
    it('flag a checkpoint that goes elsewhere, or waits without a timeout', () => {
      expect(
        budgetProblems('Pay', task([budget]), new Map([['PayBudgetPause', pause('Next')]]), ['Pay']),
      ).toEqual(['Pay: its budget checkpoint PayBudgetPause does not return to it']);
      expect(
        budgetProblems('Pay', task([budget]), new Map([['PayBudgetPause', pause('Pay', 0)]]), ['Pay']),
      ).toEqual(['Pay: its budget checkpoint PayBudgetPause waits without a timeout']);
      expect(budgetProblems('Pay', task([{ ...budget, Next: 'RecordFailure' }]), new Map(), ['Pay'])).toEqual(
        ['Pay: BudgetExceededError goes to RecordFailure, not a RequestBudgetRaise checkpoint'],
      );
    });
  });
  it('flag JSONata and Assign', () => {
    expect(usesJsonata('{"QueryLanguage": "JSONata"}')).toBe(true);
    expect(usesJsonata('{"Assign": {"x": 1}}')).toBe(true);
    expect(usesJsonata('{"Parameters": {"a.$": "$.b"}}')).toBe(false);
  });
});
