import path from 'node:path';
import { shortHash } from '../../ids.js';
import type { BlobStore, Publisher, PublishRequest } from '../../ports/index.js';

type PublishStatus = 'published' | 'scheduled';
type PublishResult = { post_id: string; url: string; status: PublishStatus };

/** What `post.json` holds. A post exists only when this parses and matches. */
export interface OutboxPost {
  post_id: string;
  post_key: string;
  platform: string;
  caption: string;
  hashtags: string[];
  scheduled_time: string | null;
  status: PublishStatus;
  created_at: string;
  /** File names of the media next to post.json. */
  video: string;
  thumbnail: string;
}

/** The outbox in the media bucket: `outbox/<platform>/<post_id>/{video.mp4, thumbnail.jpg, post.json}`. */
export const OUTBOX_PREFIX = 'outbox/';
export const POST_FILE = 'post.json';
export const outboxPostPrefix = (platform: string, postId: string): string =>
  `${OUTBOX_PREFIX}${platform}/${postId}/`;

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
};
const contentType = (file: string) =>
  CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

/**
 * OFFLINE STAND-IN for the platform publishing APIs: each post becomes the objects
 * `outbox/<platform>/<post_id>/` of the media bucket (video, thumbnail, `post.json`), so a post
 * published by one function is there for every other one and for the user (on Lambda a folder in
 * `/tmp` would vanish with the instance).
 *
 * - Idempotent: the post id derives from the post key (`<platform>_<hash>`); a replayed publish finds
 *   the finished post and returns it without writing anything.
 * - Race-safe: `post.json` is written last with an S3 conditional write (`If-None-Match: *`), so its
 *   presence marks the post complete and, of two publishes of one key racing, the first wins and the
 *   other returns the winner's post. The media keys are the same for both (same post key, same
 *   rendition). A `post.json` that is not a valid post (left by something else) is replaced.
 * - Status: 'scheduled' when `scheduled_time` is in the future, else 'published'.
 */
export class OutboxPublisher implements Publisher {
  readonly provider = 'local-outbox';
  private readonly now: () => Date;

  constructor(
    private readonly blobs: BlobStore,
    opts: { now?: () => Date } = {},
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  /** The id a post key publishes under (stable across runs, processes and versions of this class). */
  static postIdFor(platform: string, postKey: string): string {
    return `${platform}_${shortHash(postKey)}`;
  }

  async publish(req: PublishRequest): Promise<PublishResult> {
    if (!req.post_key) throw new Error('post_key is required');
    const postId = OutboxPublisher.postIdFor(req.platform, req.post_key);
    const prefix = outboxPostPrefix(req.platform, postId);
    const existing = await this.readPost(prefix, postId);
    if (existing) return this.result(prefix, existing);

    const now = this.now();
    let scheduledTime: string | null = null;
    if (req.scheduled_time !== undefined) {
      const at = Date.parse(req.scheduled_time);
      if (!Number.isFinite(at)) throw new Error(`scheduled_time "${req.scheduled_time}" is not a timestamp`);
      scheduledTime = new Date(at).toISOString();
    }
    const status: PublishStatus =
      scheduledTime !== null && Date.parse(scheduledTime) > now.getTime() ? 'scheduled' : 'published';

    const video = `video${path.extname(req.video_path) || '.mp4'}`;
    const thumbnail = `thumbnail${path.extname(req.thumbnail_path) || '.jpg'}`;
    await this.blobs.putFile(`${prefix}${video}`, req.video_path, contentType(video));
    await this.blobs.putFile(`${prefix}${thumbnail}`, req.thumbnail_path, contentType(thumbnail));
    const post: OutboxPost = {
      post_id: postId,
      post_key: req.post_key,
      platform: req.platform,
      caption: req.caption,
      hashtags: req.hashtags,
      scheduled_time: scheduledTime,
      status,
      created_at: now.toISOString(),
      video,
      thumbnail,
    };
    const body = `${JSON.stringify(post, null, 2)}\n`;
    if (await this.blobs.putIfAbsent(`${prefix}${POST_FILE}`, body, 'application/json')) {
      return this.result(prefix, post);
    }
    const winner = await this.readPost(prefix, postId);
    if (winner) return this.result(prefix, winner);
    await this.blobs.put(`${prefix}${POST_FILE}`, body, 'application/json');
    return this.result(prefix, post);
  }

  private async readPost(prefix: string, postId: string): Promise<OutboxPost | undefined> {
    const key = `${prefix}${POST_FILE}`;
    if (!(await this.blobs.exists(key))) return undefined;
    try {
      const post = JSON.parse(new TextDecoder().decode(await this.blobs.get(key))) as Partial<OutboxPost>;
      const complete =
        post.post_id === postId &&
        (post.status === 'published' || post.status === 'scheduled') &&
        typeof post.caption === 'string' &&
        Array.isArray(post.hashtags) &&
        typeof post.created_at === 'string';
      return complete ? (post as OutboxPost) : undefined;
    } catch {
      return undefined;
    }
  }

  private result(prefix: string, post: OutboxPost): PublishResult {
    return { post_id: post.post_id, url: this.blobs.url(prefix), status: post.status };
  }
}
