import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleMaster } from '../../../lambdas/shared/media/assemble.js';
import { measureDeliverable } from '../../../lambdas/shared/media/loudness.js';
import { probeMedia } from '../../../lambdas/shared/media/probe.js';
import { provenanceMetadata, readProvenance } from '../../../lambdas/shared/media/provenance.js';
import { renderRenditions, shareRenditions } from '../../../lambdas/shared/media/renditions.js';
import { renderScene } from '../../../lambdas/shared/media/scene-renderer.js';
import { synthesizeSpeech } from '../../../lambdas/shared/media/tts.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bie-renditions-test-'));
const out = (name: string) => path.join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shareRenditions', () => {
  it('encodes same-size platforms once, with captions inside the union of their safe zones', () => {
    // Act
    const zones = {
      tiktok: [1080, 1920, 200, 420, 60, 170],
      instagram: [1080, 1920, 220, 480, 64, 150],
      youtube: [1920, 1080, 54, 110, 96, 96],
      linkedin: [1080, 1080, 54, 108, 54, 54],
    } as const;
    const groups = shareRenditions(
      Object.entries(zones).map(([platform, [width, height, top, bottom, left, right]]) => ({
        platform,
        width,
        height,
        safeZone: { top, bottom, left, right },
      })),
    );

    // Assess
    expect(groups.map((g) => [g.key, g.platforms])).toEqual([
      ['1080x1920', ['tiktok', 'instagram']],
      ['1920x1080', ['youtube']],
      ['1080x1080', ['linkedin']],
    ]);
    expect(groups[0]?.zone).toEqual({ top: 220, bottom: 480, left: 64, right: 170 });
  });
});

describe('renderRenditions', () => {
  it('renders every rendition from one decode, with the master’s audio, loudness and provenance', async () => {
    // Prepare: a small master with voice and provenance metadata.
    await Promise.all([
      renderScene({
        outPath: out('scene.mp4'),
        width: 90,
        height: 160,
        fps: 30,
        durationSeconds: 2,
        palette: ['#1B2A41', '#C8A27A', '#F4EDE4'],
        cameraMovement: 'static',
        lighting: 'soft',
        style: 'cinematic',
        seed: 3,
        preset: 'ultrafast',
      }),
      synthesizeSpeech({ text: 'Slowly made cold brew.', outPath: out('voice.wav') }),
    ]);
    const provenance = [
      {
        start_seconds: 0,
        end_seconds: 2,
        scene_id: '33333333-3333-4333-8333-333333333333',
        model: 'fal-ai/veo3/fast',
        provider: 'fal',
        ai_generated: true,
      },
    ];
    await assembleMaster({
      clips: [out('scene.mp4')],
      voiceoverPath: out('voice.wav'),
      outCleanPath: out('master.mp4'),
      width: 90,
      height: 160,
      fps: 30,
      targetDurationSeconds: 2,
      metadata: provenanceMetadata(provenance),
      preset: 'ultrafast',
    });

    // Act
    const results = await renderRenditions({
      masterPath: out('master.mp4'),
      targets: [
        { outPath: out('tall.mp4'), width: 135, height: 240 },
        { outPath: out('wide.mp4'), width: 240, height: 135 },
        { outPath: out('square.mp4'), width: 136, height: 136 },
      ],
      preset: 'ultrafast',
    });
    const infos = await Promise.all(results.map((r) => probeMedia(r.outPath)));
    const [master, ...loudness] = await Promise.all(
      [out('master.mp4'), ...results.map((r) => r.outPath)].map((f) => measureDeliverable(f)),
    );

    // Assess
    expect(results.map((r) => r.fit)).toEqual(['scaled', 'blurred-fill', 'blurred-fill']);
    expect(infos.map((i) => [i.video?.width, i.video?.height, i.video?.frames])).toEqual([
      [136, 240, 60],
      [240, 136, 60],
      [136, 136, 60],
    ]);
    for (const [i, l] of loudness.entries()) {
      expect(infos[i]?.audio?.codec).toBe('aac');
      expect(l.integratedLufs).toBeCloseTo(master?.integratedLufs ?? 0, 1);
      expect(await readProvenance(results[i]?.outPath as string)).toEqual({ ai_generated: true, provenance });
    }
  });
});
