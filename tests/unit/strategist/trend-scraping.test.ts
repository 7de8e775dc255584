import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpFeedFetcher } from '../../../lambdas/shared/adapters/http/feed-fetcher.js';
import { type TrendSourceState, TrendSourcesBody } from '../../../lambdas/shared/contracts/index.js';
import type { StoredTrend, TrendScope } from '../../../lambdas/shared/data/repositories.js';
import type { FeedFetcher } from '../../../lambdas/shared/ports/index.js';
import { scrapeTrendSources, type TrendStore } from '../../../lambdas/strategist/domain/scrape.js';

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Bike trends</title>
<item><title>Commuters switch to e-bikes</title><link>https://feeds.test/e-bikes</link><description>More riders.</description><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>Repair cafes are back</title><link>https://feeds.test/repair</link><description>Fix it yourself.</description></item>
</channel></rss>`;

/** A feed host that speaks HTTP caching the way real ones do (ETag / If-None-Match → 304). */
let server: Server;
let base: string;
const seen: { path: string; ifNoneMatch?: string }[] = [];
beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ path: req.url ?? '', ifNoneMatch: req.headers['if-none-match'] });
    if (req.url === '/feed.xml') {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' });
      return void res.end(RSS);
    }
    if (req.url === '/huge.xml') {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      return void res.end(`<rss>${'x'.repeat(300_000)}</rss>`);
    }
    if (req.url === '/slow.xml') return void setTimeout(() => res.writeHead(200).end(RSS), 2_000);
    res.writeHead(500).end('boom');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** The real fetch, with the https://feeds.test host served by the local server above. */
const viaLocalHost: typeof fetch = (input, init) =>
  fetch(String(input).replace('https://feeds.test', base), init).then((res) => {
    // The fetcher checks the final URL is HTTPS; report the URL that was asked for.
    Object.defineProperty(res, 'url', { value: String(input) });
    return res;
  });

describe('HTTP feed fetcher', () => {
  const fetcher = new HttpFeedFetcher({ fetchImpl: viaLocalHost, maxBytes: 100_000, timeoutMs: 10_000 });
  // The feed host answers /slow.xml after 2 s; this one gives up long before.
  const impatient = new HttpFeedFetcher({ fetchImpl: viaLocalHost, timeoutMs: 300 });

  it('parses a feed and returns its validators', async () => {
    const res = await fetcher.fetch('https://feeds.test/feed.xml', {});
    expect(res.status).toBe('fetched');
    if (res.status !== 'fetched') return;
    expect(res.items.map((i) => i.title)).toEqual(['Commuters switch to e-bikes', 'Repair cafes are back']);
    expect(res.etag).toBe('"v1"');
  });

  it('sends If-None-Match and reports not-modified on 304', async () => {
    const res = await fetcher.fetch('https://feeds.test/feed.xml', { etag: '"v1"' });
    expect(res).toEqual({ status: 'not-modified' });
    expect(seen.at(-1)).toEqual({ path: '/feed.xml', ifNoneMatch: '"v1"' });
  });

  it('refuses feeds over the size limit, slow feeds, HTTP errors and non-HTTPS URLs', async () => {
    await expect(fetcher.fetch('https://feeds.test/huge.xml', {})).rejects.toThrow(/limit/);
    await expect(impatient.fetch('https://feeds.test/slow.xml', {})).rejects.toThrow(/timeout|abort/i);
    await expect(fetcher.fetch('https://feeds.test/missing.xml', {})).rejects.toThrow(/HTTP 500/);
    await expect(fetcher.fetch(`${base}/feed.xml`, {})).rejects.toThrow(/non-HTTPS/);
    await expect(fetcher.fetch('file:///etc/passwd', {})).rejects.toThrow(/non-HTTPS/);
  });
});

describe('trend sources contract', () => {
  it('accepts HTTPS feeds with a host name', () => {
    expect(
      TrendSourcesBody.safeParse({ sources: [{ url: 'https://feeds.example.com/a.xml' }] }).success,
    ).toBe(true);
  });

  it.each([
    ['http://feeds.example.com/a.xml'],
    ['file:///etc/passwd'],
    ['https://127.0.0.1/feed'],
    ['https://169.254.169.254/latest/meta-data'],
    ['https://user:pw@feeds.example.com/a.xml'],
  ])('refuses %s with the field path of the url', (url) => {
    const r = TrendSourcesBody.safeParse({ sources: [{ url }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['sources', 0, 'url']);
  });

  it('refuses the same url twice and more than 20 sources', () => {
    const a = { url: 'https://feeds.example.com/a.xml' };
    expect(TrendSourcesBody.safeParse({ sources: [a, a] }).success).toBe(false);
    const many = Array.from({ length: 21 }, (_, i) => ({ url: `https://feeds.example.com/${i}.xml` }));
    expect(TrendSourcesBody.safeParse({ sources: many }).success).toBe(false);
  });
});

/** The scraper against an in-memory store and a fake fetcher (the HTTP part is covered above). */
function memoryStore(sources: Record<string, string[]>) {
  const states = new Map<string, TrendSourceState>();
  const stored = new Map<string, StoredTrend[]>();
  const store: TrendStore = {
    brandsWithSources: async () => Object.keys(sources),
    sourcesOf: async (id) => ({
      sources: (sources[id] ?? []).map((url) => ({ url })),
      state: [...states.values()].filter((s) => (sources[id] ?? []).includes(s.url)),
    }),
    saveState: async (_id, s) => void states.set(s.url, s),
    upsert: async (scope: TrendScope, list) => {
      const key = scope === 'shared' ? 'shared' : scope.brandId;
      stored.set(key, [...(stored.get(key) ?? []), ...list]);
    },
  };
  return { store, states, stored };
}

describe('scraping every brand’s trend sources', () => {
  const good = 'https://feeds.test/feed.xml';
  const bad = 'https://feeds.test/broken.xml';
  const fetcher: FeedFetcher = {
    async fetch(url, validators) {
      if (url === bad) throw new Error('HTTP 500 from broken');
      if (validators.etag === '"v1"') return { status: 'not-modified' };
      return {
        status: 'fetched',
        etag: '"v1"',
        items: [
          { title: 'Repair cafes are back', url: 'https://feeds.test/repair', source: url, summary: 's' },
        ],
      };
    },
  };

  it('stores each brand’s items under that brand and records a failing source without stopping', async () => {
    const { store, states, stored } = memoryStore({ b1: [good, bad], b2: [good] });
    const report = await scrapeTrendSources({ store, fetcher });
    expect(report).toMatchObject({ brands: 2, sources: 3, fetched: 2, not_modified: 0, stored: 2 });
    expect(report.failed).toEqual([{ brand_id: 'b1', url: bad, error: 'HTTP 500 from broken' }]);
    expect(stored.get('b1')?.map((t) => t.topic)).toEqual(['Repair cafes are back']);
    expect(states.get(bad)).toMatchObject({ last_status: 'failed', last_error: 'HTTP 500 from broken' });
    expect(states.get(good)).toMatchObject({ last_status: 'fetched', etag: '"v1"', items_stored: 1 });
  });

  it('sends the stored validators on the next run and keeps them on 304', async () => {
    const { store, states } = memoryStore({ b1: [good] });
    await scrapeTrendSources({ store, fetcher });
    const report = await scrapeTrendSources({ store, fetcher });
    expect(report).toMatchObject({ fetched: 0, not_modified: 1 });
    expect(states.get(good)).toMatchObject({ last_status: 'not-modified', etag: '"v1"' });
  });

  it('gives the same trend id to the same item on every fetch (updates, never duplicates)', async () => {
    const { store, stored } = memoryStore({ b1: [good], b2: [good] });
    await scrapeTrendSources({ store, fetcher });
    expect(stored.get('b1')?.[0]?.trend_id).toBe(stored.get('b2')?.[0]?.trend_id);
  });
});
