import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../cli/run.js';
import { MEDIA_PROFILES } from '../../lambdas/shared/config/index.js';
import type { Embedded } from '../../local/embedded.js';
import { FakeTikTok } from '../contract/fakes/platforms/tiktok-server.js';
import { FakeYouTube } from '../contract/fakes/platforms/youtube-server.js';

// A campaign on the embedded runtime that publishes through local servers speaking the YouTube Data
// API and the TikTok Content Posting API, with the real adapters (BIE_PUBLISH_<PLATFORM>=api).
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-e2e-publish-'));
Object.assign(process.env, MEDIA_PROFILES.preview);
const ROOT = path.resolve(import.meta.dirname, '../..');
const brandText = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');

const youtube = new FakeYouTube();
const tiktok = new FakeTikTok();
let app: Embedded;
let cli: typeof import('../../cli/run.js');

beforeAll(async () => {
  await youtube.start();
  await tiktok.start();
  // An audited TikTok app whose creator may post publicly, and posts that clear moderation at once.
  tiktok.privacyOptions = ['PUBLIC_TO_EVERYONE', 'SELF_ONLY'];
  tiktok.moderationPolls = 0;
  Object.assign(process.env, {
    BIE_PUBLISH_YOUTUBE: 'api',
    BIE_PUBLISH_TIKTOK: 'api',
    YOUTUBE_API_URL: youtube.base,
    YOUTUBE_TOKEN_URL: youtube.tokenUrl,
    YOUTUBE_ACCESS_TOKEN: 'token-1',
    TIKTOK_API_URL: tiktok.base,
    TIKTOK_TOKEN_URL: tiktok.tokenUrl,
    TIKTOK_ACCESS_TOKEN: 'token-1',
    TIKTOK_PRIVACY_LEVEL: 'PUBLIC_TO_EVERYONE',
  });
  const { startEmbedded } = await import('../../local/embedded.js');
  app = await startEmbedded({ dataDir, retryIntervalMs: 0 });
  cli = await import('../../cli/run.js');
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await youtube.stop();
  await tiktok.stop();
  for (const k of ['BIE_PUBLISH_YOUTUBE', 'BIE_PUBLISH_TIKTOK']) delete process.env[k];
});

const request = () => ({
  ...cli.readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json')),
  target_duration_seconds: 15,
  target_platforms: ['youtube' as const, 'tiktok' as const],
});

describe('a campaign publishing through the YouTube and TikTok APIs', () => {
  let result: RunResult;
  let view: Awaited<
    ReturnType<typeof import('../../lambdas/campaign-manager/domain/campaign-view.js').campaignView>
  >;

  beforeAll(async () => {
    result = await cli.runCampaign(app, {
      brandText,
      request: request(),
      autoApprove: true,
      out: path.join(dataDir, 'out'),
    });
    const { campaignView } = await import('../../lambdas/campaign-manager/domain/campaign-view.js');
    view = await campaignView(result.campaign_id);
  }, 240_000);

  it('is published', () => {
    expect(result.failure).toBeUndefined();
    expect(result.status).toBe('published');
  });

  it('carries the ids the platforms returned in its publication package', () => {
    const posts = view.publications[0]?.platform_posts ?? [];
    expect(posts.map((p) => p.platform).sort()).toEqual(['tiktok', 'youtube']);
    expect(youtube.videos).toHaveLength(1);
    expect(tiktok.posts).toHaveLength(1);
    expect(posts.find((p) => p.platform === 'youtube')?.post_id).toBe(youtube.videos[0]?.id);
    expect(posts.find((p) => p.platform === 'tiktok')?.post_id).toBe(tiktok.posts[0]?.post_id);
    expect(posts.every((p) => p.publication_status === 'published')).toBe(true);
  });

  it('uploaded the YouTube rendition whole, with the AI disclosure its provenance gives', async () => {
    const { blobs } = await import('../../lambdas/shared/services.js');
    const post = view.publications[0]?.platform_posts.find((p) => p.platform === 'youtube');
    const rendition = await blobs().get((post?.formatted_video_url ?? '').replace(/^s3:\/\/[^/]+\//, ''));
    expect(youtube.videos[0]?.bytes.equals(Buffer.from(rendition))).toBe(true);
    // The offline stand-in renders procedurally (provenance ai_generated: false); a generative model's
    // clips would say true. Either way the flag the video carries is what each platform is told.
    const generated = view.videos[0]?.provenance.some((p) => p.ai_generated) ?? true;
    expect(generated).toBe(false);
    expect(youtube.videos[0]?.status).toMatchObject({
      containsSyntheticMedia: generated,
      privacyStatus: 'public',
    });
    expect(tiktok.posts[0]?.post_info).toMatchObject({
      is_aigc: generated,
      privacy_level: 'PUBLIC_TO_EVERYONE',
    });
  });

  it('publishes nothing twice when the run is repeated', async () => {
    const requests = youtube.requests.length + tiktok.requests.length;

    const again = await cli.runCampaign(app, {
      brandText,
      request: request(),
      autoApprove: true,
      out: path.join(dataDir, 'out-again'),
    });

    expect(again.campaign_id).toBe(result.campaign_id);
    expect(youtube.videos).toHaveLength(1);
    expect(tiktok.posts).toHaveLength(1);
    expect(youtube.requests.length + tiktok.requests.length).toBe(requests);
  });

  it('returns the same post, without calling the platform, when the publish step runs again', async () => {
    const { handler } = await import('../../lambdas/broadcaster/publish-post.js');
    const publication = view.publications[0];
    const before = youtube.requests.length;
    const input = {
      campaign_id: result.campaign_id,
      variant_id: publication?.variant_id,
      publication_id: publication?.publication_id,
      post: { platform: 'youtube', post_key: `${publication?.publication_id}:youtube` },
      // Another execution (a redrive): the step's own records do not cover it, the post's progress does.
      execution: 'replayed-execution',
    };

    const replay = (await handler(input, {} as never)) as { post_id: string };

    expect(replay.post_id).toBe(youtube.videos[0]?.id);
    expect(youtube.videos).toHaveLength(1);
    expect(youtube.requests.length).toBe(before);
  });
});
