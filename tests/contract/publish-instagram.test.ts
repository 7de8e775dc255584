import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  OAuthAccessToken,
  type OAuthClient,
  PlatformHttp,
  PlatformPublishError,
} from '../../lambdas/shared/adapters/platforms/http.js';
import {
  InstagramEngagement,
  InstagramPublisher,
  metaAuthFailure,
} from '../../lambdas/shared/adapters/platforms/instagram.js';
import type { BlobStore } from '../../lambdas/shared/ports/index.js';
import { ProviderRetryableError } from '../../lambdas/shared/ports/index.js';
import { FakeInstagram } from './fakes/platforms/instagram-server.js';
import {
  mediaFiles,
  memoryProgress,
  publishRequest,
  recordingSleep,
  serveFile,
  tokenFor,
} from './fakes/platforms/support.js';

const fake = new FakeInstagram();
let media: Awaited<ReturnType<typeof mediaFiles>>;
let served: Awaited<ReturnType<typeof serveFile>>;
const presigned: { key: string; expires: number }[] = [];
/** The rendition in the bucket: presign hands out the URL the platform downloads. */
const blobs = {
  presign: async (key: string, expires: number) => {
    presigned.push({ key, expires });
    return served.url;
  },
} as unknown as BlobStore;

beforeAll(async () => {
  await fake.start();
  media = await mediaFiles(200_000);
  served = await serveFile(media.video);
});
afterAll(async () => {
  await fake.stop();
  await served.stop();
});
beforeEach(() => {
  fake.validTokens.clear();
  fake.validTokens.add('token-1');
  fake.processingPolls = 1;
  fake.quotaUsage = 0;
});

const build = (opts: { statusPolls?: number; sleep?: ReturnType<typeof recordingSleep> } = {}) => {
  const sleep = opts.sleep ?? recordingSleep();
  const http = new PlatformHttp('instagram', tokenFor('instagram', fake), {
    sleep,
    authFailure: metaAuthFailure,
  });
  return {
    http,
    sleep,
    publisher: new InstagramPublisher(http, blobs, {
      graphUrl: fake.graphUrl,
      userId: fake.userId,
      statusPolls: opts.statusPolls,
      pollIntervalMs: 60_000,
      sleep,
    }),
  };
};
const igRequest = (overrides = {}) =>
  publishRequest(media, { platform: 'instagram', post_key: 'pub-1:instagram', ...overrides });

describe('the Instagram Reels publisher', () => {
  it('makes a REELS container from a presigned URL, waits for FINISHED, publishes and returns the permalink', async () => {
    const { publisher, sleep } = build();

    const result = await publisher.publish(igRequest({ progress: memoryProgress() }));

    const container = fake.containers.at(-1);
    const post = fake.media.at(-1);
    expect(presigned.at(-1)?.key).toBe('renditions/youtube/video.mp4');
    expect(container).toMatchObject({ status_code: 'PUBLISHED', bytes: media.data.length });
    expect(container?.caption).toContain('#LumenCoffee');
    expect(result).toEqual({ post_id: post?.id, url: post?.permalink, status: 'published' });
    // One IN_PROGRESS answer: one wait of the documented minute.
    expect(sleep.waits).toEqual([60_000]);
  });

  it('fails clearly when Meta cannot download the video', async () => {
    // An unsigned URL: the bucket refuses it, so Meta's download fails.
    const unsigned = { presign: async () => served.url.split('?')[0] } as unknown as BlobStore;
    const publisher = new InstagramPublisher(build().http, unsigned, {
      graphUrl: fake.graphUrl,
      userId: fake.userId,
      sleep: recordingSleep(),
    });

    const publish = publisher.publish(igRequest({ progress: memoryProgress() }));

    await expect(publish).rejects.toThrow(
      /^instagram: the Reels container ERROR: Error: Media download has failed/,
    );
  });

  it('keeps the container of a slow upload and finishes it on the next attempt', async () => {
    fake.processingPolls = 4;
    const progress = memoryProgress();
    const containers = fake.containers.length;
    await expect(build({ statusPolls: 2 }).publisher.publish(igRequest({ progress }))).rejects.toBeInstanceOf(
      ProviderRetryableError,
    );

    const result = await build().publisher.publish(igRequest({ progress }));

    expect(fake.containers).toHaveLength(containers + 1);
    expect(result.post_id).toBe(fake.media.at(-1)?.id);
  });

  it('finds the post a lost media_publish answer made instead of publishing the container twice', async () => {
    const progress = memoryProgress();
    const first = await build().publisher.publish(igRequest({ progress }));
    const { media_id: _m, permalink: _p, ...lost } = progress.state as Record<string, unknown>;
    progress.state = lost;
    const posts = fake.media.length;

    const again = await build().publisher.publish(igRequest({ progress }));

    expect(again).toEqual(first);
    expect(fake.media).toHaveLength(posts);
    expect(fake.count('POST /v23.0/17841400000000001/media_publish')).toBe(posts);
  });

  it('exchanges the long-lived token when Meta says the session expired (code 190)', async () => {
    fake.expireTokens();
    const refreshes = fake.refreshes.length;

    await build().publisher.publish(igRequest({ progress: memoryProgress() }));

    expect(fake.refreshes).toHaveLength(refreshes + 1);
    expect(fake.refreshes.at(-1)?.get('grant_type')).toBe('fb_exchange_token');
    expect(fake.refreshes.at(-1)?.get('fb_exchange_token')).toBe('EAAlonglived');
  });

  it('keeps the exchanged long-lived token as the one that renews next time', async () => {
    // Prepare: the secret as Secrets Manager holds it.
    let stored = fake.oauthClient as OAuthClient;
    const token = () =>
      new OAuthAccessToken('instagram', {
        client: async () => stored,
        store: async (c) => {
          stored = c;
        },
        tokenUrl: fake.tokenUrl,
      });

    // Act
    const first = await token().refresh();
    const second = await token().refresh();

    // Assess
    expect(fake.refreshes.at(-2)?.get('fb_exchange_token')).toBe('EAAlonglived');
    expect(fake.refreshes.at(-1)?.get('fb_exchange_token')).toBe(first);
    expect(stored).toMatchObject({ access_token: second, refresh_token: second });
  });

  it('refuses to publish past the 24-hour publishing limit', async () => {
    fake.quotaUsage = 100;
    const containers = fake.containers.length;

    const publish = build().publisher.publish(igRequest({ progress: memoryProgress() }));

    await expect(publish).rejects.toBeInstanceOf(PlatformPublishError);
    await expect(publish).rejects.toThrow(/100 of its 100 posts/);
    expect(fake.containers).toHaveLength(containers);
  });
});

describe('the Instagram engagement fetcher', () => {
  it('reads views, likes, comments, shares, reach and watch time from media insights', async () => {
    const result = await build().publisher.publish(igRequest({ progress: memoryProgress() }));
    const post = fake.media.find((m) => m.id === result.post_id);
    if (post) {
      Object.assign(post.insights, {
        views: 900,
        likes: 77,
        comments: 5,
        shares: 12,
        reach: 850,
        ig_reels_video_view_total_time: 61_400,
      });
    }

    const snapshots = await new InstagramEngagement(build().http, fake.graphUrl, () => new Date(0)).fetch([
      result.post_id,
      '999',
    ]);

    expect(snapshots).toEqual([
      {
        platform: 'instagram',
        platform_post_id: result.post_id,
        collected_at: '1970-01-01T00:00:00.000Z',
        views: 900,
        likes: 77,
        comments: 5,
        shares: 12,
        watch_time_seconds: 61,
        impressions: 850,
      },
    ]);
  });
});
