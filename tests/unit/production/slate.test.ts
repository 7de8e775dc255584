import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleMaster } from '../../../lambdas/shared/media/assemble.js';
import { probeMedia } from '../../../lambdas/shared/media/probe.js';
import { buildProvenance, provenanceMetadata } from '../../../lambdas/shared/media/provenance.js';
import { renderRendition } from '../../../lambdas/shared/media/renditions.js';
import { renderScene } from '../../../lambdas/shared/media/scene-renderer.js';
import {
  assertNoSlate,
  renderSlate,
  SLATE_MODEL,
  SLATE_PROVIDER,
} from '../../../lambdas/shared/media/slate.js';
import { runFfmpeg } from '../../../lambdas/shared/media/tools.js';

// The slate that holds an unrendered scene's seconds in a master under review, at a small master size.
const dir = mkdtempSync(path.join(tmpdir(), 'bie-slate-test-'));
const out = (name: string) => path.join(dir, name);
const W = 144;
const H = 256;
const FPS = 24;
const PALETTE = ['#F4EDE4', '#2B1B10', '#C8A27A'];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await Promise.all([
    renderScene({
      outPath: out('scene.mp4'),
      width: W,
      height: H,
      fps: FPS,
      durationSeconds: 1,
      palette: PALETTE,
      cameraMovement: 'static',
      lighting: 'soft',
      style: 'cinematic',
      seed: 1,
      preset: 'ultrafast',
    }),
    renderSlate({
      outPath: out('slate.mp4'),
      width: W,
      height: H,
      fps: FPS,
      durationSeconds: 1.5,
      palette: PALETTE,
      title: 'Scene 2 not rendered',
      detail: '— refused by 3 models',
      preset: 'ultrafast',
    }),
  ]);
}, 60_000);

/** The first frame as RGB: a function from pixel to its colour. */
async function firstFrame(file: string): Promise<(x: number, y: number) => number[]> {
  await runFfmpeg([
    '-i',
    file,
    '-frames:v',
    '1',
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    '-y',
    out('frame.rgb'),
  ]);
  const raw = readFileSync(out('frame.rgb'));
  return (x, y) => [...raw.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)];
}

const near = (a: number[], b: number[], tolerance = 12) =>
  a.every((v, i) => Math.abs(v - (b[i] ?? 0)) <= tolerance);

describe('the slate of an unrendered scene', () => {
  it('lasts exactly the scene and is encoded like the procedural scenes', async () => {
    const [slate, scene] = await Promise.all([probeMedia(out('slate.mp4')), probeMedia(out('scene.mp4'))]);
    expect(slate.video).toMatchObject({ width: W, height: H, fps: FPS, frames: 36, codec: 'h264' });
    expect(slate.audio).toBeUndefined();
    const encoding = (v: typeof slate.video) => [v?.codec, v?.pixelFormat, v?.profile, v?.level];
    expect(encoding(slate.video)).toEqual(encoding(scene.video));
  });

  it('is the brand’s darkest colour inside a border of its brightest, with its title in white', async () => {
    const pixel = await firstFrame(out('slate.mp4'));
    expect(near(pixel(W / 2, 12), [0x2b, 0x1b, 0x10])).toBe(true);
    expect(near(pixel(1, H / 2), [0xf4, 0xed, 0xe4])).toBe(true);
    // Somewhere on the title's first line a pixel is (near) white: the text is drawn.
    const row = Array.from({ length: W - 20 }, (_, i) => pixel(10 + i, Math.round(H * 0.36) + 6));
    expect(row.some((p) => p.every((v) => v > 200))).toBe(true);
  });

  it('joins a master without re-encoding next to a scene that matches it', async () => {
    const result = await assembleMaster({
      clips: [
        { path: out('scene.mp4'), seconds: 1 },
        { path: out('slate.mp4'), seconds: 1.5 },
      ],
      outCleanPath: out('master.mp4'),
      width: W,
      height: H,
      fps: FPS,
      targetDurationSeconds: 2.5,
      preset: 'ultrafast',
      metadata: provenanceMetadata(
        buildProvenance(
          [
            { scene_id: 's1', seconds: 1, model: 'procedural', provider: 'offline' },
            { scene_id: 's2', seconds: 1.5, model: SLATE_MODEL, provider: SLATE_PROVIDER },
          ],
          2.5,
        ),
      ),
    });
    expect(result.videoCopied).toBe(true);
    expect(result.frames).toBe(60);
  });

  it('never becomes a rendition: a master that carries a slate is refused, one without is made', async () => {
    await expect(
      renderRendition({ masterPath: out('master.mp4'), outPath: out('r1.mp4'), width: W, height: H }),
    ).rejects.toMatchObject({ name: 'SlateInPublicationError', message: expect.stringContaining('s2') });
    await expect(
      renderRendition({ masterPath: out('scene.mp4'), outPath: out('r2.mp4'), width: W, height: H }),
    ).resolves.toMatchObject({ width: W, height: H });
  });

  it('is refused by name wherever provenance is checked', () => {
    expect(() => assertNoSlate([{ provider: SLATE_PROVIDER, scene_id: 's2' }], 'the post')).toThrow(
      /the post carries a slate for scene\(s\) s2/,
    );
    expect(() => assertNoSlate([{ provider: 'fal', scene_id: 's1' }], 'the post')).not.toThrow();
  });
});
