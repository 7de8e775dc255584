/**
 * The route fuzz of the reliability suite at a larger scale: how many inputs it tried per route of the
 * catalog, what they were answered, and any that did not hold (a 5xx, a 4xx that is not problem+json,
 * or a 4xx that stored something). Prints figures; exits 1 if any route failed.
 *
 * Run: node --import tsx bench/reliability.bench.ts [inputs per route, default 300] [seed]
 */
import { ROUTES } from '../lambdas/catalog.js';
import { fuzzRoute, type Outcomes, seed } from '../tests/reliability/route-fuzz-inputs.js';
import { startApi } from '../tests/unit/api/harness.js';

const runs = Number(process.argv[2] ?? 300);
const fuzzSeed = Number(process.argv[3] ?? Date.now() % 2 ** 31);

const api = await startApi('reliability-bench');
const seeds = await seed(api);
const rows: { route: string; tried: number; ms: number; outcomes: Outcomes; failure?: string }[] = [];
const t0 = Date.now();
for (const route of ROUTES) {
  const outcomes: Outcomes = {};
  const started = Date.now();
  let failure: string | undefined;
  try {
    await fuzzRoute(api, seeds, route, { numRuns: runs, seed: fuzzSeed, outcomes });
  } catch (error) {
    failure = ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
  }
  rows.push({
    route: `${route.method} ${route.path}`,
    tried: Object.values(outcomes).reduce((a, b) => a + b, 0),
    ms: Date.now() - started,
    outcomes,
    failure,
  });
}
const total = Date.now() - t0;
await api.stop();

const width = Math.max(...rows.map((r) => r.route.length));
console.log(`route fuzz, seed ${fuzzSeed}, up to ${runs} inputs per route\n`);
console.log(`${'route'.padEnd(width)}  inputs      ms  answers (status × count)`);
for (const r of rows) {
  const answers = Object.entries(r.outcomes)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
  console.log(
    `${r.route.padEnd(width)}  ${String(r.tried).padStart(6)}  ${String(r.ms).padStart(6)}  ${answers}`,
  );
  if (r.failure) console.log(`${''.padEnd(width)}  FAILED: ${r.failure.slice(0, 400)}`);
}
const tried = rows.reduce((a, r) => a + r.tried, 0);
const byClass: Record<string, number> = {};
for (const r of rows)
  for (const [status, n] of Object.entries(r.outcomes))
    byClass[`${status[0]}xx`] = (byClass[`${status[0]}xx`] ?? 0) + n;
console.log(
  `\n${tried} inputs over ${rows.length} routes in ${(total / 1000).toFixed(1)} s (${Math.round((tried / total) * 1000)}/s): ${Object.entries(
    byClass,
  )
    .sort()
    .map(([c, n]) => `${c} ${n}`)
    .join(', ')}; ${rows.filter((r) => r.failure).length} routes failed`,
);
process.exitCode = rows.some((r) => r.failure) ? 1 : 0;
