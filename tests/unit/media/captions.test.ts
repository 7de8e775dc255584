import { describe, expect, it } from 'vitest';
import {
  assTime,
  buildCues,
  type Cue,
  escapeAssText,
  sceneStarts,
  toAss,
  toSrt,
  toVtt,
} from '../../../lambdas/shared/media/captions.js';
import {
  captionStyleForSafeZone,
  PLATFORM_SAFE_ZONES,
  safeZoneToAssMargins,
  scaleSafeZone,
} from '../../../lambdas/shared/media/renditions.js';

const timed = (sentence: string, step = 0.4) =>
  sentence
    .split(' ')
    .map((text, i) => ({ text, startSeconds: i * step, endSeconds: i * step + step - 0.05 }));

const words = timed('Mornings rewritten. Eighteen hours of patience in every single can we make for you');

describe('buildCues', () => {
  it('keeps every line within 32 characters and every cue within two lines', () => {
    // Prepare
    const long = timed(
      `${'a'.repeat(10)} bb cc dd ee ff gg hh ii jj kk ll mm nn oo pp qq rr ss tt uu vv ww xx yy zz`,
    );

    // Act
    const cues = buildCues(long);

    // Assess
    expect(cues.length).toBeGreaterThan(1);
    for (const c of cues) {
      const lines = c.text.split('\n');
      expect(lines.length).toBeLessThanOrEqual(2);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(32);
    }
    expect(cues.map((c) => c.text.replace(/\n/g, ' ')).join(' ')).toBe(long.map((w) => w.text).join(' '));
  });

  it('ends a cue at the end of a sentence', () => {
    // Act
    const cues = buildCues(words);

    // Assess
    expect(cues[0]?.text).toBe('Mornings rewritten.');
    expect(cues[1]?.text.startsWith('Eighteen')).toBe(true);
  });

  it('balances a two-line cue instead of filling the first line', () => {
    // Prepare
    const w = timed('one two three four five six seven eight nine');

    // Act
    const [cue] = buildCues(w, { maxChars: 32 });

    // Assess
    const [a, b] = (cue as Cue).text.split('\n');
    expect(Math.abs((a?.length ?? 0) - (b?.length ?? 0))).toBeLessThanOrEqual(6);
  });

  it('never lets a cue span a scene cut', () => {
    // Act
    const cues = buildCues(words, { breaks: [2] });

    // Assess
    expect(cues.some((c) => c.startSeconds < 2 && c.endSeconds > 2)).toBe(false);
    expect(cues.some((c) => c.startSeconds === 2)).toBe(true);
  });

  it('starts a new cue after a pause in the speech', () => {
    // Prepare
    const w = [
      { text: 'Hello', startSeconds: 0, endSeconds: 0.4 },
      { text: 'there', startSeconds: 1.5, endSeconds: 1.9 },
    ];

    // Act
    const cues = buildCues(w);

    // Assess
    expect(cues.map((c) => c.text)).toEqual(['Hello', 'there']);
  });

  it('holds a short cue for the minimum time without overlapping the next one', () => {
    // Prepare
    const w = [
      { text: 'Go.', startSeconds: 0, endSeconds: 0.2 },
      { text: 'Now.', startSeconds: 0.5, endSeconds: 0.7 },
      { text: 'Later.', startSeconds: 3, endSeconds: 3.2 },
    ];

    // Act
    const cues = buildCues(w, { minSeconds: 0.8 });

    // Assess
    expect(cues.map((c) => [c.startSeconds, c.endSeconds])).toEqual([
      [0, 0.5],
      [0.5, 1.3],
      [3, 3.8],
    ]);
  });
});

describe('caption writers', () => {
  const cues: Cue[] = [
    { startSeconds: 1.5, endSeconds: 3.25, text: 'Hello {there}\nworld' },
    { startSeconds: 3661.004, endSeconds: 3662, text: 'A <b> & C --> D' },
  ];

  it('writes SubRip with comma milliseconds and numbered cues', () => {
    // Act
    const srt = toSrt(cues);

    // Assess
    expect(srt).toBe(
      '1\n00:00:01,500 --> 00:00:03,250\nHello {there}\nworld\n\n2\n01:01:01,004 --> 01:01:02,000\nA <b> & C --> D\n',
    );
  });

  it('writes WebVTT with a header, dot milliseconds and escaped markup', () => {
    // Act
    const vtt = toVtt(cues);

    // Assess
    expect(vtt).toBe(
      'WEBVTT\n\n00:00:01.500 --> 00:00:03.250\nHello {there}\nworld\n\n01:01:01.004 --> 01:01:02.000\nA &lt;b&gt; &amp; C --&gt; D\n',
    );
  });

  it('drops empty lines, which would end a cue early', () => {
    // Act
    const srt = toSrt([{ startSeconds: 0, endSeconds: 1, text: 'one\n\n two ' }]);

    // Assess
    expect(srt).toBe('1\n00:00:00,000 --> 00:00:01,000\none\ntwo\n');
  });

  it('writes an ASS script with the style, margins and alignment given', () => {
    // Act
    const ass = toAss(cues, {
      width: 1080,
      height: 1920,
      fontSize: 60,
      marginLeft: 60,
      marginRight: 180,
      marginBottom: 420,
      primaryColour: '#C8A27A',
    });

    // Assess
    expect(ass).toContain('[Script Info]\nScriptType: v4.00+\nPlayResX: 1080\nPlayResY: 1920\n');
    expect(ass).toContain(
      'Style: Caption,DejaVu Sans,60,&H007AA2C8,&H000000FF,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,4,1,2,60,180,420,1',
    );
    expect(ass).toContain('Dialogue: 0,0:00:01.50,0:00:03.25,Caption,,0,0,0,,Hello \\{there\\}\\Nworld');
    expect(ass).toContain('Dialogue: 0,1:01:01.00,1:01:02.00,Caption,,0,0,0,,A <b> & C --> D');
  });

  it('uses the top margin for top alignments and a translucent box when boxed', () => {
    // Act
    const ass = toAss(cues, {
      width: 1920,
      height: 1080,
      fontSize: 50,
      marginLeft: 96,
      marginRight: 96,
      marginBottom: 108,
      marginTop: 54,
      alignment: 8,
      boxed: true,
      boxOpacity: 0.5,
    });

    // Assess
    expect(ass).toMatch(
      /Style: Caption,DejaVu Sans,50,&H00FFFFFF,&H000000FF,&H80000000,&H80000000,-1,0,0,0,100,100,0,0,3,10,0,8,96,96,54,1/,
    );
  });

  it('keeps backslashes and braces in ASS text literal', () => {
    // Act
    const text = escapeAssText('C:\\new {x}\nline');

    // Assess
    expect(text).toBe('C:\\\u2060new \\{x\\}\\Nline');
  });

  it('formats ASS times in centiseconds', () => {
    expect(assTime(0)).toBe('0:00:00.00');
    expect(assTime(61.239)).toBe('0:01:01.24');
    expect(assTime(3600)).toBe('1:00:00.00');
  });

  it('lists scene start times', () => {
    expect(
      sceneStarts([{ duration_seconds: 4 }, { duration_seconds: 5.1 }, { duration_seconds: 3 }]),
    ).toEqual([4, 9.1]);
  });
});

describe('safe zones', () => {
  it('has a zone for every platform at its native size', () => {
    // Assess
    expect(Object.keys(PLATFORM_SAFE_ZONES).sort()).toEqual([
      'instagram',
      'linkedin',
      'tiktok',
      'youtube',
      'youtube_shorts',
    ]);
    for (const z of Object.values(PLATFORM_SAFE_ZONES)) {
      expect(z.top + z.bottom).toBeLessThan(z.height / 2);
      expect(z.left + z.right).toBeLessThan(z.width / 2);
    }
  });

  it('scales a native zone to a smaller rendition on each axis', () => {
    // Act
    const zone = scaleSafeZone(PLATFORM_SAFE_ZONES.tiktok, 270, 480);

    // Assess
    expect(zone).toEqual({ top: 40, bottom: 110, left: 15, right: 40 });
  });

  it('turns a zone into ASS margins with padding', () => {
    // Act
    const margins = safeZoneToAssMargins({ top: 10, bottom: 100, left: 20, right: 30 }, 5);

    // Assess
    expect(margins).toEqual({ marginLeft: 25, marginRight: 35, marginBottom: 105, marginTop: 15 });
  });

  it('places captions inside a platform zone at the rendition size', () => {
    // Act
    const style = captionStyleForSafeZone(540, 960, PLATFORM_SAFE_ZONES.instagram);

    // Assess
    expect(style).toMatchObject({ width: 540, height: 960, fontSize: 27, alignment: 2 });
    expect(style.marginBottom).toBeGreaterThanOrEqual(335);
    expect(style.marginLeft).toBeGreaterThanOrEqual(33);
  });
});
