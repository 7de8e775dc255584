import { describe, expect, it } from 'vitest';
import {
  describeHit,
  findRestrictedTerms,
  rewriteRestricted,
  scanRestricted,
} from '../../../lambdas/shared/brand-safety/restricted-terms.js';

const terms = ['slow', 'cheap', 'energy drink', 'caffeine crash', 'easy'];
const hit = (text: string) => scanRestricted(text, terms).map((h) => [h.term, h.form, h.rule]);

describe('restricted terms in every form', () => {
  it('catches word forms the stemmer and the degree endings give: slower, slowest, slowly, slowing', () => {
    expect(hit('It gets slower.')).toEqual([['slow', 'slower', 'word_form']]);
    expect(hit('the slowest one')).toEqual([['slow', 'slowest', 'word_form']]);
    expect(hit('Slowly does it')).toEqual([['slow', 'Slowly', 'word_form']]);
    expect(hit('slowing down')).toEqual([['slow', 'slowing', 'word_form']]);
    expect(hit('easier, easiest, easily').map((h) => h[1])).toEqual(['easier', 'easiest', 'easily']);
    expect(hit('no caffeine crashes')).toEqual([['caffeine crash', 'caffeine crashes', 'word_form']]);
  });

  it('matches phrases across punctuation and line breaks', () => {
    expect(hit('Not an energy.\ndrink')).toEqual([['energy drink', 'energy.\ndrink', 'exact']]);
    expect(hit('ENERGY-DRINK')).toEqual([['energy drink', 'ENERGY-DRINK', 'exact']]);
  });

  it('sees through case, NFKC, Cyrillic and Greek look-alikes and zero-width characters', () => {
    expect(hit('SLOW')).toEqual([['slow', 'SLOW', 'exact']]);
    expect(hit('ｓｌｏｗ')).toEqual([['slow', 'ｓｌｏｗ', 'unicode']]);
    expect(hit('\u0455low')).toEqual([['slow', '\u0455low', 'unicode']]); // Cyrillic dze
    expect(hit('ch\u03b5ap')).toEqual([['cheap', 'ch\u03b5ap', 'unicode']]); // Greek epsilon
    expect(hit('s\u200blow')).toEqual([['slow', 's\u200blow', 'unicode']]);
    expect(hit('sl\u00f3w')).toEqual([['slow', 'sl\u00f3w', 'unicode']]);
  });

  it('sees through spelled-out, dotted, leetspeak, split and stretched obfuscations', () => {
    for (const form of ['s.l.o.w', 's l o w', 's-l-o-w', 'sl0w', '$low', 'sl ow', 'slooooow'])
      expect(hit(`so ${form} today`), form).toEqual([['slow', form, 'obfuscation']]);
    expect(hit('ch3ap thrills')).toEqual([['cheap', 'ch3ap', 'obfuscation']]);
  });

  it('reports where each hit is, in the original text', () => {
    const text = 'Brewed for you. Sl0wer than most.';
    const [h] = scanRestricted(text, terms);
    expect(h && text.slice(h.index, h.index + h.length)).toBe('Sl0wer');
    expect(h && describeHit(h)).toBe('"slow" as "Sl0wer" (obfuscation) at 16');
  });

  it('leaves innocent words alone: low, flower, classic, possessives and numbers', () => {
    expect(
      findRestrictedTerms("it's low cost, a flower, a classic, 10 minutes, wow!", [...terms, 'ass']),
    ).toEqual([]);
    expect(findRestrictedTerms('a number of powers', ['numb', 'pow'])).toEqual([]);
  });
});

describe('rewriting a sentence with a restricted term', () => {
  it('takes the whole sentence out, never leaving a fragment', () => {
    const r = rewriteRestricted(
      'We take our time. Slow brewed, because rushing is overrated. Try it today.',
      terms,
    );
    expect(r.text).toBe('We take our time. Try it today.');
    expect(r.removed).toEqual(['Slow brewed, because rushing is overrated.']);
    expect(r.text).not.toContain('brewed, because');
    expect(r.hits.map((h) => h.term)).toEqual(['slow']);
  });

  it('stands in the fallback when nothing clean is left, and refuses an unclean fallback', () => {
    expect(rewriteRestricted('Slow and steady.', terms, 'Built to last.').text).toBe('Built to last.');
    const r = rewriteRestricted('Slow and steady.', terms, 'Cheap and cheerful.');
    expect(r.text).toBe('');
    expect(r.usedFallback).toBe(true);
  });

  it('leaves clean text exactly as it was', () => {
    const text = 'Nothing to see here!  Really.';
    expect(rewriteRestricted(text, terms)).toEqual({ text, hits: [], removed: [], usedFallback: false });
  });
});

describe('short terms', () => {
  it('are not found in ids and codes by leetspeak or stretching ("44ab" is not "abs")', () => {
    expect(findRestrictedTerms('c1231bab-9e15-44ab-8580-79307be1371e aaabs', ['abs'])).toEqual([]);
    expect(findRestrictedTerms('Tone your ABS.', ['abs'])).toEqual(['abs']);
  });
});
