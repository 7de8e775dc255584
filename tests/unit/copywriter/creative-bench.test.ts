import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureCreative } from '../../../bench/creative-metrics.js';
import { OfflineCreativeEngine } from '../../../lambdas/shared/adapters/offline/creative-engine.js';
import type { CampaignRequest } from '../../../lambdas/shared/contracts/index.js';
import { loadBrandBible } from '../../../lambdas/strategist/domain/brand-bible.js';
import { parseFeed } from '../../../lambdas/strategist/domain/trends.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');

describe('the creative bench figures', () => {
  it('measure a brand in a new category the way the gates judge it, naming the prompt versions', async () => {
    const brand = loadBrandBible(read('tests/fixtures/brands/kiln-street-pottery.md'));
    const request = (
      JSON.parse(read('tests/fixtures/requests/kiln-street-beginners.json')) as {
        campaign_request: CampaignRequest;
      }
    ).campaign_request;
    const trends = parseFeed(read('examples/trends/social-video.rss.xml'), 'social-video');

    const figures = await measureCreative(new OfflineCreativeEngine(), brand, request, trends);

    expect(figures).toMatchObject({
      brand: 'Kiln Street Pottery',
      restricted_hits: 0,
      off_category: 0,
      trends_offered: 8,
    });
    // Coffee and gym trends of the feed never reach a pottery brief; the format trends do.
    expect(figures.trends_relevant).toBeLessThan(figures.trends_offered);
    expect(figures.alignment).toBeGreaterThanOrEqual(0.85);
    expect(figures.compliance).toBeGreaterThanOrEqual(0.9);
    expect(figures.prompt_versions).toEqual(['brief@2', 'hooks@2', 'outline@2', 'scene@2']);
    expect(figures.repetition).toBeGreaterThanOrEqual(0);
    expect(figures.length_fit).toBeGreaterThan(0.5);
  });
});
