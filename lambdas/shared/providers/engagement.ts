/**
 * The metric fetcher of a platform, as its publisher is configured (BIE_PUBLISH_<PLATFORM>): the
 * platform's API, nothing for Blotato posts, or the outbox's seeded `metrics.json` (offline).
 */
export { engagementFetcher as engagementFetcherFor } from './publisher.js';
