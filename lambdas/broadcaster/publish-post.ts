import path from 'node:path';
import { z } from 'zod';
import { chargeUsage } from '../shared/charges.js';
import { PlatformPost } from '../shared/contracts/index.js';
import { publications, workDocs } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { nowIso } from '../shared/ids.js';
import { recordMetric } from '../shared/metrics.js';
import type { PublishProgress } from '../shared/ports/index.js';
import { publisherFor } from '../shared/providers/publisher.js';
import { postScheduler } from '../shared/providers/scheduler.js';
import { blobs } from '../shared/services.js';
import { withWorkDir } from '../shared/workdir.js';
import { Formatted } from './context.js';
import { holdUntilDue } from './post-scheduling.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  publication_id: z.uuid(),
  post: z.object({ platform: z.string(), post_key: z.string() }),
  execution: z.string(),
});

/** What a publisher has done for one post (session URI, publish id, ...), one item per post key. */
const PROGRESS_KIND = 'publish-progress';
const Progress = z.record(z.string(), z.unknown());
const progressOf = (campaignId: string, postKey: string): PublishProgress => ({
  load: () => workDocs.find(campaignId, PROGRESS_KIND, postKey, Progress),
  save: (state) => workDocs.put(campaignId, PROGRESS_KIND, postKey, state),
});

/**
 * Publishes one post with its platform's publisher (BIE_PUBLISH_<PLATFORM>). Idempotent by post key:
 * the publisher's progress is kept per post key, so a retry or a restarted execution resumes the
 * upload or returns the post already made, never a second post.
 */
export const handler = stepHandler('PublishPost', Input, async (input, context) => {
  // Scheduling (issue 8): a post whose time has not come is scheduled instead; see post-scheduling.ts.
  const held = await holdUntilDue(input, postScheduler(context.invokedFunctionArn));
  if (held) return held;
  const f = await workDocs.get(input.campaign_id, 'formatted', input.post.post_key, Formatted);
  return withWorkDir(`${input.execution}:${input.post.post_key}`, async (dir) => {
    const store = blobs();
    const video = await store.download(f.rendition_key, path.join(dir, 'video.mp4'));
    const thumb = await store.download(f.thumbnail_key, path.join(dir, 'thumbnail.jpg'));
    const pub = publisherFor(f.platform);
    let result: Awaited<ReturnType<typeof pub.publish>>;
    try {
      result = await pub.publish({
        post_key: input.post.post_key,
        platform: f.platform,
        video_path: video,
        thumbnail_path: thumb,
        caption: f.caption,
        hashtags: f.hashtags,
        // From the video's provenance: platforms ask for the synthetic-media label (TikTok is_aigc,
        // YouTube containsSyntheticMedia). Only the offline procedural stand-in is not generative AI.
        ai_generated: f.ai_generated,
        title: f.title,
        video_key: f.rendition_key,
        progress: progressOf(input.campaign_id, input.post.post_key),
      });
    } catch (error) {
      // The PublishFailures alarm watches this metric; the state machine retries the task.
      recordMetric('PublishFailures', 1, { platform: f.platform });
      throw error;
    }
    const post = PlatformPost.parse({
      platform: f.platform,
      formatted_video_url: store.url(f.rendition_key),
      post_id: result.post_id,
      caption: f.caption,
      hashtags: f.hashtags,
      metadata: {
        aspect_ratio: f.aspect_ratio,
        duration_seconds: f.duration_seconds,
        thumbnail_url: store.url(f.thumbnail_key),
      },
      publication_status: result.status,
      published_at: result.status === 'published' ? nowIso() : undefined,
      engagement_metrics: { views: 0, likes: 0, shares: 0, comments: 0 },
    });
    await publications.putPost(input.campaign_id, input.publication_id, post);
    await chargeUsage({
      campaignId: input.campaign_id,
      variantId: input.variant_id,
      pillar: 'broadcaster',
      key: `publish:${input.post.post_key}`,
      usage: {
        model: pub.provider,
        provider: pub.provider === 'local-outbox' ? 'offline' : pub.provider,
        units: 1,
        unit: 'requests',
      },
      description: `publish to ${f.platform}`,
    });
    return { platform: f.platform, post_id: result.post_id, url: result.url, status: result.status };
  });
});
