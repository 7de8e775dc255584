import { describe, expect, it } from 'vitest';
import {
  hashtagWords,
  type PlatformCopyRequest,
  parseFeedback,
  toHashtag,
  truncateWords,
  writePlatformCopy,
} from '../../../lambdas/broadcaster/domain/captions.js';
import { measure, PLATFORM_SPECS } from '../../../lambdas/broadcaster/domain/platforms.js';
import { findRestrictedTerms } from '../../../lambdas/copywriter/domain/compliance.js';
import type { Platform } from '../../../lambdas/shared/contracts/index.js';

const PLATFORMS: Platform[] = ['tiktok', 'instagram', 'youtube', 'linkedin'];
const restricted = ['cheap', 'energy drink'];

function request(overrides: Partial<PlatformCopyRequest> = {}): PlatformCopyRequest {
  return {
    platform: 'tiktok',
    script: {
      hook: { text: 'What if your coffee woke up before you did?' },
      voiceover_full_text:
        'What if your coffee woke up before you did? Lumen Nitro is cold brew that is brewed slowly for twenty hours. ' +
        'It is smooth, bright and never bitter. No cheap shortcuts and no energy drink jitters. ' +
        'We do not rush a single can. Grab one on your way out!',
      variant_tag: 'emotional',
    },
    brand: {
      name: 'Lumen Coffee',
      hashtags: ['#LumenCoffee', '#ColdBrew'],
      voice_tone: 'Bright, optimistic, warm',
      restricted_keywords: restricted,
    },
    trendingTopics: ['Slow morning routines', 'cold brew season'],
    callToAction: 'Find a can at your local cafe',
    ...overrides,
  };
}

const words = (n: number, seed: string) =>
  Array.from({ length: n }, (_, i) => `${seed}${i % 7 === 0 ? 'craft' : 'morning'}${i}`).join(' ');

describe('platform copy limits', () => {
  for (const platform of PLATFORMS) {
    it(`keeps the ${platform} caption, hashtags and title within the platform limits with a huge hashtag list and a long voiceover`, () => {
      // Prepare: 300 brand hashtags and a voiceover of 40 sentences of 150 words each (~40k characters).
      const spec = PLATFORM_SPECS[platform];
      const longVoiceover = Array.from({ length: 40 }, (_, i) => `Sentence ${i} ${words(150, 'w')}.`).join(
        ' ',
      );
      const req = request({
        platform,
        brand: { ...request().brand, hashtags: Array.from({ length: 300 }, (_, i) => `#BrandTag${i}`) },
        trendingTopics: Array.from({ length: 50 }, (_, i) => `trend topic ${i}`),
        script: { ...request().script, voiceover_full_text: longVoiceover },
      });

      // Act
      const copy = writePlatformCopy(req);

      // Assess: the whole caption, hashtags included, fits in the platform's own unit.
      expect(measure(copy.caption, spec.caption.unit)).toBeLessThanOrEqual(spec.caption.max);
      expect(copy.hashtags.length).toBeGreaterThanOrEqual(spec.hashtags.recommended.min);
      expect(copy.hashtags.length).toBeLessThanOrEqual(spec.hashtags.max);
      expect(copy.hashtags.length).toBeLessThanOrEqual(spec.hashtags.hard_limit ?? spec.hashtags.max);
      expect(copy.caption.endsWith(copy.hashtags.join(' '))).toBe(true);
      expect(copy.caption).toContain('What if your coffee woke up before you did?');
      expect(copy.caption).toContain('Find a can at your local cafe');
      // The body was cut on a word boundary: the word before the ellipsis is a whole source word.
      const cut = /(\S+)…/u.exec(copy.caption);
      expect(cut).not.toBeNull();
      expect(longVoiceover.split(/\s+/).map((w) => w.replace(/\.$/, ''))).toContain(cut?.[1]);
      if (spec.title) {
        expect(copy.title).toBeDefined();
        expect(measure(copy.title ?? '', spec.title.unit)).toBeLessThanOrEqual(spec.title.max);
      } else {
        expect(copy.title).toBeUndefined();
      }
    });
  }

  it('counts the YouTube description in UTF-8 bytes, not characters', () => {
    // Prepare: multi-byte text (each "café ☕" is 6 characters but 9 bytes).
    const voiceover = Array.from({ length: 400 }, (_, i) => `Café ☕ number ${i} tastes great.`).join(' ');
    const req = request({
      platform: 'youtube',
      script: { ...request().script, voiceover_full_text: voiceover },
    });

    // Act
    const copy = writePlatformCopy(req);

    // Assess
    const bytes = new TextEncoder().encode(copy.caption).length;
    expect(bytes).toBeLessThanOrEqual(5000);
    expect(bytes).toBeGreaterThan(4900);
    expect(copy.caption.length).toBeLessThan(bytes);
  });

  it('keeps YouTube text free of the < and > characters the API refuses', () => {
    // Prepare
    const req = request({
      platform: 'youtube',
      script: { ...request().script, hook: { text: 'Coffee <3 mornings > alarms' } },
    });

    // Act
    const copy = writePlatformCopy(req);

    // Assess
    expect(copy.caption).not.toMatch(/[<>]/);
    expect(copy.title).not.toMatch(/[<>]/);
  });

  it('truncates on a word boundary with an ellipsis and never past the limit', () => {
    // Prepare
    const text = 'The quick brown fox jumps over the lazy dog';

    // Act
    const cut = truncateWords(text, 20);

    // Assess
    expect(cut).toBe('The quick brown fox…');
    expect(cut.length).toBeLessThanOrEqual(20);
    expect(truncateWords(text, 100)).toBe(text);
  });
});

describe('platform hashtags', () => {
  it('normalises tags to #CamelCase from brand tags and free-text topics', () => {
    // Act / Assess
    expect(toHashtag('slow morning routines')).toBe('#SlowMorningRoutines');
    expect(toHashtag('#café-culture')).toBe('#CafeCulture');
    expect(toHashtag('#lumenCoffee')).toBe('#LumenCoffee');
    expect(toHashtag('the best of 2026')).toBe('#Best2026');
    expect(toHashtag('#2026')).toBeUndefined();
    expect(toHashtag('a very long trending topic about many different things')).toBeUndefined();
  });

  it('dedupes hashtags case-insensitively, brand tags first, topics sharing the slots', () => {
    // Prepare
    const req = request({
      platform: 'instagram',
      brand: { ...request().brand, hashtags: ['#LumenCoffee', '#lumencoffee', 'ColdBrew', '#coldbrew'] },
      trendingTopics: ['slow morning routines', 'Slow Morning Routines', 'café culture'],
    });

    // Act
    const copy = writePlatformCopy(req);

    // Assess
    expect(copy.hashtags).toEqual(['#LumenCoffee', '#ColdBrew', '#SlowMorningRoutines', '#CafeCulture']);
    expect(copy.caption.endsWith('\n\n#LumenCoffee #ColdBrew #SlowMorningRoutines #CafeCulture')).toBe(true);
  });

  it('uses the brand name as a tag when the brand has no hashtags', () => {
    // Prepare
    const req = request({ brand: { ...request().brand, hashtags: [] }, trendingTopics: [] });

    // Act
    const copy = writePlatformCopy(req);

    // Assess
    expect(copy.hashtags).toEqual(['#LumenCoffee']);
  });

  it('drops a brand hashtag or trending topic that carries a restricted term, even run together', () => {
    // Prepare
    const req = request({
      platform: 'instagram',
      brand: {
        ...request().brand,
        hashtags: ['#CheapThrills', '#cheapeats', '#LumenCoffee', '#Ch3apCoffee'],
      },
      trendingTopics: ['energy drink wars', '#EnergyDrinks', 'slow mornings'],
    });

    // Act
    const copy = writePlatformCopy(req);

    // Assess
    expect(copy.hashtags).toEqual(['#LumenCoffee', '#SlowMornings']);
    expect(
      findRestrictedTerms(`${copy.caption} ${copy.hashtags.map(hashtagWords).join(' ')}`, restricted),
    ).toEqual([]);
  });

  it('splits camel-case, underscores and digits when reading a tag as words', () => {
    expect(hashtagWords('#EnergyDrinkWars')).toBe('Energy Drink Wars');
    expect(hashtagWords('#cold_brew2026')).toBe('cold brew 2026');
    expect(hashtagWords('#AIToolsForYou')).toBe('AI Tools For You');
  });
});

describe('platform copy safety', () => {
  it('drops voiceover sentences with restricted terms on every platform', () => {
    for (const platform of PLATFORMS) {
      // Act
      const copy = writePlatformCopy(request({ platform, feedback: 'longer' }));

      // Assess
      expect(findRestrictedTerms(copy.caption, restricted), platform).toEqual([]);
      expect(copy.caption, platform).not.toMatch(/cheap|energy drink/i);
    }
  });

  it('also applies the injected checker and drops what it flags', () => {
    // Prepare: the caller's policy forbids "bitter" on top of the brand list.
    const req = request({
      platform: 'instagram',
      restrictedCheck: (t) => findRestrictedTerms(t, ['bitter']),
    });

    // Act
    const copy = writePlatformCopy(req);

    // Assess
    expect(copy.caption).not.toMatch(/bitter/i);
    expect(copy.caption).toContain('Lumen Nitro is cold brew');
  });

  it('replaces a restricted call to action with a neutral one', () => {
    // Act
    const copy = writePlatformCopy(request({ platform: 'linkedin', callToAction: 'Skip the energy drink' }));

    // Assess
    expect(copy.caption).toContain('Learn more.');
    expect(copy.caption).not.toMatch(/energy drink/i);
  });

  it('throws a RestrictedTermError when the copy cannot be made clean', () => {
    // Prepare: a checker that rejects any text at all.
    const req = request({ restrictedCheck: (t) => (t.trim() ? ['anything'] : []) });

    // Act / Assess
    expect(() => writePlatformCopy(req)).toThrow(/restricted terms "anything"/);
  });

  it('is deterministic', () => {
    for (const platform of PLATFORMS) {
      expect(writePlatformCopy(request({ platform }))).toEqual(writePlatformCopy(request({ platform })));
    }
  });
});

describe('platform tone', () => {
  it('writes TikTok casually with contractions and an energetic call to action', () => {
    const copy = writePlatformCopy(request({ platform: 'tiktok' }));
    expect(copy.caption).toContain("that's brewed slowly");
    expect(copy.caption).toContain('Find a can at your local cafe!');
  });

  it('gives a serious variant no exclamation marks, even on TikTok', () => {
    const copy = writePlatformCopy(request({ script: { ...request().script, variant_tag: 'serious' } }));
    expect(copy.caption).not.toContain('!');
  });

  it('writes Instagram warmly with a sign-off from the brand team', () => {
    const copy = writePlatformCopy(request({ platform: 'instagram' }));
    expect(copy.caption).toContain('Find a can at your local cafe.\nWith love, the Lumen Coffee team.');
  });

  it('gives YouTube a descriptive title and the whole clean voiceover as description', () => {
    const copy = writePlatformCopy(request({ platform: 'youtube' }));
    expect(copy.title).toBe('What if your coffee woke up before you did? | Lumen Coffee');
    expect(copy.caption).toContain('We do not rush a single can. Grab one on your way out.');
  });

  it('writes LinkedIn professionally: no contractions, no exclamation marks', () => {
    const copy = writePlatformCopy(
      request({
        platform: 'linkedin',
        script: { ...request().script, voiceover_full_text: "It's bright! We don't rush. You'll taste it!" },
      }),
    );
    expect(copy.caption).toContain('It is bright. We do not rush. You will taste it.');
    expect(copy.caption).not.toMatch(/!|n't|'s\b|'ll\b/);
  });
});

describe('reviewer feedback', () => {
  it('reads tone, length, hashtag, mention and avoid directives from free text', () => {
    expect(parseFeedback('Make it more formal, shorter and mention the launch date')).toMatchObject({
      tone: 'formal',
      length: 'shorter',
      mentions: ['the launch date'],
      rephrase: false,
    });
    expect(parseFeedback('less formal please, no hashtags')).toMatchObject({
      tone: 'casual',
      hashtags: 'none',
    });
    expect(parseFeedback("avoid the word 'bright' and don't mention bitterness")).toMatchObject({
      avoid: ['bright', 'bitterness'],
      mentions: [],
    });
    expect(parseFeedback('I just do not love it').rephrase).toBe(true);
  });

  it('makes TikTok copy formal when asked', () => {
    // Act
    const plain = writePlatformCopy(request());
    const formal = writePlatformCopy(request({ feedback: 'more formal please' }));

    // Assess
    expect(formal.caption).not.toBe(plain.caption);
    expect(formal.caption).not.toContain('!');
    expect(formal.caption).not.toMatch(/n't|'s\b/);
    expect(formal.caption).toContain('that is brewed slowly');
  });

  it('mentions what the reviewer asked for, right after the hook', () => {
    for (const platform of PLATFORMS) {
      // Act
      const copy = writePlatformCopy(request({ platform, feedback: 'mention the launch date' }));

      // Assess
      const firstParagraph = copy.caption.split('\n\n')[0] ?? '';
      expect(firstParagraph, platform).toContain('the launch date');
    }
  });

  it('uses quoted feedback text verbatim', () => {
    const copy = writePlatformCopy(request({ platform: 'linkedin', feedback: 'mention "Launches 3 March"' }));
    expect(copy.caption).toContain('Launches 3 March.');
  });

  it('makes the copy shorter with fewer hashtags when asked', () => {
    for (const platform of PLATFORMS) {
      // Act
      const plain = writePlatformCopy(request({ platform }));
      const shorter = writePlatformCopy(request({ platform, feedback: 'shorter' }));

      // Assess
      expect(shorter.caption.length, platform).toBeLessThan(plain.caption.length);
      expect(shorter.hashtags.length, platform).toBeLessThanOrEqual(3);
    }
  });

  it('keeps words the reviewer wants avoided out of the copy', () => {
    // Act
    const copy = writePlatformCopy(request({ platform: 'youtube', feedback: "avoid the word 'bright'" }));

    // Assess
    expect(copy.caption).not.toMatch(/bright/i);
    expect(copy.caption).toContain('Lumen Nitro is cold brew');
  });

  it('drops all hashtags when asked', () => {
    const copy = writePlatformCopy(request({ platform: 'instagram', feedback: 'no hashtags' }));
    expect(copy.hashtags).toEqual([]);
    expect(copy.caption).not.toContain('#');
  });

  it('still visibly changes the copy when the feedback matches no rule', () => {
    for (const platform of PLATFORMS) {
      // Act
      const plain = writePlatformCopy(request({ platform }));
      const revised = writePlatformCopy(request({ platform, feedback: 'I just do not love it' }));

      // Assess
      expect(revised.caption, platform).not.toBe(plain.caption);
    }
  });

  it('still visibly changes the copy when the recognised feedback changes nothing by itself', () => {
    // Prepare: LinkedIn is already formal, so "more formal" alone would leave it as it was.
    const plain = writePlatformCopy(request({ platform: 'linkedin' }));

    // Act
    const revised = writePlatformCopy(request({ platform: 'linkedin', feedback: 'more formal' }));

    // Assess
    expect(revised.caption).not.toBe(plain.caption);
    expect(revised.caption).toContain('Next step: find a can at your local cafe.');
  });
});

describe('long unpunctuated voiceovers', () => {
  it('cuts a single 60,000-character sentence quickly and within every limit', () => {
    // Prepare: no sentence breaks at all, so the whole voiceover is one sentence to cut.
    const voiceover = words(6000, 'x');
    const started = performance.now();

    for (const platform of PLATFORMS) {
      // Act
      const spec = PLATFORM_SPECS[platform];
      const copy = writePlatformCopy(
        request({ platform, script: { ...request().script, voiceover_full_text: voiceover } }),
      );

      // Assess
      expect(measure(copy.caption, spec.caption.unit), platform).toBeLessThanOrEqual(spec.caption.max);
      expect(copy.caption, platform).toContain('…');
    }
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
