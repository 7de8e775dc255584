/**
 * Brand retrieval and state updates on the embedded default (issue 11):
 * - brand retrieval top-5 over 10,000 guideline chunks: the query embedded and ranked against every
 *   chunk, as LoadBrandContext does with its per-container chunk cache (p50/p95), plus the cold load of
 *   the 10,000 chunks from the table;
 * - a state update: the campaign record's status update (one DynamoDB UpdateItem after a read, what
 *   every pillar does on a transition), p50/p95/p99.
 *
 * Run: npm run bench:retrieval [-- --chunks 10000 --queries 300 --updates 1000]   (prints; asserts nothing)
 * Cold starts in the as-deployed mode: npm run bench:cold-starts (bench/cold-starts.bench.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: '10000' },
    queries: { type: 'string', default: '300' },
    updates: { type: 'string', default: '1000' },
  },
});
const N = Number(values.chunks);
const ROOT = path.resolve(import.meta.dirname, '..');

const { startEmbedded } = await import('../local/embedded.js');
const app = await startEmbedded({
  dataDir: mkdtempSync(path.join(tmpdir(), 'bie-retrieval-')),
  schedules: false,
});
const { brands, campaigns } = await import('../lambdas/shared/data/repositories.js');
const { HashingEmbedder } = await import('../lambdas/shared/adapters/offline/hashing-embedder.js');
const { embedder } = await import('../lambdas/shared/providers/text.js');
const { topK } = await import('../lambdas/strategist/domain/vector-search.js');
const { Campaign, StoredCampaignRequest } = await import('../lambdas/shared/contracts/index.js');
const { readRequestFile } = await import('../cli/run.js');

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
};
const ms = (n: number) => `${n.toFixed(2)} ms`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`retrieval/state bench: ${N} chunks, load ${load()}`);

// 10,000 chunks: the example brand bible's paragraphs, varied so no two are the same text.
const bible = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');
const paragraphs = bible.split(/\n\s*\n/).filter((p) => p.trim().length > 40);
const brandId = randomUUID();
const local = new HashingEmbedder();
const categories = ['voice_tone', 'visual_style', 'audience', 'claims_policy', 'general'] as const;
const chunks = Array.from({ length: N }, (_, i) => {
  const content = `${paragraphs[i % paragraphs.length]} (note ${i}: ${['morning', 'commute', 'oat', 'nitro', 'can', 'cafe'][i % 6]} ${i % 97})`;
  return {
    chunk: {
      chunk_id: `chunk-${i}`,
      brand_id: brandId,
      category: categories[i % categories.length],
      heading: `Section ${i % 40}`,
      content,
      embedding_model: local.model,
    },
    embedding: local.embedOne(content),
  };
});
let t = performance.now();
await brands.putChunks(brandId, chunks as never);
console.log(`ingest ${N} chunks into the table        ${ms(performance.now() - t)}`);
t = performance.now();
const loaded = await brands.chunks(brandId);
console.log(`cold load of ${loaded.length} chunks (a new container) ${ms(performance.now() - t)}`);

const request = readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json'));
const queries = Number(values.queries);
const times: number[] = [];
for (let i = 0; i < queries; i++) {
  const q = `${request.product_category} ${request.product_name ?? ''} for ${request.target_demographic}; ${request.campaign_objective}; ${request.key_message ?? ''} ${i} tone voice visual style audience`;
  const t0 = performance.now();
  const { vectors } = await embedder().embed([q]);
  const top = topK(vectors[0] as Float32Array, loaded, 5);
  times.push(performance.now() - t0);
  if (top.length !== 5) throw new Error('top-5 returned fewer than 5');
}
console.log(
  `top-5 over ${N} chunks (embed + rank, ${queries} queries)  p50 ${ms(pct(times, 50))}  p95 ${ms(pct(times, 95))}`,
);

const now = new Date().toISOString();
const campaign = Campaign.parse({
  campaign_id: randomUUID(),
  campaign_name: request.campaign_name,
  brand_id: brandId,
  status: 'in_production',
  request: StoredCampaignRequest.parse(request),
  budget_limit_usd: 150,
  current_cost_usd: 0,
  auto_approve: true,
  created_at: now,
  updated_at: now,
});
await campaigns.create(campaign);
const updates = Number(values.updates);
const u: number[] = [];
const statuses = ['in_production', 'awaiting_approval', 'in_production', 'published'] as const;
for (let i = 0; i < updates; i++) {
  const t0 = performance.now();
  await campaigns.update(campaign.campaign_id, { status: statuses[i % statuses.length] });
  u.push(performance.now() - t0);
}
console.log(
  `campaign state update (read + UpdateItem, ${updates}×)  p50 ${ms(pct(u, 50))}  p95 ${ms(pct(u, 95))}  p99 ${ms(pct(u, 99))}`,
);
console.log(`load at the end ${load()}; local emulator (dynalite) figures, not DynamoDB's`);
await app.stop();
