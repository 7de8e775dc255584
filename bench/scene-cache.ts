/**
 * The scene cache on a 4-variant campaign (emotional, humorous, educational, serious) of the example
 * request, on the embedded default with preview media: renders requested vs rendered, and the list
 * price the cache saved.
 * Run: npm run bench:scene-cache   (prints figures; asserts nothing)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readRequestFile, runCampaign } from '../cli/run.js';
import { MEDIA_PROFILES } from '../lambdas/shared/config/index.js';
import { startEmbedded } from '../local/embedded.js';
import { sceneCacheFigures } from '../tests/support/scene-cache.js';

const ROOT = path.resolve(import.meta.dirname, '..');
Object.assign(process.env, MEDIA_PROFILES.preview);
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-scene-cache-'));
const app = await startEmbedded({ dataDir });
const t0 = Date.now();
const result = await runCampaign(app, {
  brandText: readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8'),
  request: {
    ...readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
    variants: ['emotional', 'humorous', 'educational', 'serious'],
    target_platforms: ['tiktok'],
    budget_limit_usd: 1000,
  },
  autoApprove: true,
  out: path.join(dataDir, 'out'),
});
const wall = Date.now() - t0;
const f = await sceneCacheFigures(result.campaign_id);
await app.stop();

const pct = (part: number, whole: number) => (whole ? ((part / whole) * 100).toFixed(1) : '0.0');
const saved = f.requested - f.rendered;
console.log(
  `4-variant campaign: ${result.status}, ${result.variants.length} variants, ${(wall / 1000).toFixed(1)} s wall`,
);
console.log(`renders requested            ${f.requested}`);
console.log(
  `renders rendered             ${f.rendered}   (found by the render plans: ${f.planHits}; the rest joined a render in flight)`,
);
console.log(`render charges in the ledger ${f.charged}   (distinct shots: ${f.distinctShotsCharged})`);
console.log(`renders saved                ${saved} of ${f.requested} (${pct(saved, f.requested)} %)`);
console.log(
  `list price saved             $${f.listPriceSavedUsd.toFixed(2)} of $${f.listPriceRequestedUsd.toFixed(2)} (${pct(f.listPriceSavedUsd, f.listPriceRequestedUsd)} %)`,
);
if (result.failure) console.log(`failure: ${JSON.stringify(result.failure)}`);
