import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OAuthAccessToken, type PlatformName } from '../../../../lambdas/shared/adapters/platforms/http.js';
import type { PublishProgress, PublishRequest } from '../../../../lambdas/shared/ports/index.js';
import type { FakePlatformServer } from './base.js';

/** A progress store in memory that records every save (what a DynamoDB item would hold). */
export function memoryProgress(initial?: Record<string, unknown>): PublishProgress & {
  saves: Record<string, unknown>[];
  state?: Record<string, unknown>;
} {
  const store = {
    saves: [] as Record<string, unknown>[],
    state: initial,
    async load() {
      return store.state ? structuredClone(store.state) : undefined;
    },
    async save(state: Record<string, unknown>) {
      store.state = structuredClone(state);
      store.saves.push(store.state);
    },
  };
  return store;
}

/** A media file of `bytes` random bytes (the fakes check sizes and ranges, not codecs). */
export async function mediaFiles(bytes: number): Promise<{ video: string; thumb: string; data: Buffer }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bie-publish-'));
  const data = randomBytes(bytes);
  const video = path.join(dir, 'video.mp4');
  const thumb = path.join(dir, 'thumbnail.jpg');
  await writeFile(video, data);
  await writeFile(thumb, randomBytes(64));
  return { video, thumb, data };
}

export function publishRequest(
  media: { video: string; thumb: string },
  overrides: Partial<PublishRequest> = {},
): PublishRequest {
  return {
    post_key: 'pub-1:youtube',
    platform: 'youtube',
    video_path: media.video,
    thumbnail_path: media.thumb,
    video_key: 'renditions/youtube/video.mp4',
    caption: 'What if your coffee woke up before you did?\n\nLumen Coffee, 6 am.',
    hashtags: ['#LumenCoffee', '#Shorts'],
    ai_generated: true,
    ...overrides,
  };
}

/** A sleep that only records how long it was asked to wait. */
export function recordingSleep(): ((ms: number) => Promise<void>) & { waits: number[] } {
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
  };
  return Object.assign(sleep, { waits });
}

/** Serves one file over HTTP (what a presigned S3 URL is to the platform that fetches it). */
export async function serveFile(
  file: string,
): Promise<{ url: string; fetches: number; stop: () => Promise<void> }> {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const data = await readFile(file);
  const state = { url: '', fetches: 0, stop: async () => {} };
  const server = createServer((req, res) => {
    state.fetches++;
    if (!req.url?.includes('X-Amz-Signature=')) {
      res.writeHead(403).end('AccessDenied');
      return;
    }
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(data.length) }).end(data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  state.url = `http://127.0.0.1:${port}/renditions/video.mp4?X-Amz-Signature=abc`;
  state.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** The token a publisher starts with (`token-1`, valid on every fake) and the fake's OAuth client to renew it. */
export function tokenFor(
  platform: PlatformName,
  fake: FakePlatformServer,
  client: Partial<FakePlatformServer['oauthClient']> = {},
): OAuthAccessToken {
  return new OAuthAccessToken(platform, {
    accessToken: 'token-1',
    client: async () => ({ ...fake.oauthClient, ...client }),
    tokenUrl: fake.tokenUrl,
    sleep: async () => undefined,
  });
}
