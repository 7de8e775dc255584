import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  OAuthAccessToken,
  OAuthClient,
  PlatformAuthError,
  PlatformHttp,
  PlatformPublishError,
} from '../../lambdas/shared/adapters/platforms/http.js';
import {
  TikTokEngagement,
  type TikTokPrivacy,
  TikTokPublisher,
  tiktokChunks,
} from '../../lambdas/shared/adapters/platforms/tiktok.js';
import { ProviderRetryableError } from '../../lambdas/shared/ports/index.js';
import {
  mediaFiles,
  memoryProgress,
  publishRequest,
  recordingSleep,
  tokenFor,
} from './fakes/platforms/support.js';
import { FakeTikTok } from './fakes/platforms/tiktok-server.js';

const MB = 1024 * 1024;
const fake = new FakeTikTok();
let small: Awaited<ReturnType<typeof mediaFiles>>;
let large: Awaited<ReturnType<typeof mediaFiles>>;

beforeAll(async () => {
  await fake.start();
  small = await mediaFiles(300_000);
  // Two chunks: 5 MB and the rest (the last chunk takes the trailing bytes).
  large = await mediaFiles(11 * MB + 123);
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.validTokens.clear();
  fake.validTokens.add('token-1');
  fake.privacyOptions = ['SELF_ONLY'];
  fake.moderationPolls = 1;
});

const build = (
  opts: {
    privacyLevel?: TikTokPrivacy;
    statusPolls?: number;
    sleep?: ReturnType<typeof recordingSleep>;
  } = {},
) => {
  const sleep = opts.sleep ?? recordingSleep();
  const http = new PlatformHttp('tiktok', tokenFor('tiktok', fake), { sleep });
  return {
    http,
    publisher: new TikTokPublisher(http, {
      baseUrl: fake.base,
      chunkBytes: 5 * MB,
      privacyLevel: opts.privacyLevel,
      statusPolls: opts.statusPolls,
      pollIntervalMs: 10,
      sleep,
    }),
  };
};
const tiktokRequest = (media: typeof small, overrides = {}) =>
  publishRequest(media, { platform: 'tiktok', post_key: 'pub-1:tiktok', ...overrides });

describe('the TikTok publisher (Direct Post, FILE_UPLOAD)', () => {
  it('asks creator_info first, posts privately as an unaudited app, and labels the video as AI-generated', async () => {
    const before = fake.requests.length;

    const result = await build().publisher.publish(tiktokRequest(small, { progress: memoryProgress() }));

    const paths = fake.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(paths.slice(0, 3)).toEqual([
      'POST /v2/post/publish/creator_info/query/',
      'POST /v2/post/publish/video/init/',
      'PUT /upload/',
    ]);
    const post = fake.posts.at(-1);
    expect(post?.post_info).toMatchObject({
      privacy_level: 'SELF_ONLY',
      is_aigc: true,
      disable_stitch: true,
    });
    expect(String(post?.post_info.title)).toContain('#LumenCoffee');
    expect(Buffer.concat(post?.received ?? []).equals(small.data)).toBe(true);
    // A private post has no public id: the publish id stands for it.
    expect(result).toEqual({
      post_id: post?.publish_id,
      url: 'https://www.tiktok.com/@lumen.coffee',
      status: 'published',
    });
  });

  it('returns the public post id, exact to the last digit, when the app may post publicly', async () => {
    fake.privacyOptions = ['PUBLIC_TO_EVERYONE', 'SELF_ONLY'];

    const result = await build({ privacyLevel: 'PUBLIC_TO_EVERYONE' }).publisher.publish(
      tiktokRequest(small, { progress: memoryProgress() }),
    );

    const post = fake.posts.at(-1);
    expect(post?.post_id).toMatch(/^73\d{17}$/);
    expect(result.post_id).toBe(post?.post_id);
    expect(result.url).toBe(`https://www.tiktok.com/@lumen.coffee/video/${post?.post_id}`);
  });

  it('refuses a privacy level the creator does not offer, naming the setting', async () => {
    const publish = build({ privacyLevel: 'PUBLIC_TO_EVERYONE' }).publisher.publish(
      tiktokRequest(small, { progress: memoryProgress() }),
    );
    await expect(publish).rejects.toBeInstanceOf(PlatformPublishError);
    await expect(publish).rejects.toThrow(/TIKTOK_PRIVACY_LEVEL/);
  });

  it('chunks as the media transfer guide says', () => {
    expect(tiktokChunks(3 * MB)).toEqual({ chunk_size: 3 * MB, total_chunk_count: 1 });
    expect(tiktokChunks(11 * MB + 123, 5 * MB)).toEqual({ chunk_size: 5 * MB, total_chunk_count: 2 });
    expect(tiktokChunks(200 * MB, 100 * MB)).toEqual({ chunk_size: 64 * MB, total_chunk_count: 3 });
  });

  it('uploads the remaining chunks after a restart, under the same publish id', async () => {
    const progress = memoryProgress();
    const posts = fake.posts.length;
    // The second chunk's connection drops.
    fake.script({ match: 'PUT /upload/', drop: true, after: 1 });
    const first = build().publisher.publish(tiktokRequest(large, { progress }));
    await expect(first).rejects.toBeInstanceOf(ProviderRetryableError);
    expect(progress.state).toMatchObject({ chunks_done: 1 });
    const post = fake.posts.at(-1);

    const result = await build().publisher.publish(tiktokRequest(large, { progress }));

    expect(fake.posts).toHaveLength(posts + 1);
    expect(result.post_id).toBe(post?.publish_id);
    expect(Buffer.concat(post?.received ?? []).equals(large.data)).toBe(true);
  });

  it('keeps polling a post in moderation on the next attempt instead of posting again', async () => {
    fake.moderationPolls = 5;
    const progress = memoryProgress();
    const posts = fake.posts.length;
    const first = build({ statusPolls: 2 }).publisher.publish(tiktokRequest(small, { progress }));
    await expect(first).rejects.toThrow(/still processing/);

    const result = await build({ statusPolls: 10 }).publisher.publish(tiktokRequest(small, { progress }));

    expect(fake.posts).toHaveLength(posts + 1);
    expect(fake.posts.at(-1)?.status).toBe('PUBLISH_COMPLETE');
    expect(result.post_id).toBe(fake.posts.at(-1)?.publish_id);
  });

  it('does not call TikTok again for a post that is done', async () => {
    const progress = memoryProgress();
    const first = await build().publisher.publish(tiktokRequest(small, { progress }));
    const before = fake.requests.length;

    const again = await build().publisher.publish(tiktokRequest(small, { progress }));

    expect(again).toEqual(first);
    expect(fake.requests).toHaveLength(before);
  });

  it('refreshes an expired token through /v2/oauth/token/ with the client key', async () => {
    fake.expireTokens();
    const refreshes = fake.refreshes.length;

    await build().publisher.publish(tiktokRequest(small, { progress: memoryProgress() }));

    expect(fake.refreshes).toHaveLength(refreshes + 1);
    expect(fake.refreshes.at(-1)?.get('client_key')).toBe('tt-client-key');
    expect(fake.refreshes.at(-1)?.get('grant_type')).toBe('refresh_token');
  });

  describe('rotated refresh tokens (the one sent stops working once a new one is issued)', () => {
    /** The platform's secret as Secrets Manager holds it, shared by every container. */
    const secretStore = () => {
      const store = { value: JSON.stringify(fake.oauthClient), writes: 0 };
      const container = () =>
        new OAuthAccessToken('tiktok', {
          client: async () => OAuthClient.parse(JSON.parse(store.value)),
          store: async (c) => {
            store.value = JSON.stringify(c);
            store.writes++;
          },
          tokenUrl: fake.tokenUrl,
          sleep: async () => undefined,
        });
      return { store, container };
    };

    it('stores the new refresh token, so a later container can still refresh', async () => {
      // Prepare
      const { store, container } = secretStore();
      const sentFirst = OAuthClient.parse(JSON.parse(store.value)).refresh_token;
      fake.expireTokens();

      // Act
      const sleep = recordingSleep();
      const http = new PlatformHttp('tiktok', container(), { sleep });
      await new TikTokPublisher(http, { baseUrl: fake.base, pollIntervalMs: 10, sleep }).publish(
        tiktokRequest(small, { progress: memoryProgress() }),
      );
      fake.expireTokens();
      const later = await container().refresh();

      // Assess
      const stored = OAuthClient.parse(JSON.parse(store.value));
      expect(stored.refresh_token).not.toBe(sentFirst);
      expect(stored.refresh_token).toBe(fake.oauthClient.refresh_token);
      expect(stored.access_token).toBe(later);
      expect(fake.validTokens.has(later)).toBe(true);
      expect(store.writes).toBe(2);
    });

    it('gives two containers refreshing at once a working token each', async () => {
      // Prepare
      const { store, container } = secretStore();
      fake.expireTokens();
      const refreshes = fake.refreshes.length;

      // Act
      const tokens = await Promise.all([container().refresh(), container().refresh()]);

      // Assess: one grant was refused (its refresh token had just been rotated) and made again.
      for (const t of tokens) expect(fake.validTokens.has(t)).toBe(true);
      expect(fake.refreshes.length - refreshes).toBe(3);
      expect(OAuthClient.parse(JSON.parse(store.value)).refresh_token).toBe(fake.oauthClient.refresh_token);
    });
  });

  it('fails naming TikTok when the refresh grant is refused', async () => {
    fake.expireTokens();
    const http = new PlatformHttp('tiktok', tokenFor('tiktok', fake, { client_secret: 'wrong' }));
    const publish = new TikTokPublisher(http, { baseUrl: fake.base }).publish(
      tiktokRequest(small, { progress: memoryProgress() }),
    );
    await expect(publish).rejects.toBeInstanceOf(PlatformAuthError);
    await expect(publish).rejects.toThrow(/^tiktok: refreshing the access token failed/);
  });

  it('waits out rate limiting (6 inits a minute) as Retry-After says', async () => {
    const sleep = recordingSleep();
    fake.script({
      match: 'POST /v2/post/publish/video/init/',
      reply: {
        status: 429,
        headers: { 'retry-after': '10' },
        body: { data: {}, error: { code: 'rate_limit_exceeded', message: 'slow down', log_id: 'l' } },
      },
    });

    await build({ sleep }).publisher.publish(tiktokRequest(small, { progress: memoryProgress() }));

    expect(sleep.waits[0]).toBe(10_000);
  });
});

describe('the TikTok engagement fetcher', () => {
  it('reads the counts of public posts from video/query and skips private ones', async () => {
    fake.privacyOptions = ['PUBLIC_TO_EVERYONE'];
    const { publisher, http } = build({ privacyLevel: 'PUBLIC_TO_EVERYONE' });
    const result = await publisher.publish(tiktokRequest(small, { progress: memoryProgress() }));
    const post = fake.posts.find((p) => p.post_id === result.post_id);
    if (post) post.stats = { view_count: 5400, like_count: 410, comment_count: 33, share_count: 27 };
    const queries = fake.count('POST /v2/video/query/');

    const snapshots = await new TikTokEngagement(http, fake.base, () => new Date(0)).fetch([
      result.post_id,
      'v_pub_file~v2-1.123',
    ]);

    expect(snapshots).toEqual([
      {
        platform: 'tiktok',
        platform_post_id: result.post_id,
        collected_at: '1970-01-01T00:00:00.000Z',
        views: 5400,
        likes: 410,
        comments: 33,
        shares: 27,
      },
    ]);
    expect(fake.count('POST /v2/video/query/')).toBe(queries + 1);
  });
});
