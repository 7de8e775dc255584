import { describe, expect, it } from 'vitest';
import { assColor, ffColor, parseHexColor, toYuv709 } from '../../../lambdas/shared/media/color.js';
import { filterValue } from '../../../lambdas/shared/media/filtergraph.js';
import { moodOf, planMusic, renderMusic } from '../../../lambdas/shared/media/music.js';
import {
  parseCameraMovement,
  parseCameraSpeed,
  parseLighting,
} from '../../../lambdas/shared/media/scene-renderer.js';
import { fitText, wrapText } from '../../../lambdas/shared/media/text.js';
import { timeWords, tokenize } from '../../../lambdas/shared/media/tts.js';

describe('colours', () => {
  it('parses #RRGGBB and #RGB and rejects anything else', () => {
    expect(parseHexColor('#C8A27A')).toEqual({ r: 200, g: 162, b: 122 });
    expect(parseHexColor('fa0')).toEqual({ r: 255, g: 170, b: 0 });
    expect(() => parseHexColor('#12345')).toThrow(/not a #RRGGBB colour/);
  });

  it('writes ffmpeg and libass colour syntax', () => {
    expect(ffColor('#c8a27a', 0.5)).toBe('0xC8A27A@0.50');
    expect(assColor('#C8A27A')).toBe('&H007AA2C8');
    expect(assColor('#000000', 0)).toBe('&HFF000000');
  });

  it('converts to studio-range BT.709 like a broadcast encoder', () => {
    expect(toYuv709({ r: 255, g: 255, b: 255 })).toEqual({ y: 235, u: 128, v: 128 });
    expect(toYuv709({ r: 0, g: 0, b: 0 })).toEqual({ y: 16, u: 128, v: 128 });
    expect(toYuv709({ r: 255, g: 0, b: 0 })).toEqual({ y: 63, u: 102, v: 240 });
  });
});

describe('filterValue', () => {
  it('quotes for the option parser and escapes for the graph parser', () => {
    expect(filterValue('a:b')).toBe("\\'a:b\\'");
    expect(filterValue("it's, [x];")).toBe("\\'it\\'\\\\\\'\\'s\\, \\[x\\]\\;\\'");
  });
});

describe('text layout', () => {
  it('wraps greedily and gives a long word its own line', () => {
    expect(wrapText('one two three four five', 9)).toBe('one two\nthree\nfour five');
    expect(wrapText('supercalifragilistic is long', 8)).toBe('supercalifragilistic\nis long');
  });

  it('shrinks the font until the text fits, then cuts with an ellipsis', () => {
    // Act
    const fits = fitText('Mornings, rewritten', {
      maxWidth: 500,
      fontSize: 80,
      minFontSize: 30,
      maxLines: 1,
    });
    const cut = fitText('word '.repeat(40), { maxWidth: 200, fontSize: 40, minFontSize: 30, maxLines: 2 });

    // Assess
    expect(fits.lines).toEqual(['Mornings, rewritten']);
    expect(fits.fontSize).toBeLessThan(80);
    expect(fits.fontSize).toBeGreaterThanOrEqual(30);
    expect(cut.lines).toHaveLength(2);
    expect(cut.lines[1]?.endsWith('…')).toBe(true);
  });
});

describe('scene directions', () => {
  it('reads camera movements from free text', () => {
    expect(parseCameraMovement('slow dolly in')).toBe('zoom_in');
    expect(parseCameraMovement('push-in on the can')).toBe('zoom_in');
    expect(parseCameraMovement('pull back reveal')).toBe('zoom_out');
    expect(parseCameraMovement('whip pan left')).toBe('pan_left');
    expect(parseCameraMovement('tracking shot right')).toBe('pan_right');
    expect(parseCameraMovement('crane up over the city')).toBe('tilt_up');
    expect(parseCameraMovement('tilt down to the table')).toBe('tilt_down');
    expect(parseCameraMovement('gentle orbit')).toBe('orbit');
    expect(parseCameraMovement('handheld follow')).toBe('handheld');
    expect(parseCameraMovement('locked-off')).toBe('static');
    expect(parseCameraMovement('company logo, no movement')).toBe('static');
  });

  it('reads the speed of a movement', () => {
    expect(parseCameraSpeed('slow dolly in')).toBeLessThan(1);
    expect(parseCameraSpeed('whip pan')).toBeGreaterThan(1);
    expect(parseCameraSpeed('dolly in')).toBe(1);
  });

  it('reads lighting into exposure, warmth and vignette', () => {
    // Act
    const golden = parseLighting('warm golden hour');
    const noir = parseLighting('moody low-key night');
    const bright = parseLighting('bright high-key daylight');

    // Assess
    expect(golden.warmth).toBeGreaterThan(0);
    expect(parseLighting('cool blue moonlight').warmth).toBeLessThan(0);
    expect(noir.exposure).toBeLessThan(1);
    expect(noir.vignette).toBeGreaterThan(bright.vignette);
    expect(bright.exposure).toBeGreaterThan(1);
  });
});

describe('music plan', () => {
  it('chooses mood and tempo from the style words', () => {
    expect(moodOf('upbeat acoustic pop')).toBe('upbeat');
    expect(moodOf('calm ambient')).toBe('calm');
    expect(moodOf('epic cinematic strings')).toBe('cinematic');
    expect(moodOf('modern corporate')).toBe('corporate');
    expect(planMusic('energetic', 1).bpm).toBeGreaterThan(planMusic('calm', 1).bpm);
    expect(planMusic('cinematic', 1).minor).toBe(true);
  });

  it('renders the same samples for the same seed and different ones for another seed', () => {
    // Prepare
    const plan = planMusic('corporate', 7);

    // Act
    const [a] = renderMusic(plan, 1, 8000, 7);
    const [b] = renderMusic(plan, 1, 8000, 7);
    const [c] = renderMusic(plan, 1, 8000, 8);

    // Assess
    expect(a).toHaveLength(8000);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(1);
  });
});

describe('word timing from espeak events', () => {
  const ev = (type: 'word' | 'phoneme' | 'end', pos: number, ms: number, id?: string) => ({
    type,
    text_position: pos,
    word_length: 0,
    audio_position: ms,
    ...(id !== undefined && { id }),
  });

  it('keeps punctuation with its word and joins symbol-only tokens to the previous word', () => {
    expect(tokenize('Hi — there, 100% 🎉 ok.').map((t) => t.text)).toEqual([
      'Hi —',
      'there,',
      '100% 🎉',
      'ok.',
    ]);
  });

  it('starts each word at its first event and ends it at the next pause', () => {
    // Prepare: "3.5" is spoken as three words; the emoji sits between words (code point positions).
    const text = 'Try 3.5 🎉 now. Go';
    const events = [
      ev('word', 1, 0),
      ev('phoneme', 1, 20, 't'),
      ev('word', 5, 300),
      ev('word', 6, 500),
      ev('word', 6, 700),
      ev('word', 9, 900),
      ev('word', 11, 1100),
      ev('phoneme', 11, 1400, ''),
      ev('end', 14, 1500),
      ev('word', 16, 1600),
    ];

    // Act
    const { words, timing } = timeWords(text, events, 2);

    // Assess
    expect(timing).toBe('events');
    expect(words).toEqual([
      { text: 'Try', startSeconds: 0, endSeconds: 0.3 },
      { text: '3.5 🎉', startSeconds: 0.3, endSeconds: 1.1 },
      { text: 'now.', startSeconds: 1.1, endSeconds: 1.4 },
      { text: 'Go', startSeconds: 1.6, endSeconds: 2 },
    ]);
  });

  it('spreads the words by length when espeak gives no word events', () => {
    // Act
    const { words, timing } = timeWords('aa bbbb', [], 3, [0, 3]);

    // Assess
    expect(timing).toBe('estimated');
    expect(words.map((w) => w.text)).toEqual(['aa', 'bbbb']);
    expect(words[0]?.startSeconds).toBe(0);
    expect(words[1]?.startSeconds).toBeCloseTo(1.125, 3);
    expect(words[1]?.endSeconds).toBeLessThanOrEqual(3);
  });
});
