import type { CopyEdits } from '../contracts/index.js';
import type { FieldIssue } from '../errors.js';
import { describeHit, normaliseForMatching, type RestrictedHit, scanRestricted } from './restricted-terms.js';

/** "#SlowMornings" → "Slow Mornings": the words of a hashtag, for the same check as a caption. */
export const hashtagText = (tag: string): string =>
  tag
    .replace(/^#/, '')
    .replace(/_/g, ' ')
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{L})(\p{N})/gu, '$1 $2');

/**
 * Restricted-term hits of one hashtag: its words (camel case split), and for terms of 4+ letters its
 * squashed letters too ("#slowmornings" hides "slow" with no case to split on).
 */
export function scanHashtag(tag: string, terms: readonly string[]): RestrictedHit[] {
  const hits = scanRestricted(hashtagText(tag), terms);
  if (hits.length) return hits.map((h) => ({ ...h, form: tag, index: 0, length: tag.length }));
  const letters = normaliseForMatching(tag).replace(/ /g, '');
  return terms
    .filter((t) => {
      const squashed = normaliseForMatching(t).replace(/ /g, '');
      return squashed.length >= 4 && letters.includes(squashed);
    })
    .map((term) => ({ term, form: tag, index: 0, length: tag.length, rule: 'obfuscation' as const }));
}

/**
 * A reviewer's captions and hashtags go through the same check as generated copy: each restricted term
 * found is a field-level issue naming the term, the form written, the rule and the position.
 */
export function checkCopyEdits(edits: CopyEdits, terms: readonly string[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [platform, edit] of Object.entries(edits)) {
    for (const h of scanRestricted(edit.caption ?? '', terms))
      issues.push({ path: `edits.${platform}.caption`, message: `restricted term ${describeHit(h)}` });
    (edit.hashtags ?? []).forEach((tag, i) => {
      for (const h of scanHashtag(tag, terms))
        issues.push({
          path: `edits.${platform}.hashtags.${i}`,
          message: `restricted term "${h.term}" in ${tag} (${h.rule})`,
        });
    });
  }
  return issues;
}
