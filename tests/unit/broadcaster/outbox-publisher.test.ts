import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  OutboxPublisher,
  outboxPostPrefix,
} from '../../../lambdas/shared/adapters/offline/outbox-publisher.js';
import type { BlobStore, PublishRequest } from '../../../lambdas/shared/ports/index.js';
import type { Emulators } from '../../../local/engine/emulators.js';

// The outbox lives in the media bucket (s3rver here, speaking the S3 protocol to the real S3 client).
const BUCKET = 'outbox-test';
const root = mkdtempSync(path.join(tmpdir(), 'bie-outbox-'));
let emulators: Emulators;
let store: BlobStore;
let media: { video: string; thumb: string };
let run = 0;
/** Each test publishes under its own platform name, so tests do not see each other's posts. */
let platform: string;

beforeAll(async () => {
  const { startEmulators } = await import('../../../local/engine/emulators.js');
  emulators = await startEmulators(path.join(root, 'data'), [BUCKET]);
  Object.assign(process.env, emulators.env);
  const { S3BlobStore } = await import('../../../lambdas/shared/data/blob-store.js');
  store = new S3BlobStore(BUCKET);
  media = { video: path.join(root, 'in.mp4'), thumb: path.join(root, 'in.jpg') };
  writeFileSync(media.video, 'fake-mp4-bytes');
  writeFileSync(media.thumb, 'fake-jpg-bytes');
});

afterAll(async () => {
  await emulators?.stop();
});

beforeEach(() => {
  platform = `tiktok${++run}`;
});

const request = (overrides: Partial<PublishRequest> = {}): PublishRequest => ({
  post_key: 'pub-1:tiktok',
  platform: platform as PublishRequest['platform'],
  video_path: media.video,
  thumbnail_path: media.thumb,
  caption: 'What if your coffee woke up before you did?\n\n#LumenCoffee',
  hashtags: ['#LumenCoffee'],
  ai_generated: true,
  ...overrides,
});

const fixedClock = (iso: string) => () => new Date(iso);
const text = async (key: string) => new TextDecoder().decode(await store.get(key));
const postJson = async (postId: string) =>
  JSON.parse(await text(`${outboxPostPrefix(platform, postId)}post.json`)) as Record<string, unknown>;

/** The store, counting every write that goes through it. */
function counting(inner: BlobStore) {
  const writes: string[] = [];
  const wrote = (key: string) => {
    writes.push(key);
  };
  const wrapped: BlobStore = {
    bucket: inner.bucket,
    put: async (k, b, t) => {
      wrote(k);
      return inner.put(k, b, t);
    },
    putIfAbsent: async (k, b, t) => {
      wrote(k);
      return inner.putIfAbsent(k, b, t);
    },
    putFile: async (k, f, t) => {
      wrote(k);
      return inner.putFile(k, f, t);
    },
    get: (k) => inner.get(k),
    download: (k, f) => inner.download(k, f),
    exists: (k) => inner.exists(k),
    url: (k) => inner.url(k),
    presign: (k, s) => inner.presign(k, s),
  };
  return { store: wrapped, writes };
}

describe('outbox publisher', () => {
  it('writes the video, the thumbnail and post.json under outbox/<platform>/<post_id>/ of the bucket', async () => {
    // Prepare
    const publisher = new OutboxPublisher(store, { now: fixedClock('2026-11-24T06:00:00.000Z') });

    // Act
    const result = await publisher.publish(request());

    // Assess
    const prefix = `outbox/${platform}/${result.post_id}/`;
    expect(result.status).toBe('published');
    expect(result.url).toBe(`s3://${BUCKET}/${prefix}`);
    expect(await text(`${prefix}video.mp4`)).toBe('fake-mp4-bytes');
    expect(await text(`${prefix}thumbnail.jpg`)).toBe('fake-jpg-bytes');
    expect(await postJson(result.post_id)).toEqual({
      post_id: result.post_id,
      post_key: 'pub-1:tiktok',
      platform,
      caption: 'What if your coffee woke up before you did?\n\n#LumenCoffee',
      hashtags: ['#LumenCoffee'],
      scheduled_time: null,
      status: 'published',
      created_at: '2026-11-24T06:00:00.000Z',
      video: 'video.mp4',
      thumbnail: 'thumbnail.jpg',
    });
  });

  it('is idempotent: a replay returns the same post and writes nothing', async () => {
    // Prepare
    const first = new OutboxPublisher(store, { now: fixedClock('2026-11-24T06:00:00.000Z') });
    const watched = counting(store);
    const replay = new OutboxPublisher(watched.store, { now: fixedClock('2026-11-24T07:00:00.000Z') });

    // Act
    const a = await first.publish(request());
    const b = await replay.publish(request({ caption: 'a different caption on replay' }));

    // Assess
    expect(b).toEqual(a);
    expect(watched.writes).toEqual([]);
    const post = await postJson(a.post_id);
    expect(post.created_at).toBe('2026-11-24T06:00:00.000Z');
    expect(post.caption).toContain('What if your coffee');
  });

  it('derives the id from the post key, so different keys make different posts', async () => {
    // Act
    const publisher = new OutboxPublisher(store);
    const a = await publisher.publish(request());
    const b = await publisher.publish(request({ post_key: 'pub-2:tiktok' }));

    // Assess
    expect(a.post_id).toBe(OutboxPublisher.postIdFor(platform, 'pub-1:tiktok'));
    expect(a.post_id).toMatch(new RegExp(`^${platform}_[0-9a-f]{16}$`));
    expect(b.post_id).not.toBe(a.post_id);
    expect(await store.exists(`${outboxPostPrefix(platform, b.post_id)}post.json`)).toBe(true);
  });

  it('creates one post when the same key is published concurrently, and every racer returns it', async () => {
    // Prepare: racers whose clocks fall on both sides of the scheduled time, so they would disagree
    // on the status if more than one post.json could win.
    const clocks = ['05:00', '13:00', '05:30', '14:00', '06:00', '15:00'].map((t) =>
      fixedClock(`2026-11-24T${t}:00.000Z`),
    );
    const req = request({ scheduled_time: '2026-11-24T12:00:00Z' });

    // Act
    const results = await Promise.all(clocks.map((now) => new OutboxPublisher(store, { now }).publish(req)));

    // Assess
    const stored = await postJson(results[0]?.post_id as string);
    expect(new Set(results.map((r) => r.post_id)).size).toBe(1);
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([stored.status]));
  });

  it('marks a post scheduled when scheduled_time is in the future, published when it has passed', async () => {
    // Prepare
    const publisher = new OutboxPublisher(store, { now: fixedClock('2026-11-24T06:00:00.000Z') });

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
    const post = await postJson(future.post_id);
    expect(post.scheduled_time).toBe('2026-11-24T12:00:00.000Z');
    expect(post.status).toBe('scheduled');
  });

  it('replaces a post.json that is not a valid post', async () => {
    // Prepare: a broken object left behind by something else.
    const postId = OutboxPublisher.postIdFor(platform, 'pub-1:tiktok');
    const prefix = outboxPostPrefix(platform, postId);
    await store.put(`${prefix}video.mp4`, 'partial', 'video/mp4');
    await store.put(`${prefix}post.json`, '{"post_id":', 'application/json');

    // Act
    const result = await new OutboxPublisher(store).publish(request());

    // Assess
    expect(result.post_id).toBe(postId);
    expect(await text(`${prefix}video.mp4`)).toBe('fake-mp4-bytes');
    expect((await postJson(postId)).status).toBe('published');
  });

  it('refuses a scheduled_time that is not a timestamp and leaves nothing behind', async () => {
    // Prepare
    const prefix = outboxPostPrefix(platform, OutboxPublisher.postIdFor(platform, 'pub-1:tiktok'));

    // Act / Assess
    await expect(new OutboxPublisher(store).publish(request({ scheduled_time: 'tomorrow' }))).rejects.toThrow(
      /not a timestamp/,
    );
    for (const file of ['video.mp4', 'thumbnail.jpg', 'post.json'])
      expect(await store.exists(`${prefix}${file}`), file).toBe(false);
  });
});

describe('S3 conditional writes (If-None-Match: *), which the outbox relies on', () => {
  it('write once: a second conditional put of the key is refused and changes nothing', async () => {
    // Act
    const first = await store.putIfAbsent('conditional/once.txt', 'first', 'text/plain');
    const second = await store.putIfAbsent('conditional/once.txt', 'second', 'text/plain');

    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(await text('conditional/once.txt')).toBe('first');
  });

  it('let exactly one of many racing writers create the key', async () => {
    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.putIfAbsent('conditional/race.txt', `writer ${i}`, 'text/plain'),
      ),
    );

    // Assess
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await text('conditional/race.txt')).toBe(`writer ${outcomes.indexOf(true)}`);
  });

  it('leave unconditional puts as they were (last writer wins)', async () => {
    await store.put('conditional/plain.txt', 'a', 'text/plain');
    await store.put('conditional/plain.txt', 'b', 'text/plain');
    expect(await text('conditional/plain.txt')).toBe('b');
  });
});
