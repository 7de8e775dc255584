import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PlatformHttp } from '../../lambdas/shared/adapters/platforms/http.js';
import {
  escapeLittleText,
  LinkedInEngagement,
  LinkedInPublisher,
  linkedInHeaders,
} from '../../lambdas/shared/adapters/platforms/linkedin.js';
import { ProviderRetryableError } from '../../lambdas/shared/ports/index.js';
import { FakeLinkedIn } from './fakes/platforms/linkedin-server.js';
import {
  mediaFiles,
  memoryProgress,
  publishRequest,
  recordingSleep,
  tokenFor,
} from './fakes/platforms/support.js';

const AUTHOR = 'urn:li:organization:2414183';
const fake = new FakeLinkedIn();
let media: Awaited<ReturnType<typeof mediaFiles>>;

beforeAll(async () => {
  await fake.start();
  fake.partSize = 100_000;
  // Three parts.
  media = await mediaFiles(250_000);
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.validTokens.clear();
  fake.validTokens.add('token-1');
  fake.analyticsForbidden = false;
});

const build = (version = '202605') => {
  const http = new PlatformHttp('linkedin', tokenFor('linkedin', fake), {
    sleep: recordingSleep(),
    headers: linkedInHeaders(version),
  });
  return {
    http,
    publisher: new LinkedInPublisher(http, {
      baseUrl: fake.base,
      author: AUTHOR,
      sleep: recordingSleep(),
      pollIntervalMs: 1,
    }),
  };
};
const liRequest = (overrides = {}) =>
  publishRequest(media, { platform: 'linkedin', post_key: 'pub-1:linkedin', ...overrides });

describe('the LinkedIn publisher (Videos API + Posts API)', () => {
  it('uploads every part, finalizes with the ETags in order, and posts the video under the author', async () => {
    const result = await build().publisher.publish(liRequest({ progress: memoryProgress() }));

    const post = fake.posts.at(-1);
    const video = fake.videos.at(-1);
    expect(video?.parts).toHaveLength(3);
    expect(fake.bytesOf(video?.urn ?? '').equals(media.data)).toBe(true);
    expect(result).toEqual({
      post_id: post?.urn,
      url: `https://www.linkedin.com/feed/update/${post?.urn}/`,
      status: 'published',
    });
    expect(post?.body).toMatchObject({
      author: AUTHOR,
      visibility: 'PUBLIC',
      lifecycleState: 'PUBLISHED',
      content: { media: { id: video?.urn } },
    });
    expect(String(post?.body.commentary)).toContain('{hashtag|\\#|LumenCoffee}');
  });

  it('escapes little-text markup in the commentary', () => {
    expect(escapeLittleText('50% off (today) @ #Lumen_Coffee!')).toBe(
      '50% off \\(today\\) \\@ {hashtag|\\#|Lumen}\\_Coffee!',
    );
  });

  it('uploads only the parts still missing after a restart', async () => {
    const progress = memoryProgress();
    fake.script({ match: 'PUT /dms-uploads/', drop: true, after: 1 });
    await expect(build().publisher.publish(liRequest({ progress }))).rejects.toBeInstanceOf(
      ProviderRetryableError,
    );
    const puts = fake.count('PUT /dms-uploads/');

    await build().publisher.publish(liRequest({ progress }));

    // The second and third parts; the first kept its ETag.
    expect(fake.count('PUT /dms-uploads/') - puts).toBe(2);
    expect(fake.bytesOf(fake.videos.at(-1)?.urn ?? '').equals(media.data)).toBe(true);
  });

  it('finds the post whose answer was lost instead of posting the video twice', async () => {
    const progress = memoryProgress();
    const posts = fake.posts.length;
    // LinkedIn creates the post, but the connection drops before its answer arrives.
    fake.script({ match: 'POST /rest/posts', lose: true });
    await expect(build().publisher.publish(liRequest({ progress }))).rejects.toBeInstanceOf(
      ProviderRetryableError,
    );
    expect(fake.posts).toHaveLength(posts + 1);

    const again = await build().publisher.publish(liRequest({ progress }));

    expect(again.post_id).toBe(fake.posts.at(-1)?.urn);
    expect(fake.posts).toHaveLength(posts + 1);
  });

  it('does not finalize again when only the answer to finalizeUpload was lost', async () => {
    const progress = memoryProgress();
    fake.script({ match: 'POST /rest/videos', lose: true, after: 1 });
    await expect(build().publisher.publish(liRequest({ progress }))).rejects.toBeInstanceOf(
      ProviderRetryableError,
    );
    expect(fake.videos.at(-1)?.status).toBe('PROCESSING');
    const finalizes = fake.count('POST /rest/videos');

    const result = await build().publisher.publish(liRequest({ progress }));

    expect(fake.count('POST /rest/videos')).toBe(finalizes);
    expect(result.post_id).toBe(fake.posts.at(-1)?.urn);
  });

  it('sends the LinkedIn-Version header the API requires', async () => {
    const before = fake.requests.length;
    await build().publisher.publish(liRequest({ progress: memoryProgress() }));
    const api = fake.requests.slice(before).filter((r) => r.path.startsWith('/rest/'));
    expect(api.every((r) => r.headers['linkedin-version'] === '202605')).toBe(true);
    expect(api.every((r) => r.headers['x-restli-protocol-version'] === '2.0.0')).toBe(true);
  });

  it('refreshes an expired token with the refresh grant', async () => {
    fake.expireTokens();
    const refreshes = fake.refreshes.length;

    await build().publisher.publish(liRequest({ progress: memoryProgress() }));

    expect(fake.refreshes).toHaveLength(refreshes + 1);
    expect(fake.refreshes.at(-1)?.get('refresh_token')).toBe('AQXrefresh');
  });
});

describe('the LinkedIn engagement fetcher', () => {
  it('sums reactions, counts comments and reads video views and watch time', async () => {
    const result = await build().publisher.publish(liRequest({ progress: memoryProgress() }));
    const post = fake.posts.find((p) => p.urn === result.post_id);
    if (post)
      Object.assign(post, { reactions: { LIKE: 40, PRAISE: 6 }, comments: 4, views: 700, watchMs: 95_500 });

    const snapshots = await new LinkedInEngagement(build().http, fake.base, () => new Date(0)).fetch([
      result.post_id,
    ]);

    expect(snapshots).toEqual([
      {
        platform: 'linkedin',
        platform_post_id: result.post_id,
        collected_at: '1970-01-01T00:00:00.000Z',
        views: 700,
        likes: 46,
        comments: 4,
        shares: 0,
        watch_time_seconds: 96,
      },
    ]);
  });

  it('leaves video figures out when the member may not read video analytics', async () => {
    const result = await build().publisher.publish(liRequest({ progress: memoryProgress() }));
    fake.analyticsForbidden = true;

    const [snapshot] = await new LinkedInEngagement(build().http, fake.base).fetch([result.post_id]);

    expect(snapshot?.views).toBe(0);
    expect(snapshot?.watch_time_seconds).toBeUndefined();
  });
});
