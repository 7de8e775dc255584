import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleMaster } from '../../../lambdas/shared/media/assemble.js';
import { DELIVERY_LOUDNESS, measureDeliverable } from '../../../lambdas/shared/media/loudness.js';
import { probeMedia } from '../../../lambdas/shared/media/probe.js';
import {
  buildProvenance,
  provenanceMetadata,
  readProvenance,
} from '../../../lambdas/shared/media/provenance.js';
import { chooseReframe, cropKeeps, encoderThreads } from '../../../lambdas/shared/media/reframe.js';
import { renderScene } from '../../../lambdas/shared/media/scene-renderer.js';
import { runFfmpeg } from '../../../lambdas/shared/media/tools.js';
import { synthesizeSpeech } from '../../../lambdas/shared/media/tts.js';

// Provider-shaped clips made with ffmpeg: Nova Reel's 16:9 24 fps silent, Veo's 9:16 with sound; a small master.
const dir = mkdtempSync(path.join(tmpdir(), 'bie-conform-test-'));
const out = (name: string) => path.join(dir, name);
const W = 144;
const H = 256;
const FPS = 30;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A provider-shaped test clip: `testsrc2` picture at `size`, 24 fps, with a stereo tone when `tone`. */
const providerClip = (name: string, size: string, seconds: number, tone?: number) =>
  runFfmpeg([
    ...['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=24:duration=${seconds}`],
    ...(tone ? ['-f', 'lavfi', '-i', `sine=frequency=${tone}:sample_rate=48000:duration=${seconds}`] : []),
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...(tone ? ['-c:a', 'aac', '-ac', '2'] : []),
    out(name),
  ]);

beforeAll(async () => {
  await Promise.all([
    // Nova Reel: 1280×720, 24 fps, a 6 s step, no audio. Veo: 9:16 720p with native audio.
    providerClip('nova.mp4', '1280x720', 6),
    providerClip('veo.mp4', '720x1280', 4, 660),
    synthesizeSpeech({ text: 'Cold brew, slowly made for you.', outPath: out('voice.wav') }),
  ]);
}, 60_000);

const master = (name: string, o: Partial<Parameters<typeof assembleMaster>[0]> = {}) =>
  assembleMaster({
    clips: [
      { path: out('nova.mp4'), seconds: 2 },
      { path: out('veo.mp4'), seconds: 1.5 },
    ],
    outCleanPath: out(`${name}.mp4`),
    width: W,
    height: H,
    fps: FPS,
    targetDurationSeconds: 3.5,
    preset: 'ultrafast',
    ...o,
  });

describe('clip conforming', () => {
  it('turns a 16:9 24 fps silent clip and a 9:16 clip with sound into scenes of the 9:16 master, trimmed to each scene', async () => {
    // Act
    const result = await master('mixed', { voiceoverPath: out('voice.wav'), providerAudio: 'keep' });
    const info = await probeMedia(out('mixed.mp4'));

    // Assess
    expect(result.videoCopied).toBe(false);
    expect(result.providerAudioClips).toBe(1);
    expect(info.video).toMatchObject({ width: W, height: H, codec: 'h264', frames: 105, fps: 30 });
    expect(Math.abs(info.durationSeconds - 3.5)).toBeLessThanOrEqual(0.05);
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 2 });
  });

  it('fills the 9:16 frame around a 16:9 shot with a blurred copy of it, not black bars', async () => {
    // Prepare
    await master('padded');
    const luma = async (crop: string) => {
      const { stdout } = await runFfmpeg(
        [
          '-ss',
          '1',
          '-i',
          out('padded.mp4'),
          '-frames:v',
          '1',
          '-vf',
          `${crop},scale=1:1:flags=area`,
          '-f',
          'rawvideo',
          '-pix_fmt',
          'gray',
          '-',
        ],
        {},
      );
      return stdout.charCodeAt(0);
    };

    // Act: the top tenth of the frame (outside the fitted shot) and the whole frame.
    const [top, whole] = await Promise.all([luma('crop=iw:ih/10:0:0'), luma('null')]);

    // Assess: not black above the shot; the same image family as the whole frame.
    expect(top).toBeGreaterThan(25);
    expect(whole).toBeGreaterThan(25);
  });

  it('keeps the provider audio when told to, and mutes it by default', async () => {
    // Act: no voice and no music, so the only sound is the Veo-like clip's tone.
    const kept = await master('kept', { providerAudio: 'keep' });
    const muted = await master('muted');

    // Assess
    expect(kept.loudness.integratedLufs).toBeGreaterThan(-16);
    expect(muted.providerAudioClips).toBe(0);
    expect(muted.loudness.integratedLufs).toBeLessThan(-60);
  });

  it('ducks kept provider audio under the voice', async () => {
    // Prepare
    const voiced = await master('ducked', { voiceoverPath: out('voice.wav'), providerAudio: 'keep' });
    // Act: the tone alone in the Veo scene (1 kHz band around 660 Hz) against the voice-free baseline.
    const tone = async (file: string) => {
      const { stderr } = await runFfmpeg(
        [
          '-ss',
          '2',
          '-t',
          '1.5',
          '-i',
          file,
          '-af',
          'bandpass=f=660:width_type=q:w=30,volumedetect',
          '-f',
          'null',
          '-',
        ],
        { logLevel: 'info' },
      );
      return Number(stderr.match(/mean_volume:\s+(-?[\d.]+) dB/)?.[1]);
    };
    const [withVoice, alone] = await Promise.all([tone(out('ducked.mp4')), tone(out('kept.mp4'))]);

    // Assess: under the voice the tone is well below where it sits on its own.
    expect(voiced.providerAudioClips).toBe(1);
    expect(alone - withVoice).toBeGreaterThan(6);
  });

  it('chooses blurred-pad for 16:9 into 9:16 and a crop for near-equal aspects', () => {
    expect(cropKeeps(1280, 720, 1080, 1920)).toBeCloseTo(0.316, 2);
    expect(chooseReframe('auto', 1280, 720, 1080, 1920)).toBe('blurred-pad');
    expect(chooseReframe('auto', 1080, 1350, 1080, 1920)).toBe('blurred-pad');
    expect(chooseReframe('auto', 1000, 1920, 1080, 1920)).toBe('crop');
    expect(chooseReframe('crop', 1280, 720, 1080, 1920)).toBe('crop');
  });

  it('splits the cores between parallel encodes, at least one thread each', () => {
    expect(encoderThreads(1, 8)).toBe(8);
    expect(encoderThreads(3, 8)).toBe(2);
    expect(encoderThreads(4, 2)).toBe(1);
  });
});

describe('joining clips that already match the master', () => {
  it('copies their video without re-encoding and encodes only the captioned master', async () => {
    // Prepare: two scenes as the offline renderer makes them, at the master's size, rate and length.
    const scene = (name: string, seconds: number, seed: number) =>
      renderScene({
        outPath: out(name),
        width: W,
        height: H,
        fps: FPS,
        durationSeconds: seconds,
        palette: ['#1B2A41', '#C8A27A', '#F4EDE4'],
        cameraMovement: 'slow pan',
        lighting: 'soft',
        style: 'cinematic',
        seed,
        preset: 'ultrafast',
      });
    await Promise.all([scene('s1.mp4', 1, 1), scene('s2.mp4', 1.5, 2)]);
    // Decoded pictures: a re-encode (lossy) would change them; a join without re-encoding cannot.
    const pictures = async (file: string) =>
      (await runFfmpeg(['-i', file, '-map', '0:v', '-f', 'framemd5', '-'], {})).stdout
        .split('\n')
        .filter((l) => /^\d/.test(l))
        .map((l) => l.split(',').at(-1)?.trim());

    // Act
    const result = await assembleMaster({
      clips: [
        { path: out('s1.mp4'), seconds: 1 },
        { path: out('s2.mp4'), seconds: 1.5 },
      ],
      voiceoverPath: out('voice.wav'),
      captions: [{ text: 'Slowly made', startSeconds: 0.2, endSeconds: 2 }],
      outCleanPath: out('copied.mp4'),
      outCaptionedPath: out('copied-captioned.mp4'),
      width: W,
      height: H,
      fps: FPS,
      targetDurationSeconds: 2.5,
      preset: 'ultrafast',
    });
    const [joined, a, b, captioned] = await Promise.all([
      pictures(out('copied.mp4')),
      pictures(out('s1.mp4')),
      pictures(out('s2.mp4')),
      probeMedia(out('copied-captioned.mp4')),
    ]);

    // Assess
    expect(result.videoCopied).toBe(true);
    expect(joined).toEqual([...a, ...b]);
    expect(captioned.video).toMatchObject({ width: W, height: H, frames: 75 });
  });
});

describe('delivery loudness and provenance', () => {
  it('delivers −14 LUFS integrated (±1) with true peak at or below −1 dBTP', async () => {
    // Act
    await master('loud', { voiceoverPath: out('voice.wav'), providerAudio: 'keep' });
    const measured = await measureDeliverable(out('loud.mp4'));

    // Assess
    expect(Math.abs(measured.integratedLufs - DELIVERY_LOUDNESS.integratedLufs)).toBeLessThanOrEqual(1);
    expect(measured.truePeakDbtp).toBeLessThanOrEqual(-1);
  });

  it('writes which model made which seconds into the MP4, read back with ffprobe', async () => {
    // Prepare
    const provenance = buildProvenance(
      [
        {
          scene_id: '11111111-1111-4111-8111-111111111111',
          seconds: 2,
          model: 'amazon.nova-reel-v1:1',
          provider: 'bedrock',
        },
        {
          scene_id: '22222222-2222-4222-8222-222222222222',
          seconds: 1.5,
          model: 'procedural',
          provider: 'offline',
        },
      ],
      3.5,
    );

    // Act
    await master('tagged', {
      metadata: provenanceMetadata(provenance),
      outCaptionedPath: out('tagged-c.mp4'),
    });
    const [clean, captioned, tags] = await Promise.all([
      readProvenance(out('tagged.mp4')),
      readProvenance(out('tagged-c.mp4')),
      probeMedia(out('tagged.mp4')).then((i) => i.tags),
    ]);

    // Assess
    expect(clean).toEqual({ ai_generated: true, provenance });
    expect(captioned).toEqual(clean);
    expect(tags.ai_generated).toBe('true');
    expect(tags.description).toBe('0–2 s amazon.nova-reel-v1:1 (bedrock, AI); 2–3.5 s procedural (offline)');
    expect(provenance.map((p) => [p.start_seconds, p.end_seconds, p.ai_generated])).toEqual([
      [0, 2, true],
      [2, 3.5, false],
    ]);
  });
});
