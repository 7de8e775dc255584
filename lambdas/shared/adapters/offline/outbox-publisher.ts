import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { shortHash } from '../../ids.js';
import type { Publisher, PublishRequest } from '../../ports/index.js';

/**
 * OFFLINE STAND-IN for the platform publishing APIs: each post becomes a folder in an outbox
 * (video, thumbnail, post.json). The post id derives from the post key, so a replayed publish finds
 * the finished post instead of posting twice; folders appear atomically (temp dir + rename).
 */
export class OutboxPublisher implements Publisher {
  readonly provider = 'local-outbox';
  constructor(private readonly dir: string) {}

  async publish(
    req: PublishRequest,
  ): Promise<{ post_id: string; url: string; status: 'published' | 'scheduled' }> {
    const postId = `${req.platform}_${shortHash(req.post_key)}`;
    const folder = path.join(this.dir, req.platform, postId);
    const meta = path.join(folder, 'post.json');
    if (existsSync(meta)) {
      const done = JSON.parse(readFileSync(meta, 'utf8')) as { status: 'published' | 'scheduled' };
      return { post_id: postId, url: `file://${folder}`, status: done.status };
    }
    const status =
      req.scheduled_time && Date.parse(req.scheduled_time) > Date.now() ? 'scheduled' : 'published';
    const tmp = `${folder}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    copyFileSync(req.video_path, path.join(tmp, `video${path.extname(req.video_path)}`));
    copyFileSync(req.thumbnail_path, path.join(tmp, `thumbnail${path.extname(req.thumbnail_path)}`));
    writeFileSync(
      path.join(tmp, 'post.json'),
      `${JSON.stringify({ post_id: postId, platform: req.platform, caption: req.caption, hashtags: req.hashtags, scheduled_time: req.scheduled_time, status, created_at: new Date().toISOString() }, null, 2)}\n`,
    );
    mkdirSync(path.dirname(folder), { recursive: true });
    renameSync(tmp, folder);
    return { post_id: postId, url: `file://${folder}`, status };
  }
}
