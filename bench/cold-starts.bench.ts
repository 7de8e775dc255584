/**
 * Every function's bundle size and cold start in as-deployed mode: spawn of a fresh instance (own mount
 * namespace, the function's exact environment) until its handler module is loaded.
 * Run: node --import tsx bench/cold-starts.bench.ts [--cdk-out DIR] [--runs N]   (prints figures; asserts nothing)
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDeployedModel } from '../local/deployed/model.js';
import { FunctionPool } from '../local/deployed/pool.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: { 'cdk-out': { type: 'string' }, runs: { type: 'string', default: '3' } },
});
const cdkOut = path.resolve(values['cdk-out'] ?? path.join(ROOT, 'cdk.out'));
const runs = Math.max(1, Number(values.runs));

/** Bytes of a directory tree, source maps aside (they are not loaded unless a stack is printed). */
function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(file);
    else if (!entry.name.endsWith('.map')) total += statSync(file).size;
  }
  return total;
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

// No AWS call happens while a module loads; the endpoint only has to be well-formed.
const model = loadDeployedModel(cdkOut, { apiUrl: 'http://127.0.0.1:9' });
const pool = new FunctionPool(model.functions, {
  logDir: mkdtempSync(path.join(tmpdir(), 'bie-cold-starts-')),
  plumbing: {
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  },
});

const rows: {
  fn: string;
  layer: boolean;
  index: number;
  asset: number;
  total: number;
  load: number;
  error?: string;
}[] = [];
try {
  for (const fn of [...model.functions].sort((a, b) =>
    (a.catalogId ?? a.name).localeCompare(b.catalogId ?? b.name),
  )) {
    const label = fn.catalogId ?? fn.name;
    const totals: number[] = [];
    const loads: number[] = [];
    let error: string | undefined;
    for (let i = 0; i < runs && !error; i++) {
      try {
        const cold = await pool.warm(fn.arn);
        totals.push(cold.totalMs);
        loads.push(cold.importMs);
      } catch (e) {
        const err = e as { errorType?: string; errorMessage?: string; message?: string };
        error = `${err.errorType ?? 'Error'}: ${err.errorMessage ?? err.message}`;
      }
    }
    rows.push({
      fn: label,
      layer: fn.layerDirs.length > 0,
      index: statSync(path.join(fn.assetDir, 'index.mjs')).size,
      asset: treeBytes(fn.assetDir),
      total: median(totals),
      load: median(loads),
      error,
    });
    process.stderr.write('.');
  }
} finally {
  await pool.close();
}
process.stderr.write('\n');

const width = Math.max(...rows.map((r) => r.fn.length), 8);
console.log(`As-deployed cold starts (median of ${runs}; ${cdkOut})`);
console.log(
  `${'function'.padEnd(width)}  layer  ${'index.mjs'.padStart(10)}  ${'asset'.padStart(10)}  ${'cold start'.padStart(10)}  ${'of which import'.padStart(15)}`,
);
for (const r of rows)
  console.log(
    `${r.fn.padEnd(width)}  ${(r.layer ? 'ffmpeg' : '-').padEnd(5)}  ${mb(r.index).padStart(10)}  ${mb(r.asset).padStart(10)}  ${
      r.error ? r.error : `${r.total.toFixed(0).padStart(7)} ms  ${r.load.toFixed(0).padStart(12)} ms`
    }`,
  );
const plain = rows.filter((r) => !r.layer);
const over = plain.filter((r) => r.asset > 1_048_576);
console.log(
  `\nWithout the ffmpeg layer: ${plain.length} functions, largest asset ${mb(Math.max(...plain.map((r) => r.asset)))}, ${over.length} over 1 MB${over.length ? ` (${over.map((r) => r.fn).join(', ')})` : ''}`,
);
console.log(`Slowest cold start: ${[...rows].sort((a, b) => b.total - a.total)[0]?.fn ?? '-'}`);
