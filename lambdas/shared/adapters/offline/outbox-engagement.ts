import { z } from 'zod';
import type { Platform } from '../../contracts/index.js';
import type { BlobStore, EngagementFetcher, EngagementSnapshot } from '../../ports/index.js';
import { outboxPostPrefix } from './outbox-publisher.js';

/** What a seeded `metrics.json` may hold (lifetime counters, as platforms report them). */
const SeededMetrics = z.object({
  views: z.number().int().min(0).default(0),
  likes: z.number().int().min(0).default(0),
  comments: z.number().int().min(0).default(0),
  shares: z.number().int().min(0).default(0),
  watch_time_seconds: z.number().min(0).optional(),
  impressions: z.number().int().min(0).optional(),
});

/**
 * OFFLINE STAND-IN for the platforms' metric APIs: an outbox post's counters are whatever
 * `outbox/<platform>/<post_id>/metrics.json` in the media bucket says (seeded by a test, a demo or an
 * operator), zeros when there is none. A malformed file is an error naming it, not silent zeros.
 */
export class OfflineEngagementFetcher implements EngagementFetcher {
  constructor(
    readonly platform: Platform,
    private readonly blobs: BlobStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async fetch(platformPostIds: string[]): Promise<EngagementSnapshot[]> {
    const collectedAt = this.now().toISOString();
    return Promise.all(
      platformPostIds.map(async (id) => {
        const key = `${outboxPostPrefix(this.platform, id)}metrics.json`;
        let m: z.infer<typeof SeededMetrics> = SeededMetrics.parse({});
        if (await this.blobs.exists(key)) {
          const parsed = SeededMetrics.safeParse(
            JSON.parse(new TextDecoder().decode(await this.blobs.get(key))) as unknown,
          );
          if (!parsed.success)
            throw new Error(`${key}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
          m = parsed.data;
        }
        return { platform: this.platform, platform_post_id: id, collected_at: collectedAt, ...m };
      }),
    );
  }
}
