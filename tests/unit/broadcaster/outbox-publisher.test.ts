import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxPublisher } from '../../../lambdas/shared/adapters/offline/outbox-publisher.js';
import type { PublishRequest } from '../../../lambdas/shared/ports/index.js';

let root: string;
let outbox: string;
let media: { video: string; thumb: string };

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'bie-outbox-'));
  outbox = path.join(root, 'outbox');
  media = { video: path.join(root, 'in.mp4'), thumb: path.join(root, 'in.jpg') };
  writeFileSync(media.video, 'fake-mp4-bytes');
  writeFileSync(media.thumb, 'fake-jpg-bytes');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const request = (overrides: Partial<PublishRequest> = {}): PublishRequest => ({
  post_key: 'pub-1:tiktok',
  platform: 'tiktok',
  video_path: media.video,
  thumbnail_path: media.thumb,
  caption: 'What if your coffee woke up before you did?\n\n#LumenCoffee',
  hashtags: ['#LumenCoffee'],
  ...overrides,
});

const fixedClock = (iso: string) => () => new Date(iso);

describe('outbox publisher', () => {
  it('writes the video, the thumbnail and post.json into <outbox>/<platform>/<post_id>/', async () => {
    // Prepare
    const publisher = new OutboxPublisher(outbox, { now: fixedClock('2026-11-24T06:00:00.000Z') });

    // Act
    const result = await publisher.publish(request());

    // Assess
    const folder = path.join(outbox, 'tiktok', result.post_id);
    expect(result.status).toBe('published');
    expect(result.url).toBe(`file://${folder}`);
    expect(readdirSync(folder).sort()).toEqual(['post.json', 'thumbnail.jpg', 'video.mp4']);
    expect(readFileSync(path.join(folder, 'video.mp4'), 'utf8')).toBe('fake-mp4-bytes');
    expect(readFileSync(path.join(folder, 'thumbnail.jpg'), 'utf8')).toBe('fake-jpg-bytes');
    expect(JSON.parse(readFileSync(path.join(folder, 'post.json'), 'utf8'))).toEqual({
      post_id: result.post_id,
      post_key: 'pub-1:tiktok',
      platform: 'tiktok',
      caption: 'What if your coffee woke up before you did?\n\n#LumenCoffee',
      hashtags: ['#LumenCoffee'],
      scheduled_time: null,
      status: 'published',
      created_at: '2026-11-24T06:00:00.000Z',
      video: 'video.mp4',
      thumbnail: 'thumbnail.jpg',
    });
    expect(readdirSync(path.join(outbox, '.staging'))).toEqual([]);
  });

  it('is idempotent: the same post_key twice gives one folder and the same id', async () => {
    // Prepare
    const first = new OutboxPublisher(outbox, { now: fixedClock('2026-11-24T06:00:00.000Z') });
    const replay = new OutboxPublisher(outbox, { now: fixedClock('2026-11-24T07:00:00.000Z') });

    // Act
    const a = await first.publish(request());
    const b = await replay.publish(request({ caption: 'a different caption on replay' }));

    // Assess
    expect(b).toEqual(a);
    expect(readdirSync(path.join(outbox, 'tiktok'))).toEqual([a.post_id]);
    const post = JSON.parse(readFileSync(path.join(outbox, 'tiktok', a.post_id, 'post.json'), 'utf8'));
    expect(post.created_at).toBe('2026-11-24T06:00:00.000Z');
    expect(post.caption).toContain('What if your coffee');
  });

  it('derives the id from the post key, so different keys make different posts', async () => {
    // Act
    const publisher = new OutboxPublisher(outbox);
    const a = await publisher.publish(request());
    const b = await publisher.publish(request({ post_key: 'pub-2:tiktok' }));

    // Assess
    expect(a.post_id).toBe(OutboxPublisher.postIdFor('tiktok', 'pub-1:tiktok'));
    expect(a.post_id).toMatch(/^tiktok_[0-9a-f]{16}$/);
    expect(b.post_id).not.toBe(a.post_id);
    expect(readdirSync(path.join(outbox, 'tiktok')).sort()).toEqual([a.post_id, b.post_id].sort());
  });

  it('creates one post when the same key is published concurrently', async () => {
    // Act
    const results = await Promise.all(
      Array.from({ length: 6 }, () => new OutboxPublisher(outbox).publish(request())),
    );

    // Assess
    expect(new Set(results.map((r) => r.post_id)).size).toBe(1);
    expect(readdirSync(path.join(outbox, 'tiktok'))).toHaveLength(1);
    expect(readdirSync(path.join(outbox, '.staging'))).toEqual([]);
  });

  it('marks a post scheduled when scheduled_time is in the future, published when it has passed', async () => {
    // Prepare
    const publisher = new OutboxPublisher(outbox, { now: fixedClock('2026-11-24T06:00:00.000Z') });

    // Act
    const future = await publisher.publish(
      request({ post_key: 'k-future', scheduled_time: '2026-11-24T12:00:00+00:00' }),
    );
    const past = await publisher.publish(
      request({ post_key: 'k-past', scheduled_time: '2026-11-24T05:00:00Z' }),
    );

    // Assess
    expect(future.status).toBe('scheduled');
    expect(past.status).toBe('published');
    const post = JSON.parse(readFileSync(path.join(outbox, 'tiktok', future.post_id, 'post.json'), 'utf8'));
    expect(post.scheduled_time).toBe('2026-11-24T12:00:00.000Z');
    expect(post.status).toBe('scheduled');
  });

  it('replaces a folder that has no complete post.json', async () => {
    // Prepare: a half-written folder left behind by something else.
    const postId = OutboxPublisher.postIdFor('tiktok', 'pub-1:tiktok');
    const folder = path.join(outbox, 'tiktok', postId);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'video.mp4'), 'partial');
    writeFileSync(path.join(folder, 'post.json'), '{"post_id":');

    // Act
    const result = await new OutboxPublisher(outbox).publish(request());

    // Assess
    expect(result.post_id).toBe(postId);
    expect(readFileSync(path.join(folder, 'video.mp4'), 'utf8')).toBe('fake-mp4-bytes');
    expect(JSON.parse(readFileSync(path.join(folder, 'post.json'), 'utf8')).status).toBe('published');
  });

  it('refuses a scheduled_time that is not a timestamp and leaves nothing behind', async () => {
    // Act / Assess
    await expect(
      new OutboxPublisher(outbox).publish(request({ scheduled_time: 'tomorrow' })),
    ).rejects.toThrow(/not a timestamp/);
    expect(existsSync(path.join(outbox, 'tiktok'))).toBe(false);
  });
});
