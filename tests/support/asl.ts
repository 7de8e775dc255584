import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  FUNCTIONS,
  functionPlaceholder,
  STATE_MACHINES,
  stateMachinePlaceholder,
} from '../../lambdas/catalog.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface AslState {
  Type: string;
  Resource?: string;
  Retry?: { ErrorEquals: string[]; BackoffRate?: number; MaxAttempts?: number; IntervalSeconds?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  TimeoutSeconds?: number;
  HeartbeatSeconds?: number;
  ItemProcessor?: { States: Record<string, AslState>; StartAt: string };
  Iterator?: { States: Record<string, AslState>; StartAt: string };
  Branches?: { States: Record<string, AslState>; StartAt: string }[];
  Parameters?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  QueryLanguage?: string;
  [key: string]: unknown;
}

/** Substitutions shaped like the ARNs CDK puts in place of the placeholders. */
export function fakeSubstitutions(): Record<string, string> {
  const subs: Record<string, string> = {};
  for (const f of FUNCTIONS)
    subs[functionPlaceholder(f.id)] = `arn:aws:lambda:us-east-1:123456789012:function:bie-${f.id}`;
  for (const m of STATE_MACHINES) {
    subs[stateMachinePlaceholder(m.id)] = `arn:aws:states:us-east-1:123456789012:stateMachine:bie-${m.id}`;
  }
  return subs;
}

export function substitute(text: string, subs: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}/g, (_, key: string) => {
    const value = subs[key];
    if (value === undefined) throw new Error(`no substitution for \${${key}}`);
    return value;
  });
}

export function readAsl(file: string): { raw: string; definition: AslDefinition } {
  const raw = readFileSync(path.join(ROOT, file), 'utf8');
  return { raw, definition: JSON.parse(raw) as AslDefinition };
}

/** Every state with its name, including states nested in Map and Parallel. */
export function allStates(states: Record<string, AslState>): [string, AslState][] {
  const out: [string, AslState][] = [];
  for (const [name, state] of Object.entries(states)) {
    out.push([name, state]);
    if (state.ItemProcessor) out.push(...allStates(state.ItemProcessor.States));
    if (state.Iterator) out.push(...allStates(state.Iterator.States));
    for (const b of state.Branches ?? []) out.push(...allStates(b.States));
  }
  return out;
}
