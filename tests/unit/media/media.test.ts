import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleMaster, deliveredMix } from '../../../lambdas/shared/media/assemble.js';
import { buildCues } from '../../../lambdas/shared/media/captions.js';
import { filterValue } from '../../../lambdas/shared/media/filtergraph.js';
import { measureDeliverable } from '../../../lambdas/shared/media/loudness.js';
import { generateMusicBed } from '../../../lambdas/shared/media/music.js';
import { probeMedia } from '../../../lambdas/shared/media/probe.js';
import { PLATFORM_SAFE_ZONES, renderRendition } from '../../../lambdas/shared/media/renditions.js';
import { renderScene } from '../../../lambdas/shared/media/scene-renderer.js';
import { renderThumbnail } from '../../../lambdas/shared/media/thumbnail.js';
import { FfmpegError, fontPath, resolveToolPath, runFfmpeg } from '../../../lambdas/shared/media/tools.js';
import { synthesizeSpeech } from '../../../lambdas/shared/media/tts.js';

// Tiny renders (160×284, ~1–3 s, x264 ultrafast) keep this file to a few seconds on two cores.
const dir = mkdtempSync(path.join(tmpdir(), 'bie-media-test-'));
const out = (name: string) => path.join(dir, name);
const W = 160;
const H = 284;
const FPS = 30;
const PALETTE = ['#1B2A41', '#C8A27A', '#F4EDE4'];
const md5 = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scene = (name: string, o: Partial<Parameters<typeof renderScene>[0]> = {}) =>
  renderScene({
    outPath: out(name),
    width: W,
    height: H,
    fps: FPS,
    durationSeconds: 1.2,
    palette: PALETTE,
    cameraMovement: 'slow dolly in',
    lighting: 'warm golden hour',
    style: 'cinematic',
    seed: 11,
    preset: 'ultrafast',
    ...o,
  });

/** Shared inputs for assembly and renditions, made once. */
let inputs:
  | Promise<{
      clips: string[];
      voice: string;
      music: string;
      words: { text: string; startSeconds: number; endSeconds: number }[];
    }>
  | undefined;
const assemblyInputs = () => {
  inputs ??= (async () => {
    const [, , speech] = await Promise.all([
      scene('a.mp4', { durationSeconds: 1.2, onScreenText: 'Mornings, rewritten' }),
      scene('b.mp4', { durationSeconds: 1, style: 'abstract', cameraMovement: 'orbit', seed: 12 }),
      synthesizeSpeech({ text: 'Cold brew, slowly made.', outPath: out('voice.wav') }),
      generateMusicBed({ outPath: out('music.m4a'), durationSeconds: 3, style: 'upbeat acoustic', seed: 5 }),
    ]);
    return {
      clips: [out('a.mp4'), out('b.mp4')],
      voice: out('voice.wav'),
      music: out('music.m4a'),
      words: speech.words,
    };
  })();
  return inputs;
};

describe('renderScene', () => {
  it('renders an H.264 clip of the exact size and duration with no audio', async () => {
    // Act
    const result = await scene('scene.mp4', {
      durationSeconds: 2,
      onScreenText: 'It\'s 100%: "fresh" [a,b];{c} \\o/',
    });
    const info = await probeMedia(out('scene.mp4'));

    // Assess
    expect(result.frames).toBe(60);
    expect(result.motion).toBe('zoom_in');
    expect(Math.abs(info.durationSeconds - 2)).toBeLessThanOrEqual(0.05);
    expect(info.video).toMatchObject({
      width: W,
      height: H,
      codec: 'h264',
      fps: FPS,
      pixelFormat: 'yuv420p',
      frames: 60,
    });
    expect(info.audio).toBeUndefined();
  });

  it('draws the same clip for the same seed and a different one for another seed', async () => {
    // Act
    await scene('same-1.mp4', { seed: 3, cameraMovement: 'whip pan left', style: 'hyper_realistic' });
    await scene('same-2.mp4', { seed: 3, cameraMovement: 'whip pan left', style: 'hyper_realistic' });
    await scene('other.mp4', { seed: 4, cameraMovement: 'whip pan left', style: 'hyper_realistic' });

    // Assess
    expect(md5(out('same-1.mp4'))).toBe(md5(out('same-2.mp4')));
    expect(md5(out('other.mp4'))).not.toBe(md5(out('same-1.mp4')));
  });

  it('escapes on-screen text so drawtext shows it exactly as a text file would', async () => {
    // Prepare
    const text = 'It\'s 100%: "q" [a,b];{c} \\o/ C:\\x';
    const textFile = out('text.txt');
    writeFileSync(textFile, text);
    const base = `color=c=black:s=320x60:d=0.1,drawtext=fontfile=${filterValue(fontPath())}:fontsize=14:fontcolor=white:x=4:y=20:expansion=none`;

    // Act
    const viaText = await runFfmpeg([
      '-f',
      'lavfi',
      '-i',
      `${base}:text=${filterValue(text)}`,
      '-frames:v',
      '1',
      '-f',
      'md5',
      '-',
    ]);
    const viaFile = await runFfmpeg([
      '-f',
      'lavfi',
      '-i',
      `${base}:textfile=${filterValue(textFile)}`,
      '-frames:v',
      '1',
      '-f',
      'md5',
      '-',
    ]);
    const blank = await runFfmpeg([
      '-f',
      'lavfi',
      '-i',
      'color=c=black:s=320x60:d=0.1',
      '-frames:v',
      '1',
      '-f',
      'md5',
      '-',
    ]);

    // Assess
    expect(viaText.stdout.trim()).toMatch(/^MD5=[0-9a-f]{32}$/);
    expect(viaText.stdout).toBe(viaFile.stdout);
    expect(viaText.stdout).not.toBe(blank.stdout);
  });
});

describe('synthesizeSpeech', () => {
  it('writes a 16-bit WAV and times every word in order within the audio', async () => {
    // Prepare
    const text = 'Eighteen hours of patience, in every single can. Lumen cold brew!';

    // Act
    const speech = await synthesizeSpeech({ text, outPath: out('speech.wav'), ratePerMinute: 170 });
    const info = await probeMedia(out('speech.wav'));

    // Assess
    expect(speech.timing).toBe('events');
    expect(speech.sampleRate).toBe(22050);
    expect(info.audio).toMatchObject({ codec: 'pcm_s16le', sampleRate: 22050, channels: 1 });
    expect(Math.abs(info.durationSeconds - speech.durationSeconds)).toBeLessThan(0.01);
    expect(readFileSync(out('speech.wav')).length).toBe(44 + Math.round(speech.durationSeconds * 22050) * 2);
    expect(speech.words.map((w) => w.text)).toEqual(text.split(' '));
    speech.words.forEach((w, i) => {
      expect(w.endSeconds).toBeGreaterThan(w.startSeconds);
      const next = speech.words[i + 1];
      if (next) expect(next.startSeconds).toBeGreaterThanOrEqual(w.endSeconds);
    });
    expect(speech.words[0]?.startSeconds).toBeLessThan(0.3);
    expect(speech.words.at(-1)?.endSeconds).toBeLessThanOrEqual(speech.durationSeconds);
    expect(speech.words.at(-1)?.endSeconds).toBeGreaterThan(speech.durationSeconds * 0.75);
  });

  it('speaks faster at a higher rate and refuses an unknown voice', async () => {
    // Act
    const slow = await synthesizeSpeech({ text: 'One two three four five six.', ratePerMinute: 120 });
    const fast = await synthesizeSpeech({ text: 'One two three four five six.', ratePerMinute: 260 });

    // Assess
    expect(fast.durationSeconds).toBeLessThan(slow.durationSeconds * 0.75);
    await expect(synthesizeSpeech({ text: 'Hi', voice: 'no-such-voice' })).rejects.toThrow(/no voice/);
  });
});

describe('generateMusicBed', () => {
  it('writes a stereo 48 kHz bed of the requested length that is not silent', async () => {
    // Act
    const bed = await generateMusicBed({
      outPath: out('bed.wav'),
      durationSeconds: 2.5,
      style: 'calm lo-fi',
      seed: 9,
    });
    const info = await probeMedia(out('bed.wav'));
    const pcm = readFileSync(out('bed.wav')).subarray(44);
    const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
    const rms = Math.sqrt(samples.reduce((s, v) => s + (v / 32768) ** 2, 0) / samples.length);

    // Assess
    expect(bed.plan.mood).toBe('calm');
    expect(info.audio).toMatchObject({ codec: 'pcm_s16le', sampleRate: 48000, channels: 2 });
    expect(Math.abs(info.durationSeconds - 2.5)).toBeLessThan(0.01);
    expect(rms).toBeGreaterThan(0.03);
    expect(rms).toBeLessThan(0.3);
  });
});

describe('assembleMaster', () => {
  it('joins clips under ducked music and voice into clean and captioned masters of the target length', async () => {
    // Prepare
    const { clips, voice, music, words } = await assemblyInputs();

    // Act
    const result = await assembleMaster({
      clips,
      voiceoverPath: voice,
      musicPath: music,
      captions: buildCues(words),
      outCleanPath: out('clean.mp4'),
      outCaptionedPath: out('master.mp4'),
      outMixPath: out('mix.m4a'),
      width: W,
      height: H,
      fps: FPS,
      targetDurationSeconds: 3,
      preset: 'ultrafast',
    });
    const [clean, captioned, mix] = await Promise.all(
      [out('clean.mp4'), out('master.mp4'), out('mix.m4a')].map((f) => probeMedia(f)),
    );

    // Assess
    expect(result.heldSeconds).toBeCloseTo(0.8, 5);
    for (const info of [clean, captioned]) {
      expect(Math.abs(info.durationSeconds - 3)).toBeLessThanOrEqual(0.1);
      expect(info.video).toMatchObject({ width: W, height: H, codec: 'h264', frames: 90 });
      expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 2 });
    }
    expect(Math.abs(mix.durationSeconds - 3)).toBeLessThanOrEqual(0.1);
    expect(md5(out('master.mp4'))).not.toBe(md5(out('clean.mp4')));
  });

  it('takes a mix made beforehand from the voice and the music as is, and ignores it when provider audio is kept', async () => {
    // Prepare: the sound made while the scenes render (ComposeMusic), at the delivery loudness.
    const { clips, voice, music } = await assemblyInputs();
    const levels = await deliveredMix({
      voiceoverPath: voice,
      musicPath: music,
      targetDurationSeconds: 3,
      outPath: out('early-mix.m4a'),
    });
    const base = { clips, voiceoverPath: voice, musicPath: music, width: W, height: H, fps: FPS };

    // Act
    const used = await assembleMaster({
      ...base,
      mixPath: out('early-mix.m4a'),
      outCleanPath: out('early.mp4'),
      outMixPath: out('early-out.m4a'),
      targetDurationSeconds: 3,
      preset: 'ultrafast',
    });
    const kept = await assembleMaster({
      ...base,
      providerAudio: 'keep',
      mixPath: out('early-mix.m4a'),
      outCleanPath: out('kept.mp4'),
      targetDurationSeconds: 3,
      preset: 'ultrafast',
    });
    const loudness = await measureDeliverable(out('early-mix.m4a'));

    // Assess
    expect(md5(out('early-out.m4a'))).toBe(md5(out('early-mix.m4a')));
    expect(used.voiceGainDb).toBeUndefined();
    expect(used.loudness.integratedLufs).toBeCloseTo(loudness.integratedLufs, 0);
    expect(Math.abs(loudness.integratedLufs + 14)).toBeLessThanOrEqual(1);
    expect(loudness.truePeakDbtp).toBeLessThanOrEqual(-1);
    expect(kept.voiceGainDb).toBeCloseTo(levels.voiceGainDb, 5);
  });

  it('trims to a target shorter than the clips and accepts the former option names', async () => {
    // Prepare
    const { clips, voice } = await assemblyInputs();

    // Act
    await assembleMaster({
      clips,
      voicePath: voice,
      musicPath: undefined,
      assPath: undefined,
      fontFile: fontPath(),
      outCleanPath: out('short.mp4'),
      outCaptionedPath: out('short-captioned.mp4'),
      width: W,
      height: H,
      fps: FPS,
      durationSeconds: 1.5,
      preset: 'ultrafast',
    });
    const info = await probeMedia(out('short.mp4'));

    // Assess
    expect(Math.abs(info.durationSeconds - 1.5)).toBeLessThanOrEqual(0.1);
    expect(info.video?.frames).toBe(45);
    expect(info.audio?.codec).toBe('aac');
    expect(md5(out('short-captioned.mp4'))).toBe(md5(out('short.mp4')));
  });
});

describe('renderRendition and renderThumbnail', () => {
  it('renders a 16:9 rendition of a 9:16 master at exactly the requested size', async () => {
    // Prepare
    const { clips, voice, words } = await assemblyInputs();
    await assembleMaster({
      clips,
      voiceoverPath: voice,
      outCleanPath: out('r-clean.mp4'),
      width: W,
      height: H,
      fps: FPS,
      targetDurationSeconds: 2.2,
      preset: 'ultrafast',
    });

    // Act
    const wide = await renderRendition({
      masterPath: out('r-clean.mp4'),
      outPath: out('youtube.mp4'),
      width: 284,
      height: 160,
      captions: { cues: buildCues(words, { maxChars: 42 }), safeZone: PLATFORM_SAFE_ZONES.youtube },
      preset: 'ultrafast',
    });
    const narrow = await renderRendition({
      masterPath: out('r-clean.mp4'),
      outPath: out('small.mp4'),
      width: 90,
      height: 160,
      preset: 'ultrafast',
    });
    const [wideInfo, narrowInfo] = await Promise.all([
      probeMedia(out('youtube.mp4')),
      probeMedia(out('small.mp4')),
    ]);

    // Assess
    expect(wide.fit).toBe('blurred-fill');
    expect(narrow.fit).toBe('scaled');
    expect(wideInfo.video).toMatchObject({ width: 284, height: 160, codec: 'h264', frames: 66 });
    expect(narrowInfo.video).toMatchObject({ width: 90, height: 160 });
    expect(wideInfo.audio?.codec).toBe('aac');
    expect(Math.abs(wideInfo.durationSeconds - 2.2)).toBeLessThanOrEqual(0.1);
  });

  it('writes a JPEG thumbnail of the requested size, with a title band', async () => {
    // Prepare
    const { clips } = await assemblyInputs();

    // Act
    const thumb = await renderThumbnail({
      videoPath: clips[0] as string,
      atSeconds: 99,
      outPath: out('thumb.jpg'),
      width: 200,
      height: 356,
      title: 'Mornings: rewritten — 100% "cold" brew',
      palette: PALETTE,
    });
    const info = await probeMedia(out('thumb.jpg'));

    // Assess
    expect(thumb.atSeconds).toBeLessThan(1.2);
    expect(info.video).toMatchObject({ width: 200, height: 356, codec: 'mjpeg' });
  });
});

describe('tools', () => {
  it('reports a failed run with the exit code, the arguments and the end of stderr', async () => {
    // Act
    const error = await runFfmpeg(['-i', out('missing.mp4'), '-f', 'null', '-']).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(FfmpegError);
    const e = error as FfmpegError;
    expect(e.exitCode).toBe(1);
    expect(e.args).toContain(out('missing.mp4'));
    expect(e.stderrTail).toMatch(/No such file or directory/);
    expect(e.message).toMatch(/^ffmpeg exited with code 1: /);
  });

  it('takes the ffmpeg path from BIE_FFMPEG_PATH first', () => {
    // Prepare
    const before = process.env.BIE_FFMPEG_PATH;
    process.env.BIE_FFMPEG_PATH = '/custom/ffmpeg';

    // Act
    const resolved = resolveToolPath('ffmpeg');

    // Assess
    if (before === undefined) delete process.env.BIE_FFMPEG_PATH;
    else process.env.BIE_FFMPEG_PATH = before;
    expect(resolved).toBe('/custom/ffmpeg');
    expect(resolveToolPath('ffprobe')).toMatch(/ffprobe$/);
  });
});
