import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, STATE_MACHINES } from '../../../lambdas/catalog.js';
import {
  type AslDefinition,
  type AslState,
  allStates,
  fakeSubstitutions,
  readAsl,
  substitute,
} from '../../support/asl.js';

const require = createRequire(import.meta.url);
type Validator = (
  def: unknown,
  opts?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errorsText: (sep?: string) => string };
const aslValidator = require('asl-validator') as Validator;

/** Our conventions as predicates, so each has a compliance and a noncompliance test. */
const taskProblems = (name: string, s: AslState): string[] => {
  if (s.Type !== 'Task') return [];
  const problems: string[] = [];
  if (!s.Retry?.some((r) => (r.BackoffRate ?? 0) >= 2 && (r.MaxAttempts ?? 0) > 0))
    problems.push(`${name}: no Retry with backoff`);
  if (!s.Catch?.length) problems.push(`${name}: no Catch`);
  if (!s.TimeoutSeconds) problems.push(`${name}: no TimeoutSeconds`);
  if (
    String(s.Resource).endsWith('.waitForTaskToken') &&
    !String(JSON.stringify(s.Parameters)).includes('$$.Task.Token')
  ) {
    problems.push(`${name}: waits for a token it never hands out`);
  }
  return problems;
};
const usesJsonata = (raw: string): boolean => /"QueryLanguage"\s*:\s*"JSONata"|\{%|"Assign"\s*:/.test(raw);

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
        expect(states.flatMap(([n, s]) => taskProblems(n, s))).toEqual([]);
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
    const checkpoints = states
      .filter(([, s]) => String(s.Resource).endsWith('.waitForTaskToken'))
      .map(([, s]) => (s.Parameters?.Payload as { checkpoint?: string } | undefined)?.checkpoint);
    const broadcaster = allStates(readAsl('state-machines/broadcaster.asl.json').definition.States)
      .filter(([, s]) => String(s.Resource).endsWith('.waitForTaskToken'))
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

  it('runs variants in a Map state', () => {
    expect(byName.get('ProduceVariants')?.Type).toBe('Map');
  });

  it('loops a rejected brief back to the Strategist with the feedback', () => {
    const approve = byName.get('ApproveBrief');
    expect(approve?.Catch?.[0]).toMatchObject({ ErrorEquals: ['ApprovalRejected'], Next: 'ReviseBrief' });
    expect(byName.get('CanReviseBrief')).toMatchObject({ Choices: [{ Next: 'RunStrategist' }] });
  });
});

describe('the production house', () => {
  const states = new Map(allStates(readAsl('state-machines/production.asl.json').definition.States));

  it('renders scenes in a Map as callback tasks with a heartbeat and a fallback model', () => {
    expect(states.get('RenderScenes')?.Type).toBe('Map');
    const render = states.get('RenderScene');
    expect(render?.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(render?.HeartbeatSeconds).toBeGreaterThan(0);
    expect(render?.Catch?.[0]?.Next).toBe('RenderSceneFallback');
  });
});

describe('the convention checks themselves', () => {
  it('flag a Task without Retry, Catch or timeout', () => {
    expect(taskProblems('Bare', { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke' })).toHaveLength(
      3,
    );
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
  it('flag JSONata and Assign', () => {
    expect(usesJsonata('{"QueryLanguage": "JSONata"}')).toBe(true);
    expect(usesJsonata('{"Assign": {"x": 1}}')).toBe(true);
    expect(usesJsonata('{"Parameters": {"a.$": "$.b"}}')).toBe(false);
  });
});
