import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FUNCTIONS } from '../../lambdas/catalog.js';
import { ROOT } from './asl.js';

/**
 * Which handlers can throw BudgetExceededError, found in the code rather than listed by hand: a small
 * call graph over top-level declarations. A handler charges if its body calls a charging function, or
 * calls (locally or through a named import from the repository) a declaration that does. Importing a
 * module is not enough (PlanRenders imports renders.ts for a cache key, not for its charge).
 */
const CHARGING_CALL =
  /\b(chargeUsage|chargeRender|chargeLedger|recordCharge|precheckModelCall|assertBudgetAllows)\(/;
/** Where those are defined: their own bodies do not make a caller of their other exports a charger. */
const DEFINERS = new Set(['lambdas/shared/charges.ts', 'lambdas/shared/data/ledger.ts']);
const DECLARATION = /^(?:export\s+)?(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)/;

interface Module {
  /** Top-level declaration name → its text. */
  decls: Map<string, string>;
  /** Imported name → [module file, exported name]. */
  imports: Map<string, [string, string]>;
}

const modules = new Map<string, Module>();

function load(file: string): Module {
  const cached = modules.get(file);
  if (cached) return cached;
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const decls = new Map<string, string>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const m = DECLARATION.exec(line);
    if (m) current = m[1] as string;
    if (current) decls.set(current, `${decls.get(current) ?? ''}${line}\n`);
  }
  const imports = new Map<string, [string, string]>();
  for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = path.relative(
      ROOT,
      path.resolve(path.dirname(path.join(ROOT, file)), (m[2] as string).replace(/\.js$/, '.ts')),
    );
    if (!existsSync(path.join(ROOT, target))) continue;
    for (const part of (m[1] as string).split(',')) {
      const [exported, local] = part
        .replace(/^\s*type\s+/, '')
        .split(/\s+as\s+/)
        .map((s) => s.trim());
      if (exported) imports.set(local ?? exported, [target, exported]);
    }
  }
  const mod = { decls, imports };
  modules.set(file, mod);
  return mod;
}

function declCharges(file: string, name: string, seen: Set<string>): boolean {
  const key = `${file}#${name}`;
  if (seen.has(key) || DEFINERS.has(file)) return false;
  seen.add(key);
  const mod = load(file);
  const body = mod.decls.get(name);
  if (body === undefined) return false;
  if (CHARGING_CALL.test(body)) return true;
  for (const id of new Set(body.match(/[A-Za-z_$][\w$]*/g) ?? [])) {
    if (id === name) continue;
    if (mod.decls.has(id) && declCharges(file, id, seen)) return true;
    const imported = mod.imports.get(id);
    if (imported && declCharges(imported[0], imported[1], seen)) return true;
  }
  return false;
}

/** Whether the handler exported by a file can charge the ledger (and so throw BudgetExceededError). */
export const handlerCharges = (entry: string): boolean => declCharges(entry, 'handler', new Set());

/** Catalog functions whose handler can throw BudgetExceededError. */
export const chargingFunctions = (): string[] =>
  FUNCTIONS.filter((f) => handlerCharges(f.entry))
    .map((f) => f.id)
    .sort();
