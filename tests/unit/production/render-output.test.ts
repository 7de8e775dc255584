import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classifyRenderOutput,
  fetchRenderOutput,
  isNonPublicAddress,
  type Lookup,
  outputPolicyFor,
  RenderOutputRefusedError,
} from '../../../lambdas/production/domain/renders.js';
import type { BlobStore } from '../../../lambdas/shared/ports/index.js';

const policy = { bucket: 'bie-media', emulatorOrigins: ['http://127.0.0.1:4569'] };
const dir = mkdtempSync(path.join(tmpdir(), 'bie-render-output-'));

/** Records what was read from the bucket; no other method may be called. */
function bucket() {
  const downloaded: string[] = [];
  const store = {
    bucket: 'bie-media',
    async download(key: string, file: string) {
      downloaded.push(key);
      writeFileSync(file, `bytes of ${key}`);
      return file;
    },
  } as unknown as BlobStore;
  return { store, downloaded };
}

/** A fetch that serves the given responses in order and records the URLs asked. */
function fetcher(...responses: Response[]) {
  const asked: string[] = [];
  const impl = (async (url: URL | string) => {
    asked.push(String(url));
    const next = responses.shift();
    if (!next) throw new Error('unexpected fetch');
    return next;
  }) as typeof fetch;
  return { impl, asked };
}

const dns =
  (table: Record<string, string[]>): Lookup =>
  async (host) =>
    (table[host] ?? []).map((address) => ({ address }));

describe('which render outputs the engine reads', () => {
  it.each([
    ['file:///etc/passwd', 'file:'],
    ['FILE:///tmp/x.mp4', 'file:'],
    ['data:video/mp4;base64,AAAA', 'data:'],
    ['ftp://cdn.example.com/clip.mp4', 'ftp:'],
    ['gopher://cdn.example.com/clip.mp4', 'gopher:'],
    ['javascript:alert(1)', 'javascript:'],
  ])('refuses %s, naming the scheme', (url, scheme) => {
    expect(() => classifyRenderOutput(url, policy)).toThrow(RenderOutputRefusedError);
    expect(() => classifyRenderOutput(url, policy)).toThrow(`scheme "${scheme}"`);
  });

  it('refuses plain http: from anywhere but the configured S3 emulator', () => {
    expect(() => classifyRenderOutput('http://cdn.example.com/clip.mp4', policy)).toThrow(
      /scheme "http:" is not allowed \(not HTTPS/,
    );
    expect(() => classifyRenderOutput('http://127.0.0.1:9999/clip.mp4', policy)).toThrow(/"http:"/);
    expect(
      classifyRenderOutput(
        'http://127.0.0.1:4569/bie-media/provider-renders/x.mp4?X-Amz-Signature=1',
        policy,
      ),
    ).toMatchObject({
      kind: 'http',
      checkAddresses: false,
    });
  });

  it('reads https: URLs, checking the host addresses', () => {
    expect(classifyRenderOutput('https://cdn.openai.com/v/clip.mp4', policy)).toMatchObject({
      kind: 'http',
      checkAddresses: true,
    });
  });

  it('copies objects of its own bucket under provider-renders/ with S3, as s3:// URLs or bare keys', () => {
    expect(classifyRenderOutput('s3://bie-media/provider-renders/offline/a.mp4', policy)).toEqual({
      kind: 'bucket',
      key: 'provider-renders/offline/a.mp4',
    });
    expect(classifyRenderOutput('provider-renders/offline/a.mp4', policy)).toEqual({
      kind: 'bucket',
      key: 'provider-renders/offline/a.mp4',
    });
  });

  it('refuses other buckets, other prefixes and path tricks', () => {
    expect(() => classifyRenderOutput('s3://someone-else/provider-renders/a.mp4', policy)).toThrow(
      /another bucket/,
    );
    expect(() => classifyRenderOutput('s3://bie-media/brands/b/bible.md', policy)).toThrow(
      /outside provider-renders/,
    );
    expect(() => classifyRenderOutput('renders/c/v/scenes/x.mp4', policy)).toThrow(
      /outside provider-renders/,
    );
    expect(() => classifyRenderOutput('provider-renders/../brands/x', policy)).toThrow(
      /outside provider-renders/,
    );
    expect(() => classifyRenderOutput('/etc/passwd', policy)).toThrow(/outside provider-renders/);
  });

  it('refuses URLs that carry credentials', () => {
    expect(() => classifyRenderOutput('https://user:pw@cdn.example.com/a.mp4', policy)).toThrow(
      /credentials/,
    );
  });

  it('takes the emulator origins from the configured S3 endpoints only', () => {
    expect(outputPolicyFor('b', ['http://127.0.0.1:4569/', undefined]).emulatorOrigins).toEqual([
      'http://127.0.0.1:4569',
    ]);
    expect(outputPolicyFor('b', [undefined, 'http://localhost:4566']).emulatorOrigins).toEqual([
      'http://localhost:4566',
    ]);
    expect(outputPolicyFor('b', [undefined, undefined]).emulatorOrigins).toEqual([]);
  });

  it('allows plain http from a local fake provider only when BIE_LOCAL_PROVIDER_ORIGINS names it', () => {
    // Prepare
    const fake = 'http://127.0.0.1:4599/cdn/r1.mp4';
    const before = process.env.BIE_LOCAL_PROVIDER_ORIGINS;
    try {
      delete process.env.BIE_LOCAL_PROVIDER_ORIGINS;
      // Act / Assess: unset (as on AWS), refused; set locally, allowed without address checks.
      expect(() => classifyRenderOutput(fake, outputPolicyFor('b', [undefined, undefined]))).toThrow(
        /"http:"/,
      );
      process.env.BIE_LOCAL_PROVIDER_ORIGINS = 'http://127.0.0.1:4599';
      expect(classifyRenderOutput(fake, outputPolicyFor('b', [undefined, undefined]))).toMatchObject({
        kind: 'http',
        checkAddresses: false,
      });
      expect(() =>
        classifyRenderOutput('http://127.0.0.1:4600/x.mp4', outputPolicyFor('b', [undefined, undefined])),
      ).toThrow(/"http:"/);
    } finally {
      if (before === undefined) delete process.env.BIE_LOCAL_PROVIDER_ORIGINS;
      else process.env.BIE_LOCAL_PROVIDER_ORIGINS = before;
    }
  });

  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
  ])('counts %s as non-public', (ip) => {
    expect(isNonPublicAddress(ip)).toBe(true);
  });

  it.each(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8'])('counts %s as public', (ip) => {
    expect(isNonPublicAddress(ip)).toBe(false);
  });
});

describe('reading a render output', () => {
  it('copies a bucket output with S3 and never fetches it', async () => {
    // Prepare
    const { store, downloaded } = bucket();
    const { impl, asked } = fetcher();
    const to = path.join(dir, 'bucket.mp4');

    // Act
    await fetchRenderOutput(
      { blobs: store, policy, fetchImpl: impl },
      's3://bie-media/provider-renders/offline/a.mp4',
      to,
    );

    // Assess
    expect(downloaded).toEqual(['provider-renders/offline/a.mp4']);
    expect(asked).toEqual([]);
    expect(readFileSync(to, 'utf8')).toBe('bytes of provider-renders/offline/a.mp4');
  });

  it('downloads an https output from a host with public addresses', async () => {
    // Prepare
    const { impl, asked } = fetcher(new Response('mp4-bytes', { status: 200 }));
    const to = path.join(dir, 'https.mp4');

    // Act
    await fetchRenderOutput(
      {
        blobs: bucket().store,
        policy,
        fetchImpl: impl,
        lookup: dns({ 'cdn.example.com': ['93.184.216.34'] }),
      },
      'https://cdn.example.com/v/clip.mp4',
      to,
    );

    // Assess
    expect(asked).toEqual(['https://cdn.example.com/v/clip.mp4']);
    expect(readFileSync(to, 'utf8')).toBe('mp4-bytes');
  });

  it.each([
    ['a host resolving to loopback', 'https://evil.example.com/a.mp4', { 'evil.example.com': ['127.0.0.1'] }],
    [
      'a host with one private address among public ones',
      'https://mixed.example.com/a.mp4',
      { 'mixed.example.com': ['93.184.216.34', '10.0.0.7'] },
    ],
    ['the metadata service by IP', 'https://169.254.169.254/latest/meta-data/', {}],
    ['an IPv6 loopback literal', 'https://[::1]/a.mp4', {}],
    ['a host that does not resolve', 'https://nowhere.example.com/a.mp4', {}],
  ])('refuses %s without fetching it', async (_what, url, table) => {
    const { impl, asked } = fetcher(new Response('x'));
    await expect(
      fetchRenderOutput(
        { blobs: bucket().store, policy, fetchImpl: impl, lookup: dns(table) },
        url,
        path.join(dir, 'x.mp4'),
      ),
    ).rejects.toThrow(/non-public address/);
    expect(asked).toEqual([]);
  });

  it('checks every redirect again: a public host redirecting to file:, http: or a private host is refused', async () => {
    for (const location of [
      'file:///etc/passwd',
      'http://cdn.example.com/a.mp4',
      'https://internal.example.com/a.mp4',
    ]) {
      const { impl, asked } = fetcher(new Response(null, { status: 302, headers: { location } }));
      await expect(
        fetchRenderOutput(
          {
            blobs: bucket().store,
            policy,
            fetchImpl: impl,
            lookup: dns({ 'cdn.example.com': ['93.184.216.34'], 'internal.example.com': ['192.168.0.10'] }),
          },
          'https://cdn.example.com/a.mp4',
          path.join(dir, 'r.mp4'),
        ),
      ).rejects.toThrow(RenderOutputRefusedError);
      expect(asked).toHaveLength(1);
    }
  });

  it('refuses file: before touching the file system', async () => {
    const { impl, asked } = fetcher();
    await expect(
      fetchRenderOutput(
        { blobs: bucket().store, policy, fetchImpl: impl },
        'file:///etc/passwd',
        path.join(dir, 'f.mp4'),
      ),
    ).rejects.toThrow('render output URL scheme "file:" is not allowed');
    expect(asked).toEqual([]);
  });
});
