/**
 * Wall time of the demo campaign on the embedded default, per pillar and per step.
 * Run: npm run bench   (prints figures; asserts nothing)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { progressPrinter, readRequestFile, runCampaign } from '../cli/run.js';
import { startEmbedded } from '../local/embedded.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-bench-'));
const t0 = Date.now();
const app = await startEmbedded({ dataDir });
const startup = Date.now() - t0;
const progress = progressPrinter(() => undefined);
app.runtime.runner.on('event', progress.onEvent);
const brandText = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');
const t1 = Date.now();
const result = await runCampaign(app, {
  brandText,
  request: readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
  autoApprove: true,
  out: path.join(dataDir, 'out'),
});
const total = Date.now() - t1;
await app.stop();

const pillarStates = new Set([
  'RunStrategist',
  'RunCopywriter',
  'RunProduction',
  'RunCampaignManager',
  'RunBroadcaster',
]);
const byPillar = new Map<string, number>();
for (const t of progress.timings)
  if (t.pillar === 'Campaign' && pillarStates.has(t.state))
    byPillar.set(t.state.replace('Run', ''), (byPillar.get(t.state.replace('Run', '')) ?? 0) + t.ms);
const bySteps = new Map<string, { ms: number; n: number }>();
for (const t of progress.timings) {
  if (t.pillar === 'Campaign') continue;
  const key = `${t.pillar} / ${t.state}`;
  const cur = bySteps.get(key) ?? { ms: 0, n: 0 };
  bySteps.set(key, { ms: cur.ms + t.ms, n: cur.n + 1 });
}
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `demo campaign: ${result.status}, ${Object.keys(result.renditions).length} renditions, ${result.variants.length} variant(s)`,
);
console.log(`runtime start-up            ${s(startup)}`);
console.log(`campaign wall time          ${s(total)}`);
console.log('\nper pillar (wall time of the nested execution):');
for (const [p, ms] of byPillar) console.log(`  ${p.padEnd(24)} ${s(ms)}`);
console.log('\nper step (sum over Map items, count):');
for (const [k, v] of [...bySteps].sort((a, b) => b[1].ms - a[1].ms))
  if (v.ms >= 5) console.log(`  ${k.padEnd(44)} ${s(v.ms).padStart(9)}  ×${v.n}`);
console.log(
  `\nmachine: ${process.platform} ${process.arch}, node ${process.version}, ${(await import('node:os')).cpus().length} cores`,
);
