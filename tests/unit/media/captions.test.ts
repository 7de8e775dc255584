import { describe, expect, it } from 'vitest';
import { buildCues, sceneStarts, toAss, toSrt, toVtt } from '../../../lambdas/shared/media/captions.js';
import { parseCameraMovement, wrapText } from '../../../lambdas/shared/media/scene-renderer.js';

const words = 'Mornings rewritten. Eighteen hours of patience in every single can we make for you'
  .split(' ')
  .map((text, i) => ({ text, startSeconds: i * 0.4, endSeconds: i * 0.4 + 0.35 }));

describe('captions', () => {
  it('groups words into cues of at most two lines of 32 characters', () => {
    const cues = buildCues(words);
    for (const c of cues) for (const line of c.text.split('\n')) expect(line.length).toBeLessThanOrEqual(32);
    expect(cues.every((c) => c.text.split('\n').length <= 2)).toBe(true);
    expect(cues[0]?.text).toBe('Mornings rewritten.');
  });

  it('breaks cues at scene cuts', () => {
    const cues = buildCues(words, { breaks: [2] });
    expect(cues.some((c) => c.startSeconds < 2 && c.endSeconds > 2.01)).toBe(false);
  });

  it('writes SRT, WebVTT and ASS', () => {
    const cues = [{ startSeconds: 1.5, endSeconds: 3.25, text: 'Hello {there}\nworld' }];
    expect(toSrt(cues)).toBe('1\n00:00:01,500 --> 00:00:03,250\nHello {there}\nworld\n');
    expect(toVtt(cues)).toBe('WEBVTT\n\n00:00:01.500 --> 00:00:03.250\nHello {there}\nworld\n');
    const ass = toAss(cues, {
      width: 1080,
      height: 1920,
      fontSize: 60,
      marginLeft: 60,
      marginRight: 180,
      marginBottom: 420,
      primaryColour: '#C8A27A',
    });
    expect(ass).toContain('PlayResY: 1920');
    expect(ass).toContain('&H007AA2C8');
    expect(ass).toContain(',60,180,420,1');
    expect(ass).toContain('Dialogue: 0,0:00:01.50,0:00:03.25,Caption,,0,0,0,,Hello \\{there\\}\\Nworld');
  });

  it('lists scene start times', () => {
    expect(sceneStarts([{ duration_seconds: 4 }, { duration_seconds: 5 }, { duration_seconds: 3 }])).toEqual([
      4, 9,
    ]);
  });
});

describe('the procedural renderer', () => {
  it('reads camera directions', () => {
    expect(parseCameraMovement('slow dolly in')).toBe('zoom_in');
    expect(parseCameraMovement('pull back reveal')).toBe('zoom_out');
    expect(parseCameraMovement('whip pan left')).toBe('pan_left');
    expect(parseCameraMovement('gentle orbit')).toBe('orbit');
    expect(parseCameraMovement('handheld follow')).toBe('handheld');
    expect(parseCameraMovement('locked-off')).toBe('static');
  });

  it('wraps on-screen text', () => {
    expect(wrapText('one two three four five', 9)).toBe('one two\nthree\nfour five');
  });
});
