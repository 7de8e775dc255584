import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiKey,
  BlotatoPublisher,
  blotatoAuthHeader,
} from '../../lambdas/shared/adapters/platforms/blotato.js';
import {
  PlatformAuthError,
  PlatformHttp,
  PlatformPublishError,
} from '../../lambdas/shared/adapters/platforms/http.js';
import type { BlobStore } from '../../lambdas/shared/ports/index.js';
import { FakeBlotato } from './fakes/platforms/blotato-server.js';
import {
  mediaFiles,
  memoryProgress,
  publishRequest,
  recordingSleep,
  serveFile,
} from './fakes/platforms/support.js';

const fake = new FakeBlotato();
let media: Awaited<ReturnType<typeof mediaFiles>>;
let served: Awaited<ReturnType<typeof serveFile>>;
const blobs = { presign: async () => served.url } as unknown as BlobStore;

beforeAll(async () => {
  await fake.start();
  media = await mediaFiles(120_000);
  served = await serveFile(media.video);
});
afterAll(async () => {
  await fake.stop();
  await served.stop();
});
beforeEach(() => {
  fake.failWith = undefined;
  fake.processingPolls = 1;
});

const build = (key = fake.key) =>
  new BlotatoPublisher(
    new PlatformHttp('blotato', new ApiKey(async () => key), {
      authHeader: blotatoAuthHeader,
      sleep: recordingSleep(),
    }),
    blobs,
    {
      baseUrl: fake.base,
      accountIds: { tiktok: 'acc-tt', youtube: 'acc-yt' },
      tiktokPrivacy: 'PUBLIC_TO_EVERYONE',
      pollIntervalMs: 1,
      sleep: recordingSleep(),
    },
  );

describe('the Blotato publisher', () => {
  it('hands the rendition over by URL, submits the post and returns the public URL once published', async () => {
    const progress = memoryProgress();

    const result = await build().publish(publishRequest(media, { platform: 'tiktok', progress }));

    const s = fake.submissions.at(-1);
    expect(fake.uploads.at(-1)).toEqual({ source: served.url, bytes: media.data.length });
    expect(s?.body.post).toMatchObject({
      accountId: 'acc-tt',
      content: {
        platform: 'tiktok',
        mediaUrls: [expect.stringMatching(/^https:\/\/database\.blotato\.com\//)],
      },
      target: { targetType: 'tiktok', privacyLevel: 'PUBLIC_TO_EVERYONE', isAiGenerated: true },
    });
    expect(result).toEqual({ post_id: s?.id, url: `https://www.tiktok.com/p/${s?.id}`, status: 'published' });
  });

  it('polls the saved submission on a retry instead of submitting again', async () => {
    fake.processingPolls = 50;
    const progress = memoryProgress();
    const submissions = fake.submissions.length;
    await expect(build().publish(publishRequest(media, { progress }))).rejects.toThrow(/still in progress/);
    fake.processingPolls = 0;
    const pending = fake.submissions.at(-1);
    if (pending) pending.polls = 0;

    const result = await build().publish(publishRequest(media, { progress }));

    expect(fake.submissions).toHaveLength(submissions + 1);
    expect(result.post_id).toBe(pending?.id);
  });

  it("reports a failed submission with Blotato's message", async () => {
    fake.failWith = 'TikTok rejected the video: duration too short';
    const publish = build().publish(
      publishRequest(media, { platform: 'tiktok', progress: memoryProgress() }),
    );
    await expect(publish).rejects.toBeInstanceOf(PlatformPublishError);
    await expect(publish).rejects.toThrow(/duration too short/);
  });

  it('names the missing account of a platform', async () => {
    await expect(
      build().publish(publishRequest(media, { platform: 'linkedin', progress: memoryProgress() })),
    ).rejects.toThrow(/no Blotato account is configured for linkedin/);
  });

  it('fails at once, naming Blotato, when the key is refused', async () => {
    const publish = build('blt_wrong').publish(publishRequest(media, { progress: memoryProgress() }));
    await expect(publish).rejects.toBeInstanceOf(PlatformAuthError);
    await expect(publish).rejects.toThrow(/^blotato: the API key was refused/);
  });

  it('submits a future post with a top-level scheduledTime and reports it scheduled', async () => {
    const at = new Date(Date.now() + 86_400_000).toISOString();

    const result = await build().publish(
      publishRequest(media, { scheduled_time: at, progress: memoryProgress() }),
    );

    expect(fake.submissions.at(-1)?.body.scheduledTime).toBe(at);
    expect(result.status).toBe('scheduled');
  });
});
