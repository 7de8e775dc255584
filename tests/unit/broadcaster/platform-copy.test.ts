import { describe, expect, it } from 'vitest';
import { toHashtag, writePlatformCopy } from '../../../lambdas/broadcaster/domain/platform-copy.js';
import { PLATFORM_SPECS } from '../../../lambdas/broadcaster/domain/platforms.js';
import { findRestrictedTerms } from '../../../lambdas/copywriter/domain/compliance.js';

const restricted = ['cheap', 'energy drink'];
const script = {
  hook: {
    text: 'What if your coffee woke up before you did?',
    hook_type: 'question' as const,
    quality_score: 0.8,
    variations_generated: 50,
    selected_rationale: 'r',
  },
  variant_tag: 'emotional' as const,
  scenes: Array.from({ length: 12 }, (_, i) => ({
    voiceover_text: `Line ${i} about slow mornings and patient craft in every single can we make.`,
  })) as never,
};
const brand = {
  name: 'Lumen Coffee',
  hashtags: [
    '#LumenCoffee',
    '#CheapThrills',
    '#lumencoffee',
    ...Array.from({ length: 40 }, (_, i) => `#Tag${i}`),
  ],
  restricted_keywords: restricted,
};

const copy = (platform: 'tiktok' | 'instagram' | 'youtube' | 'linkedin', feedback?: string) =>
  writePlatformCopy({
    platform,
    script,
    brand,
    trendingTopics: ['Slow morning routines', 'energy drink wars'],
    callToAction: 'Find a can at your local cafe',
    feedback,
    restrictedCheck: (t) => findRestrictedTerms(t, restricted),
  });

describe('platform copy', () => {
  for (const platform of ['tiktok', 'instagram', 'youtube', 'linkedin'] as const) {
    it(`keeps ${platform} within its caption and hashtag limits`, () => {
      const c = copy(platform);
      const spec = PLATFORM_SPECS[platform];
      expect(c.caption.length).toBeLessThanOrEqual(spec.caption_max);
      expect(c.hashtags.length).toBeLessThanOrEqual(spec.hashtags_max);
      if (spec.title_max) expect(c.title?.length ?? 0).toBeLessThanOrEqual(spec.title_max);
    });
  }

  it('drops hashtags that carry a restricted term and dedupes case-insensitively', () => {
    const c = copy('instagram');
    expect(c.hashtags.some((h) => /cheap|energydrink/i.test(h))).toBe(false);
    expect(c.hashtags.filter((h) => h.toLowerCase() === '#lumencoffee')).toEqual(['#LumenCoffee']);
    expect(new Set(c.hashtags.map((h) => h.toLowerCase())).size).toBe(c.hashtags.length);
  });

  it('follows reviewer feedback', () => {
    const plain = copy('tiktok');
    const revised = copy('tiktok', 'shorter, and mention the oat milk option');
    expect(revised.caption).toContain('Oat milk option');
    expect(revised.hashtags.length).toBeLessThanOrEqual(3);
    expect(revised.caption).not.toBe(plain.caption);
  });

  it('normalises hashtags to CamelCase', () => {
    expect(toHashtag('slow morning routines')).toBe('#SlowMorningRoutines');
    expect(toHashtag('#café-culture')).toBe('#CafeCulture');
  });
});
