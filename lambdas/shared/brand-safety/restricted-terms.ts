/**
 * The brand's restricted terms, matched deterministically: every pillar (brief, script, captions,
 * hashtags) runs its text through here, so no model output can talk its way past the list.
 */
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
};

/**
 * Normalises text so evasions match: leetspeak digits and symbols become letters, accents are dropped,
 * and every run of non-letters becomes one space. Single letters separated by spaces or punctuation
 * ("c-h-e-a-p", "c h e a p") are joined back into a word.
 */
export function normaliseForMatching(text: string): string {
  const mapped = [
    ...text
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, ''),
  ]
    .map((c) => LEET[c] ?? c)
    .join('')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return mapped.replace(/\b(?:\p{L} ){2,}\p{L}\b/gu, (m) => m.replace(/ /g, ''));
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Restricted terms found in a text: whole words or phrases, case-insensitive, with plural and
 * possessive endings, after evasion-normalisation. "classic" never matches "ass": matching is on
 * word boundaries of the normalised text.
 */
export function findRestrictedTerms(text: string, terms: string[]): string[] {
  const hay = ` ${normaliseForMatching(text)} `;
  const squashed = ` ${hay.replace(/ /g, '')} `;
  const found: string[] = [];
  for (const term of terms) {
    const t = normaliseForMatching(term);
    if (!t) continue;
    const re = new RegExp(` ${t.split(' ').map(escapeRe).join(' ')}(?:s|es|s s| s)? `, 'u');
    // Spaced-out single words ("che ap") are caught on the squashed text, only for terms of 4+ letters.
    const squashedHit =
      !t.includes(' ') &&
      t.length >= 4 &&
      new RegExp(`(?:^| )${escapeRe(t)}`).test(squashed) &&
      hay.includes(` ${t.slice(0, 2)}`) &&
      !hay.includes(` ${t} `) &&
      hasSplitForm(hay, t);
    if (re.test(hay) || squashedHit) found.push(term);
  }
  return [...new Set(found)];
}

/** True when the term appears split across adjacent words ("che ap", "ca ffeine"). */
function hasSplitForm(hay: string, term: string): boolean {
  const words = hay.trim().split(' ');
  for (let i = 0; i < words.length; i++) {
    let acc = '';
    for (let j = i; j < Math.min(words.length, i + 4); j++) {
      acc += words[j];
      if (acc === term && j > i) return true;
      if (!term.startsWith(acc)) break;
    }
  }
  return false;
}

/** Replaces restricted phrasing before the hard check (the check stays the gate). */
export function scrubRestricted(text: string, terms: string[], replacement = ''): string {
  let out = text;
  for (const term of findRestrictedTerms(text, terms)) {
    out = out
      .replace(new RegExp(`\\b${escapeRe(term)}(?:s|es|'s)?\\b`, 'gi'), replacement)
      .replace(/\s{2,}/g, ' ');
  }
  return out.trim();
}
