import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** Where a committed secret could hide: code, the runtime, the CLI, examples and test fixtures. */
export const SCANNED_DIRS = [
  'lambdas',
  'infra',
  'local',
  'cli',
  'examples',
  'tests',
  'scripts',
  'bench',
  'bin',
];
const TEXT = /\.(ts|mts|mjs|js|json|md|txt|yaml|yml|xml|rss|atom|env|sh|html|csv)$/;

/** The tracked files under `dirs` (git), or every file when this is not a git checkout. */
export function repoFiles(dirs: readonly string[]): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z', '--', ...dirs], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f && TEXT.test(f));
  } catch {
    const out: string[] = [];
    const walk = (rel: string) => {
      const abs = path.join(ROOT, rel);
      if (!statSync(abs, { throwIfNoEntry: false })) return;
      for (const e of readdirSync(abs, { withFileTypes: true })) {
        const r = path.join(rel, e.name);
        if (e.isDirectory()) walk(r);
        else if (TEXT.test(e.name)) out.push(r);
      }
    };
    for (const d of dirs) walk(d);
    return out;
  }
}

const WHSEC = /whsec_[A-Za-z0-9+/=_-]*/g;
/** Quoted literals that look like key material: base64, base64url or hex, 16 characters or more. */
const KEYLIKE = /['"`]([A-Za-z0-9+/=_-]{16,})['"`]/g;
const BARE_HEX = /\b[0-9a-fA-F]{32,}\b/g;
/** Any literal given to a name that says it is a secret, a key, a token or a password. */
const NAMED =
  /(secret|key|token|password|passwd)\w*['"`]?\s*[:=]\s*(?:[\w.]+\()?\s*['"`]([^'"`\s]{4,})['"`]/gi;

function collect(text: string, into: Set<string>): void {
  for (const m of text.matchAll(WHSEC)) into.add(m[0]);
  for (const m of text.matchAll(KEYLIKE)) into.add(m[1] as string);
  for (const m of text.matchAll(BARE_HEX)) into.add(m[0]);
  for (const m of text.matchAll(NAMED)) into.add(m[2] as string);
}

/**
 * Every secret-like value in the repository: in the tracked files under SCANNED_DIRS, and every
 * `whsec_` value ever committed (a secret removed from the tree is still in the history).
 */
export function secretLikeValues(): string[] {
  const found = new Set<string>();
  for (const f of repoFiles(SCANNED_DIRS)) collect(readFileSync(path.join(ROOT, f), 'utf8'), found);
  try {
    const history = execFileSync('git', ['log', '--all', '-p', '-G', 'whsec_', '--format='], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    for (const m of history.matchAll(WHSEC)) found.add(m[0]);
  } catch {
    // not a git checkout: the tree scan above is all there is
  }
  found.delete('whsec_');
  return [...found];
}

/** Every way a value could be turned into an HMAC key: as text, and decoded from whsec_/base64/hex. */
export function keyInterpretations(value: string): Buffer[] {
  const keys = [Buffer.from(value, 'utf8')];
  const bare = value.startsWith('whsec_') ? value.slice(6) : value;
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(bare)) keys.push(Buffer.from(bare, 'base64'));
  if (/^[A-Za-z0-9_-]+$/.test(bare)) keys.push(Buffer.from(bare, 'base64url'));
  if (/^[0-9a-fA-F]+$/.test(bare) && bare.length % 2 === 0) keys.push(Buffer.from(bare, 'hex'));
  if (bare !== value) keys.push(Buffer.from(bare, 'utf8'));
  const seen = new Set<string>();
  return keys.filter((k) => k.length > 0 && !seen.has(k.toString('hex')) && seen.add(k.toString('hex')));
}
