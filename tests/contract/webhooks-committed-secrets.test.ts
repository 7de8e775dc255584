import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, repoFiles } from './repo-secrets.js';

/** Code that runs on AWS or defines it: a secret value here would be a secret for anyone with the repo. */
const SHIPPED = ['lambdas', 'infra'];

const hits = (pattern: RegExp) =>
  repoFiles(SHIPPED).flatMap((file) =>
    readFileSync(path.join(ROOT, file), 'utf8')
      .split('\n')
      .flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );

describe('the code that is deployed', () => {
  it('is scanned (the file list is not empty)', () => {
    expect(repoFiles(SHIPPED).filter((f) => f.endsWith('.ts')).length).toBeGreaterThan(50);
  });

  it('contains no Standard Webhooks secret (whsec_ followed by key material)', () => {
    expect(hits(/whsec_[A-Za-z0-9+/=]{4,}/)).toEqual([]);
  });

  it('gives no secret, key, token or password a literal value or a default', () => {
    // `SECRET: '...'`, `secret = "..."`, `WEBHOOK_SECRET: z.string().default('...')`, `apiKey ?? '...'`
    // (A value in capitals is the name of the variable the secret is read from, e.g. 'OPENAI_API_KEY'.)
    const literal =
      /(secret|api_?key|token|password)\w*['"]?\s*[:=]\s*['"`](?![A-Z][A-Z0-9_]*['"`])[^'"`\s]{4,}/i;
    const defaulted = /(secret|api_?key|token|password)\w*['"]?\s*[:=].*\.default\(\s*['"`]/i;
    const fallback = /(secret|api_?key|password)\w*\s*(\?\?|\|\|)\s*['"`][^'"`]+['"`]/i;
    expect([...hits(literal), ...hits(defaulted), ...hits(fallback)]).toEqual([]);
  });
});
