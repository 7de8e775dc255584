import { z } from 'zod';
import type { Platform } from '../../contracts/index.js';
import type { BlobStore, EngagementFetcher, EngagementSnapshot } from '../../ports/index.js';
import { outboxPostPrefix } from '../offline/outbox-publisher.js';
import { safeJson } from './http.js';

/** What a seeded `metrics.json` next to an outbox post may hold (counts default to 0). */
export const SeededMetrics = z.object({
  views: z.number().int().min(0).default(0),
  likes: z.number().int().min(0).default(0),
  comments: z.number().int().min(0).default(0),
  shares: z.number().int().min(0).default(0),
  watch_time_seconds: z.number().min(0).optional(),
  impressions: z.number().int().min(0).optional(),
});

export const METRICS_FILE = 'metrics.json';

/**
 * OFFLINE STAND-IN for a platform's metrics API, beside the outbox publisher: a post's engagement is
 * `outbox/<platform>/<post_id>/metrics.json` when someone (a test, a demo) put one there, and zeros
 * otherwise. Deterministic: the same objects give the same snapshot. A file that does not parse is an
 * error naming it, not silently zero.
 */
export class OutboxEngagement implements EngagementFetcher {
  constructor(
    readonly platform: Platform,
    private readonly blobs: BlobStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async fetch(platformPostIds: string[]): Promise<EngagementSnapshot[]> {
    const at = this.now().toISOString();
    return Promise.all(
      platformPostIds.map(async (id) => {
        const key = `${outboxPostPrefix(this.platform, id)}${METRICS_FILE}`;
        let seeded = SeededMetrics.parse({});
        if (await this.blobs.exists(key)) {
          const text = new TextDecoder().decode(await this.blobs.get(key));
          const parsed = SeededMetrics.safeParse(safeJson(text));
          if (!parsed.success) {
            throw new Error(
              `${key}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
            );
          }
          seeded = parsed.data;
        }
        return { platform: this.platform, platform_post_id: id, collected_at: at, ...seeded };
      }),
    );
  }
}
