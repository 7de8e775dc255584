import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { shortHash } from '../../ids.js';
import type { Publisher, PublishRequest } from '../../ports/index.js';

type PublishStatus = 'published' | 'scheduled';
type PublishResult = { post_id: string; url: string; status: PublishStatus };

/** What `post.json` holds. A folder counts as a finished post only when this parses and matches. */
export interface OutboxPost {
  post_id: string;
  post_key: string;
  platform: string;
  caption: string;
  hashtags: string[];
  scheduled_time: string | null;
  status: PublishStatus;
  created_at: string;
  video: string;
  thumbnail: string;
}

const POST_FILE = 'post.json';
const STAGING = '.staging';

/**
 * OFFLINE STAND-IN for the platform publishing APIs: each post becomes a folder
 * `<outboxDir>/<platform>/<post_id>/` with the video, the thumbnail and `post.json`.
 *
 * - Idempotent: the post id derives from the post key (`<platform>_<hash>`), so a replayed publish finds
 *   the finished post and returns it instead of posting twice.
 * - Atomic: the folder is assembled under `<outboxDir>/.staging/` (same file system) and renamed into
 *   place, so a reader never sees half a post. If two publishes of one key race, the first rename wins
 *   and the other returns the winner's post. A folder without a valid `post.json` (left by something
 *   else) is replaced.
 * - Status: 'scheduled' when `scheduled_time` is in the future, else 'published'.
 */
export class OutboxPublisher implements Publisher {
  readonly provider = 'local-outbox';
  private readonly now: () => Date;

  constructor(
    private readonly dir: string,
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
    const folder = path.join(this.dir, req.platform, postId);
    const existing = await this.readPost(folder, postId);
    if (existing) return this.result(folder, existing);

    const now = this.now();
    let scheduledTime: string | null = null;
    if (req.scheduled_time !== undefined) {
      const at = Date.parse(req.scheduled_time);
      if (!Number.isFinite(at)) throw new Error(`scheduled_time "${req.scheduled_time}" is not a timestamp`);
      scheduledTime = new Date(at).toISOString();
    }
    const status: PublishStatus =
      scheduledTime !== null && Date.parse(scheduledTime) > now.getTime() ? 'scheduled' : 'published';

    const staging = path.join(this.dir, STAGING, `${postId}-${randomUUID()}`);
    await mkdir(staging, { recursive: true });
    try {
      const video = `video${path.extname(req.video_path) || '.mp4'}`;
      const thumbnail = `thumbnail${path.extname(req.thumbnail_path) || '.jpg'}`;
      await copyFile(req.video_path, path.join(staging, video));
      await copyFile(req.thumbnail_path, path.join(staging, thumbnail));
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
      // post.json last: its presence marks the folder complete.
      await writeFile(path.join(staging, POST_FILE), `${JSON.stringify(post, null, 2)}\n`);
      await mkdir(path.dirname(folder), { recursive: true });
      return this.result(folder, await this.moveIntoPlace(staging, folder, postId, post));
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  private async moveIntoPlace(
    staging: string,
    folder: string,
    postId: string,
    post: OutboxPost,
  ): Promise<OutboxPost> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await rename(staging, folder);
        return post;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
        // Someone else finished first (return theirs) or left an incomplete folder (replace it).
        const winner = await this.readPost(folder, postId);
        if (winner) return winner;
        await rm(folder, { recursive: true, force: true });
      }
    }
    throw new Error(`could not place outbox post ${postId} at ${folder}`);
  }

  private async readPost(folder: string, postId: string): Promise<OutboxPost | undefined> {
    let raw: string;
    try {
      raw = await readFile(path.join(folder, POST_FILE), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const post = JSON.parse(raw) as Partial<OutboxPost>;
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

  private result(folder: string, post: OutboxPost): PublishResult {
    return { post_id: post.post_id, url: pathToFileURL(folder).href, status: post.status };
  }
}
