import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFeed } from '../../feeds/rss-atom.js';
import type { TrendItem, TrendSource } from '../../ports/index.js';

/** OFFLINE trend source: RSS/Atom feed files served from a directory instead of the network. */
export class FeedFileTrendSource implements TrendSource {
  readonly name = 'feed-files';
  constructor(private readonly dir: string) {}

  async fetch(): Promise<TrendItem[]> {
    return readdirSync(this.dir)
      .filter((f) => /\.(xml|rss|atom)$/i.test(f))
      .sort()
      .flatMap((f) => parseFeed(readFileSync(path.join(this.dir, f), 'utf8'), f));
  }
}
