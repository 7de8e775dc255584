import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboxPublisher } from '../../lambdas/shared/adapters/offline/outbox-publisher.js';
import { BlotatoPublisher } from '../../lambdas/shared/adapters/platforms/blotato.js';
import { PlatformAuthError } from '../../lambdas/shared/adapters/platforms/http.js';
import { OutboxEngagement } from '../../lambdas/shared/adapters/platforms/outbox-engagement.js';
import { YouTubeEngagement, YouTubePublisher } from '../../lambdas/shared/adapters/platforms/youtube.js';
import type { BlobStore } from '../../lambdas/shared/ports/index.js';
import {
  engagementFetcher,
  publisherFor,
  resetPublishers,
} from '../../lambdas/shared/providers/publisher.js';
import { clearSecretCache } from '../../lambdas/shared/secrets.js';
import { mediaFiles, memoryProgress, publishRequest } from './fakes/platforms/support.js';
import { FakeTikTok } from './fakes/platforms/tiktok-server.js';

const VARS = [
  'BIE_PUBLISH_YOUTUBE',
  'BIE_PUBLISH_TIKTOK',
  'BIE_PUBLISH_INSTAGRAM',
  'BIE_PUBLISH_LINKEDIN',
  'INSTAGRAM_USER_ID',
  'TIKTOK_API_URL',
  'TIKTOK_TOKEN_URL',
  'TIKTOK_OAUTH',
  'TIKTOK_ACCESS_TOKEN',
  'BLOTATO_ACCOUNT_IDS',
];
const saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));
const fake = new FakeTikTok();

beforeAll(async () => {
  process.env.BUCKET_NAME ??= 'bie-test-bucket';
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
  for (const k of VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  resetPublishers();
});
beforeEach(() => {
  for (const k of VARS) delete process.env[k];
  resetPublishers();
  clearSecretCache();
});

describe('choosing a publisher per platform (BIE_PUBLISH_<PLATFORM>)', () => {
  it('uses the outbox, and its seeded metrics, when nothing is configured', () => {
    expect(publisherFor('youtube')).toBeInstanceOf(OutboxPublisher);
    expect(engagementFetcher('youtube')).toBeInstanceOf(OutboxEngagement);
  });

  it('uses the platform API, or Blotato, as configured for each platform', () => {
    process.env.BIE_PUBLISH_YOUTUBE = 'api';
    process.env.BIE_PUBLISH_TIKTOK = 'blotato';

    expect(publisherFor('youtube')).toBeInstanceOf(YouTubePublisher);
    expect(engagementFetcher('youtube')).toBeInstanceOf(YouTubeEngagement);
    expect(publisherFor('tiktok')).toBeInstanceOf(BlotatoPublisher);
    expect(publisherFor('linkedin')).toBeInstanceOf(OutboxPublisher);
  });

  it('names the variable an API publisher is missing', () => {
    process.env.BIE_PUBLISH_INSTAGRAM = 'api';
    expect(() => publisherFor('instagram')).toThrow(/INSTAGRAM_USER_ID is not set/);
  });

  it('refuses an unknown publisher with the variable and the choices', () => {
    process.env.BIE_PUBLISH_LINKEDIN = 'buffer';
    expect(() => publisherFor('linkedin')).toThrow(/BIE_PUBLISH_LINKEDIN="buffer" is invalid/);
  });

  it('gets a first access token from the configured OAuth client when none is set', async () => {
    Object.assign(process.env, {
      BIE_PUBLISH_TIKTOK: 'api',
      TIKTOK_API_URL: fake.base,
      TIKTOK_TOKEN_URL: fake.tokenUrl,
      TIKTOK_OAUTH: JSON.stringify({
        client_id: 'tt-client-key',
        client_secret: 'tt-secret',
        refresh_token: 'rft.tiktok',
      }),
    });
    fake.moderationPolls = 0;
    const media = await mediaFiles(10_000);

    const result = await publisherFor('tiktok').publish(
      publishRequest(media, { platform: 'tiktok', progress: memoryProgress() }),
    );

    expect(fake.refreshes).toHaveLength(1);
    expect(result.post_id).toBe(fake.posts.at(-1)?.publish_id);
  });

  it('fails naming the platform when it has neither a token nor an OAuth client', async () => {
    Object.assign(process.env, { BIE_PUBLISH_TIKTOK: 'api', TIKTOK_API_URL: fake.base });
    const media = await mediaFiles(10_000);

    const publish = publisherFor('tiktok').publish(publishRequest(media, { platform: 'tiktok' }));

    await expect(publish).rejects.toBeInstanceOf(PlatformAuthError);
    await expect(publish).rejects.toThrow(/^tiktok: .*no OAuth client/);
  });
});

/** The media bucket, in memory. */
function memoryBlobs(): BlobStore & { objects: Map<string, Uint8Array> } {
  const objects = new Map<string, Uint8Array>();
  const enc = (b: Uint8Array | string) => (typeof b === 'string' ? new TextEncoder().encode(b) : b);
  return {
    objects,
    bucket: 'memory',
    put: async (key, body) => {
      objects.set(key, enc(body));
      return key;
    },
    putIfAbsent: async (key, body) => {
      if (objects.has(key)) return false;
      objects.set(key, enc(body));
      return true;
    },
    putFile: async (key) => key,
    get: async (key) => {
      const v = objects.get(key);
      if (!v) throw new Error(`NoSuchKey ${key}`);
      return v;
    },
    download: async (_key, path) => path,
    exists: async (key) => objects.has(key),
    url: (key) => `s3://memory/${key}`,
    presign: async (key) => `http://memory/${key}`,
  };
}

describe('the outbox engagement fetcher', () => {
  it('reads metrics seeded next to an outbox post and reports zeros for the others', async () => {
    const blobs = memoryBlobs();
    await blobs.put(
      'outbox/tiktok/tiktok_abc/metrics.json',
      JSON.stringify({ views: 1500, likes: 120, shares: 9 }),
      'application/json',
    );

    const snapshots = await new OutboxEngagement('tiktok', blobs, () => new Date(0)).fetch([
      'tiktok_abc',
      'tiktok_def',
    ]);

    expect(snapshots).toEqual([
      {
        platform: 'tiktok',
        platform_post_id: 'tiktok_abc',
        collected_at: '1970-01-01T00:00:00.000Z',
        views: 1500,
        likes: 120,
        comments: 0,
        shares: 9,
      },
      {
        platform: 'tiktok',
        platform_post_id: 'tiktok_def',
        collected_at: '1970-01-01T00:00:00.000Z',
        views: 0,
        likes: 0,
        comments: 0,
        shares: 0,
      },
    ]);
  });

  it('names a seeded file that is not valid metrics instead of reading it as zero', async () => {
    const blobs = memoryBlobs();
    await blobs.put(
      'outbox/youtube/youtube_x/metrics.json',
      JSON.stringify({ views: -3 }),
      'application/json',
    );

    await expect(new OutboxEngagement('youtube', blobs).fetch(['youtube_x'])).rejects.toThrow(
      /outbox\/youtube\/youtube_x\/metrics\.json: views/,
    );
  });
});
