import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  FUNCTIONS,
  functionPlaceholder,
  STATE_MACHINES,
  type StateMachineSpec,
  stateMachinePlaceholder,
} from '../lambdas/catalog.js';

/**
 * Reading the ASL files without changing them: which `${Placeholder}`s a file uses, what each one stands
 * for, and which functions receive task tokens. Pure functions; the CDK constructs and the infra tests
 * both use them, so a placeholder the stack cannot substitute fails synthesis, not a deployment.
 */

export const ROOT = path.resolve(import.meta.dirname, '..');

/** `${Name}` as CloudFormation's DefinitionSubstitutions understands it. */
const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

export type PlaceholderTarget =
  | { kind: 'function'; id: string }
  | { kind: 'stateMachine'; id: StateMachineSpec['id'] };

interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  ItemProcessor?: { States: Record<string, AslState> };
  Iterator?: { States: Record<string, AslState> };
  Branches?: { States: Record<string, AslState> }[];
}

export function readAsl(spec: Pick<StateMachineSpec, 'file'>): string {
  return readFileSync(path.join(ROOT, spec.file), 'utf8');
}

/** The distinct placeholder names in an ASL text, in order of first use. */
export function placeholdersIn(asl: string): string[] {
  return [...new Set([...asl.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

/** What a placeholder names in the catalog, or undefined when the catalog has nothing by that name. */
export function targetOf(placeholder: string): PlaceholderTarget | undefined {
  const fn = FUNCTIONS.find((f) => functionPlaceholder(f.id) === placeholder);
  if (fn) return { kind: 'function', id: fn.id };
  const machine = STATE_MACHINES.find((m) => stateMachinePlaceholder(m.id) === placeholder);
  if (machine) return { kind: 'stateMachine', id: machine.id };
  return undefined;
}

/**
 * Maps every placeholder of an ASL text to a value, or throws one error naming every placeholder that
 * has none (an unknown name, or a child state machine not built yet).
 */
export function substitutionsFor(
  file: string,
  asl: string,
  resolve: (target: PlaceholderTarget) => string | undefined,
): Record<string, string> {
  const substitutions: Record<string, string> = {};
  const missing: string[] = [];
  for (const p of placeholdersIn(asl)) {
    const target = targetOf(p);
    const value = target ? resolve(target) : undefined;
    if (value === undefined) missing.push(`\${${p}}${target ? ` (${target.kind} ${target.id})` : ''}`);
    else substitutions[p] = value;
  }
  if (missing.length > 0) {
    throw new Error(
      `${file}: no substitution for ${missing.join(', ')}. Every placeholder must name a catalog function ` +
        '(`${<Id>FunctionArn}`) or a state machine built before this one (`${<Id>StateMachineArn}`).',
    );
  }
  return substitutions;
}

function allStates(states: Record<string, AslState>): AslState[] {
  return Object.values(states).flatMap((s) => [
    s,
    ...(s.ItemProcessor ? allStates(s.ItemProcessor.States) : []),
    ...(s.Iterator ? allStates(s.Iterator.States) : []),
    ...(s.Branches ?? []).flatMap((b) => allStates(b.States)),
  ]);
}

/** Catalog ids of the functions a `lambda:invoke.waitForTaskToken` state hands a task token to. */
export function taskTokenFunctions(asl: string): string[] {
  const definition = JSON.parse(asl) as { States: Record<string, AslState> };
  const ids = new Set<string>();
  for (const state of allStates(definition.States)) {
    if (state.Type !== 'Task' || !state.Resource?.endsWith('.waitForTaskToken')) continue;
    const name = state.Parameters?.FunctionName;
    const placeholder = typeof name === 'string' ? /^\$\{(\w+)\}$/.exec(name)?.[1] : undefined;
    const target = placeholder ? targetOf(placeholder) : undefined;
    if (target?.kind === 'function') ids.add(target.id);
  }
  return [...ids];
}
