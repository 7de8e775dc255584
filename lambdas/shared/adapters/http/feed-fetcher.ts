import { parseFeed } from '../../feeds/rss-atom.js';
import type { FeedFetcher, FeedFetchResult } from '../../ports/index.js';

export interface HttpFeedFetcherOptions {
  /** Whole request, headers to last byte. */
  timeoutMs?: number;
  /** Feeds larger than this are refused (read stops there). */
  maxBytes?: number;
  fetchImpl?: typeof fetch;
}

/**
 * RSS/Atom over HTTPS with conditional GET (If-None-Match / If-Modified-Since), a timeout and a size
 * limit. Redirects are followed only to HTTPS. One slow or broken feed fails alone.
 */
export class HttpFeedFetcher implements FeedFetcher {
  constructor(private readonly opts: HttpFeedFetcherOptions = {}) {}

  async fetch(url: string, validators: { etag?: string; last_modified?: string }): Promise<FeedFetchResult> {
    if (new URL(url).protocol !== 'https:') throw new Error(`refusing a non-HTTPS feed URL: ${url}`);
    const headers: Record<string, string> = {
      accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8',
      'user-agent': 'BrandInfinityEngine-TrendScraper/1.0',
    };
    if (validators.etag) headers['if-none-match'] = validators.etag;
    if (validators.last_modified) headers['if-modified-since'] = validators.last_modified;
    const res = await (this.opts.fetchImpl ?? fetch)(url, {
      headers,
      redirect: 'follow',
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
    });
    if (res.url && new URL(res.url).protocol !== 'https:') {
      throw new Error(`the feed redirected to a non-HTTPS URL: ${res.url}`);
    }
    if (res.status === 304) return { status: 'not-modified' };
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
    const text = await readLimited(res, this.opts.maxBytes ?? 2 * 1024 * 1024);
    return {
      status: 'fetched',
      items: parseFeed(text, url),
      etag: res.headers.get('etag') ?? undefined,
      last_modified: res.headers.get('last-modified') ?? undefined,
    };
  }
}

async function readLimited(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new Error(`the feed is ${declared} bytes, over the ${maxBytes}-byte limit`);
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(`the feed is over the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
