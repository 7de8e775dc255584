/**
 * Creative quality of the active text model (BIE_TEXT_MODEL: offline, openai or bedrock) over a set of
 * brands × requests in different categories: restricted-term hits in the raw output, repetition, length
 * fit, brand alignment, compliance, off-category words and trend relevance, with the prompt versions
 * used. Run: npm run bench:creative  (prints a table and one JSON line; asserts nothing). Compare the
 * figures before and after a prompt change.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CampaignRequest } from '../lambdas/shared/contracts/index.js';
import { textModel } from '../lambdas/shared/providers/text.js';
import { loadBrandBible } from '../lambdas/strategist/domain/brand-bible.js';
import { parseFeed } from '../lambdas/strategist/domain/trends.js';
import { type CreativeFigures, measureCreative } from './creative-metrics.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');

/** Brands and requests: the examples, the labelled fixtures and the new-category fixture. */
function cases(): { bible: string; request: Partial<CampaignRequest> }[] {
  const labelled = JSON.parse(read('tests/fixtures/brand-copy/labelled.json')) as {
    brands: { bible: string; request: Partial<CampaignRequest> }[];
  };
  const fromFile = (bible: string, request: string) => ({
    bible,
    request: (JSON.parse(read(request)) as { campaign_request: CampaignRequest }).campaign_request,
  });
  return [
    fromFile('examples/brands/lumen-coffee.md', 'examples/requests/lumen-coffee-launch.json'),
    fromFile('examples/brands/northwind-fitness.json', 'examples/requests/northwind-comeback.json'),
    fromFile(
      'tests/fixtures/brands/kiln-street-pottery.md',
      'tests/fixtures/requests/kiln-street-beginners.json',
    ),
    ...labelled.brands.filter((b) => !b.bible.startsWith('examples/')),
  ];
}

const trends = [
  ...parseFeed(read('examples/trends/social-video.rss.xml'), 'social-video'),
  ...parseFeed(read('examples/trends/creator-economy.atom.xml'), 'creator-economy'),
];
const model = textModel();
const rows: CreativeFigures[] = [];
for (const c of cases()) {
  const brand = loadBrandBible(read(c.bible));
  const request = {
    campaign_objective: 'awareness',
    budget_tier: 'volume',
    target_duration_seconds: 20,
    ...c.request,
    brand_id: brand.brand_id,
  } as CampaignRequest;
  rows.push(await measureCreative(model, brand, request, trends));
}

const mean = (k: keyof CreativeFigures) =>
  Math.round((rows.reduce((t, r) => t + Number(r[k]), 0) / rows.length) * 1000) / 1000;
console.log(
  `text model: ${model.name}; prompts: ${[...new Set(rows.flatMap((r) => r.prompt_versions))].join(', ')}`,
);
console.table(rows.map(({ prompt_versions: _p, findings: _f, ...r }) => r));
for (const r of rows) for (const f of r.findings) console.log(`${r.brand}: ${f}`);
const summary = {
  model: model.name,
  prompt_versions: [...new Set(rows.flatMap((r) => r.prompt_versions))],
  brands: rows.length,
  restricted_hits: rows.reduce((t, r) => t + r.restricted_hits, 0),
  off_category: rows.reduce((t, r) => t + r.off_category, 0),
  repetition: mean('repetition'),
  length_fit: mean('length_fit'),
  alignment: mean('alignment'),
  compliance: mean('compliance'),
  hook_quality: mean('hook_quality'),
  alignment_passing: rows.filter((r) => r.alignment >= 0.85).length,
  compliance_passing: rows.filter((r) => r.compliance >= 0.9).length,
};
console.log(JSON.stringify(summary));
