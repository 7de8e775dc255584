import { OfflineEngagementFetcher } from '../adapters/offline/outbox-engagement.js';
import type { Platform } from '../contracts/index.js';
import type { EngagementFetcher } from '../ports/index.js';
import { blobs } from '../services.js';

const fetchers = new Map<Platform, EngagementFetcher>();

/**
 * The metric fetcher of a platform. For now every platform reads the outbox's seeded metrics (the
 * posts are outbox posts); the platform API fetchers take over per platform with their publishers.
 */
export function engagementFetcherFor(platform: Platform): EngagementFetcher {
  let f = fetchers.get(platform);
  if (!f) {
    f = new OfflineEngagementFetcher(platform, blobs());
    fetchers.set(platform, f);
  }
  return f;
}
