import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PlatformAuthError,
  PlatformHttp,
  PlatformPublishError,
} from '../../lambdas/shared/adapters/platforms/http.js';
import { YouTubeEngagement, YouTubePublisher } from '../../lambdas/shared/adapters/platforms/youtube.js';
import { ProviderRetryableError } from '../../lambdas/shared/ports/index.js';
import {
  mediaFiles,
  memoryProgress,
  publishRequest,
  recordingSleep,
  tokenFor,
} from './fakes/platforms/support.js';
import { FakeYouTube } from './fakes/platforms/youtube-server.js';

const KIB = 1024;
const fake = new FakeYouTube();
let media: Awaited<ReturnType<typeof mediaFiles>>;

beforeAll(async () => {
  await fake.start();
  // Three chunks of 256 KiB and a short last one.
  media = await mediaFiles(3 * 256 * KIB + 1000);
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.validTokens.clear();
  fake.validTokens.add('token-1');
  fake.quotaExceeded = false;
});

const build = (opts: { sleep?: ReturnType<typeof recordingSleep>; maxInterruptions?: number } = {}) => {
  const sleep = opts.sleep ?? recordingSleep();
  const token = tokenFor('youtube', fake);
  const http = new PlatformHttp('youtube', token, { sleep });
  return {
    http,
    publisher: new YouTubePublisher(http, {
      baseUrl: fake.base,
      chunkBytes: 256 * KIB,
      sleep,
      maxInterruptions: opts.maxInterruptions,
    }),
  };
};

describe('the YouTube publisher (resumable upload)', () => {
  it('uploads in 256 KiB chunks and returns the video id and its watch URL', async () => {
    const before = fake.videos.length;
    const progress = memoryProgress();

    const result = await build().publisher.publish(publishRequest(media, { progress }));

    expect(fake.videos).toHaveLength(before + 1);
    const video = fake.videos.at(-1);
    expect(result).toEqual({
      post_id: video?.id,
      url: `https://www.youtube.com/watch?v=${video?.id}`,
      status: 'published',
    });
    expect(video?.bytes.equals(media.data)).toBe(true);
    expect(video?.snippet).toMatchObject({
      title: 'What if your coffee woke up before you did?',
      tags: ['LumenCoffee', 'Shorts'],
    });
    expect(video?.status).toMatchObject({ privacyStatus: 'public', containsSyntheticMedia: true });
    expect(progress.state).toMatchObject({ video_id: video?.id, total_bytes: media.data.length });
  });

  it('resumes an interrupted upload from the Range the server reports', async () => {
    const sleep = recordingSleep();
    const puts = fake.count('PUT /upload/youtube/v3/videos');
    fake.interruptNextChunkAfter(100 * KIB);

    const result = await build({ sleep }).publisher.publish(
      publishRequest(media, { progress: memoryProgress() }),
    );

    const video = fake.videos.find((v) => v.id === result.post_id);
    expect(video?.bytes.equals(media.data)).toBe(true);
    // The cut chunk, a status query (`bytes */N`), its rest from byte 100 KiB, then two more chunks.
    const statusQueries = fake.requests
      .slice(puts)
      .filter((r) => r.method === 'PUT' && String(r.headers['content-range']).startsWith('bytes */'));
    expect(statusQueries).toHaveLength(1);
    const ranges = fake.requests
      .slice(puts)
      .filter((r) => r.method === 'PUT')
      .map((r) => r.headers['content-range']);
    expect(ranges).toContain(`bytes ${100 * KIB}-${100 * KIB + 256 * KIB - 1}/${media.data.length}`);
    expect(sleep.waits).toEqual([1000]);
  });

  it('resumes the saved session after a restart instead of opening another one', async () => {
    const progress = memoryProgress();
    const sessions = fake.sessions.size;
    fake.interruptNextChunkAfter(10 * KIB);
    const failed = build({ maxInterruptions: 0 }).publisher.publish(publishRequest(media, { progress }));
    await expect(failed).rejects.toBeInstanceOf(ProviderRetryableError);
    expect(progress.state).toMatchObject({ session_uri: expect.stringContaining('upload_id=') });

    const result = await build().publisher.publish(publishRequest(media, { progress }));

    expect(fake.sessions.size).toBe(sessions + 1);
    expect(fake.videos.find((v) => v.id === result.post_id)?.bytes.equals(media.data)).toBe(true);
  });

  it('returns the finished video when the answer to the last chunk was lost, without a second upload', async () => {
    const progress = memoryProgress();
    const first = await build().publisher.publish(publishRequest(media, { progress }));
    // The process died before it saved the video id: only the session is on record.
    const { video_id: _lost, ...withoutId } = progress.state as Record<string, unknown>;
    progress.state = withoutId;
    const videos = fake.videos.length;
    const sessions = fake.sessions.size;

    const again = await build().publisher.publish(publishRequest(media, { progress }));

    expect(again.post_id).toBe(first.post_id);
    expect(fake.videos).toHaveLength(videos);
    expect(fake.sessions.size).toBe(sessions);
  });

  it('does not call YouTube at all when the post is already published', async () => {
    const progress = memoryProgress({ video_id: 'abc123', session_uri: 'x', total_bytes: 1 });
    const before = fake.requests.length;

    const result = await build().publisher.publish(publishRequest(media, { progress }));

    expect(result.post_id).toBe('abc123');
    expect(fake.requests).toHaveLength(before);
  });

  it('refreshes an expired access token once with the refresh grant and carries on', async () => {
    fake.expireTokens();
    const refreshes = fake.refreshes.length;

    const result = await build().publisher.publish(publishRequest(media, { progress: memoryProgress() }));

    expect(fake.videos.some((v) => v.id === result.post_id)).toBe(true);
    expect(fake.refreshes).toHaveLength(refreshes + 1);
    expect(Object.fromEntries(fake.refreshes.at(-1) ?? [])).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'yt-refresh',
      client_id: 'yt-client',
      client_secret: 'yt-secret',
    });
  });

  it('fails naming YouTube when the refreshed token is refused too', async () => {
    fake.expireTokens();
    fake.script({
      match: 'POST /upload/youtube/v3/videos',
      reply: { status: 401, body: { error: { code: 401 } } },
    });
    fake.script({
      match: 'POST /upload/youtube/v3/videos',
      reply: { status: 401, body: { error: { code: 401 } } },
    });

    const publish = build().publisher.publish(publishRequest(media, { progress: memoryProgress() }));

    await expect(publish).rejects.toBeInstanceOf(PlatformAuthError);
    await expect(publish).rejects.toThrow(/^youtube: /);
  });

  it('waits out a 429 for as long as Retry-After says', async () => {
    const sleep = recordingSleep();
    fake.script({
      match: 'POST /upload/youtube/v3/videos',
      reply: { status: 429, headers: { 'retry-after': '7' }, body: { error: { code: 429 } } },
    });

    await build({ sleep }).publisher.publish(publishRequest(media, { progress: memoryProgress() }));

    expect(sleep.waits).toEqual([7000]);
  });

  it('hands a long Retry-After back to the caller instead of sleeping through it', async () => {
    const sleep = recordingSleep();
    fake.script({
      match: 'POST /upload/youtube/v3/videos',
      reply: { status: 429, headers: { 'retry-after': '3600' }, body: { error: { code: 429 } } },
    });

    const publish = build({ sleep }).publisher.publish(publishRequest(media, { progress: memoryProgress() }));

    await expect(publish).rejects.toMatchObject({ name: 'ProviderRetryableError', retryAfterSeconds: 3600 });
    expect(sleep.waits).toEqual([]);
  });

  it('fails at once, saying so, when the daily quota is used up', async () => {
    fake.quotaExceeded = true;
    const before = fake.count('POST /upload/youtube/v3/videos');

    const publish = build().publisher.publish(publishRequest(media, { progress: memoryProgress() }));

    await expect(publish).rejects.toBeInstanceOf(PlatformPublishError);
    await expect(publish).rejects.toThrow(/quotaExceeded/);
    expect(fake.count('POST /upload/youtube/v3/videos')).toBe(before + 1);
  });

  it('refuses a chunk size that is not a multiple of 256 KiB', () => {
    const { http } = build();
    expect(() => new YouTubePublisher(http, { baseUrl: fake.base, chunkBytes: 300 * KIB })).toThrow(
      /256 KiB/,
    );
  });
});

describe('the YouTube engagement fetcher', () => {
  it('reads views, likes and comments from videos.list statistics', async () => {
    const result = await build().publisher.publish(publishRequest(media, { progress: memoryProgress() }));
    const video = fake.videos.find((v) => v.id === result.post_id);
    if (video)
      video.statistics = { viewCount: '1200', likeCount: '85', favoriteCount: '0', commentCount: '9' };

    const [snapshot, ...rest] = await new YouTubeEngagement(build().http, fake.base, () => new Date(0)).fetch(
      [result.post_id, 'unknown-id'],
    );

    expect(rest).toEqual([]);
    expect(snapshot).toEqual({
      platform: 'youtube',
      platform_post_id: result.post_id,
      collected_at: '1970-01-01T00:00:00.000Z',
      views: 1200,
      likes: 85,
      comments: 9,
      shares: 0,
    });
  });
});
