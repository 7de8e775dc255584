import { stemmer } from 'stemmer';

/**
 * The brand's restricted terms, matched deterministically in every form: every pillar (brief, script,
 * captions, hashtags, human edits) runs its text through here, so no model output and no edit can talk
 * its way past the list.
 *
 * Word forms come from the Porter stemmer (`stemmer`, wooorm: ESM, no dependencies, typed, a few kB),
 * plus comparative/superlative/adverb endings Porter leaves alone ("slower", "slowest", "slowly").
 * Before matching, the text is normalised character by character, keeping each character's offset in
 * the original so a hit can name its position: NFKC, case, accents, zero-width characters, Cyrillic and
 * Greek look-alikes of Latin letters, leetspeak digits and symbols. Spaced or dotted single letters
 * ("s.l.o.w", "s l o w"), words split in two ("sl ow") and stretched letters ("slooow") are joined.
 */

/** Which normalisation a hit needed: the strongest one is reported. */
export type RestrictedRule = 'exact' | 'word_form' | 'unicode' | 'obfuscation';

export interface RestrictedHit {
  /** The restricted term as the brand listed it. */
  term: string;
  /** The text as written (the original characters, from `index` for `length`). */
  form: string;
  index: number;
  length: number;
  rule: RestrictedRule;
}

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
  '|': 'l',
};

/** Cyrillic and Greek letters that look like Latin ones (lower case; text is lower-cased first). */
const HOMOGLYPHS: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ɡ: 'g',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  ϲ: 'c',
};

/** Invisible characters (soft hyphen, joiners, direction marks, variation selectors, BOM), as code-point ranges. */
const ZERO_WIDTH_RANGES: [number, number][] = [
  [0xad, 0xad],
  [0x34f, 0x34f],
  [0x61c, 0x61c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];
const isZeroWidth = (ch: string) => {
  const cp = ch.codePointAt(0) ?? 0;
  return ZERO_WIDTH_RANGES.some(([a, b]) => cp >= a && cp <= b);
};

interface NormChar {
  c: string;
  /** Offset of the original character this came from. */
  at: number;
  /** Length of that original character (surrogate pairs are 2). */
  len: number;
  flag?: 'unicode' | 'obfuscation';
}

/** The text normalised one original character at a time, each output character pointing back to its source. */
function normaliseChars(text: string): NormChar[] {
  const out: NormChar[] = [];
  let at = 0;
  for (const ch of text) {
    const len = ch.length;
    const code = ch.charCodeAt(0);
    // Plain ASCII needs no Unicode folding: the common case, kept fast for long texts.
    if (code < 0x80) {
      out.push({ c: code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : ch, at, len });
      at += len;
      continue;
    }
    if (isZeroWidth(ch)) {
      // Hidden characters inside a word are an evasion: the letter before them carries the mark.
      const prev = out[out.length - 1];
      if (prev && !prev.flag) prev.flag = 'unicode';
      at += len;
      continue;
    }
    const folded = ch.normalize('NFKC').toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '');
    for (const f of folded) {
      const homo = HOMOGLYPHS[f];
      if (homo) out.push({ c: homo, at, len, flag: 'unicode' });
      else out.push({ c: f, at, len, flag: f === ch || f === ch.toLowerCase() ? undefined : 'unicode' });
    }
    at += len;
  }
  // Leetspeak only inside or in front of a word ("sl0w", "$low"): "wow!" and "10 minutes" stay as written.
  const isLetter = (i: number) => {
    const c = out[i]?.c ?? '';
    return c !== '' && !/\d/.test(c) && isWordChar(c);
  };
  for (let i = 0; i < out.length; i++) {
    const nc = out[i] as NormChar;
    const leet = LEET[nc.c];
    if (!leet) continue;
    const nextIsLetter = isLetter(i + 1) || (LEET[out[i + 1]?.c ?? ''] !== undefined && isLetter(i + 2));
    if (nextIsLetter || (/\d/.test(nc.c) && isLetter(i - 1)))
      out[i] = { ...nc, c: leet, flag: 'obfuscation' };
  }
  return out;
}

interface Token {
  text: string;
  start: number;
  end: number;
  flag?: 'unicode' | 'obfuscation';
}

const isWordChar = (c: string) => {
  const code = c.charCodeAt(0);
  if (code < 0x80)
    return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
  return /[\p{L}\p{N}]/u.test(c);
};

/** Any character outside ASCII (surrogate halves included). */
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * The same tokens as the general path for plain ASCII text, without an object per character: long
 * captions and voiceovers are checked many times while they are cut to size.
 */
function tokenizeAscii(text: string): Token[] {
  const lower = text.toLowerCase();
  const tokens: Token[] = [];
  const isAlpha = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';
  for (const m of lower.matchAll(/[a-z0-9@$!|]+/g)) {
    const run = m[0];
    let cur = '';
    let start = -1;
    let flag: Token['flag'];
    const flush = (end: number) => {
      if (cur)
        tokens.push({ text: cur, start: (m.index as number) + start, end: (m.index as number) + end, flag });
      cur = '';
      start = -1;
      flag = undefined;
    };
    for (let i = 0; i < run.length; i++) {
      const c = run[i] as string;
      const leet = LEET[c];
      let out: string | undefined = isAlpha(c) || (c >= '0' && c <= '9') ? c : undefined;
      if (leet) {
        const next = run[i + 1];
        const nextIsLetter =
          isAlpha(next) || (next !== undefined && LEET[next] !== undefined && isAlpha(run[i + 2]));
        const prevIsLetter = isAlpha(run[i - 1]) || (cur !== '' && isAlpha(cur[cur.length - 1]));
        if (nextIsLetter || (c >= '0' && c <= '9' && prevIsLetter)) {
          out = leet;
          flag = 'obfuscation';
        }
      }
      if (out === undefined) {
        flush(i);
        continue;
      }
      if (start < 0) start = i;
      cur += out;
    }
    flush(run.length);
  }
  return joinSpelledOut(tokens);
}

/** Letter/digit runs of the normalised text, with their span in the original. */
function tokenize(text: string): Token[] {
  if (!NON_ASCII.test(text)) return tokenizeAscii(text);
  const chars = normaliseChars(text);
  const tokens: Token[] = [];
  let cur: NormChar[] = [];
  const flush = () => {
    if (!cur.length) return;
    const first = cur[0] as NormChar;
    const last = cur[cur.length - 1] as NormChar;
    const flag = cur.some((c) => c.flag === 'obfuscation')
      ? 'obfuscation'
      : cur.some((c) => c.flag === 'unicode')
        ? 'unicode'
        : undefined;
    tokens.push({ text: cur.map((c) => c.c).join(''), start: first.at, end: last.at + last.len, flag });
    cur = [];
  };
  for (const nc of chars) {
    if (isWordChar(nc.c)) cur.push(nc);
    else flush();
  }
  flush();
  return joinSpelledOut(tokens);
}

/** Three or more single letters in a row ("s l o w", "s.l.o.w", "s-l-o-w") are one spelled-out word. */
function joinSpelledOut(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; ) {
    let j = i;
    while (j < tokens.length && (tokens[j] as Token).text.length === 1) j++;
    if (j - i >= 3) {
      const run = tokens.slice(i, j);
      out.push({
        text: run.map((t) => t.text).join(''),
        start: (run[0] as Token).start,
        end: (run[run.length - 1] as Token).end,
        flag: 'obfuscation',
      });
      i = j;
    } else {
      out.push(tokens[i] as Token);
      i++;
    }
  }
  return out;
}

/** Common words whose -er/-est/-ly ending is not a degree of a shorter word ("number" is not "numb" + er). */
const NOT_DEGREES = new Set(
  'after butter corner counter differ either ever finger flower hammer however lower never number order other over paper power ready river shower silver sister summer tower under water whether winter answer member master monster matter letter better bitter center enter offer other rather together honest forest interest earnest modest harvest family early only reply apply supply'.split(
    ' ',
  ),
);

/** The adjective a comparative, superlative or -ly adverb comes from ("slower" → "slow", "easily" → "easy"). */
function baseOfDegree(w: string): string | undefined {
  if (w.length < 5 || NOT_DEGREES.has(w)) return undefined;
  const m = /^(.+?)(ier|iest|ily|er|est|ly)$/.exec(w);
  if (!m) return undefined;
  let base = m[1] as string;
  const suffix = m[2] as string;
  if (suffix.startsWith('i')) base = `${base}y`;
  else if (/([bdgmnprt])\1$/.test(base)) base = base.slice(0, -1); // bigger → big
  return base.length >= 3 ? base : undefined;
}

/** Runs of three or more identical letters collapsed to one and to two ("slooow" → slow, "coffffee" → coffee). */
function stretchedVariants(w: string): string[] {
  if (!/(\p{L})\1\1/u.test(w)) return [];
  return [w.replace(/(\p{L})\1{2,}/gu, '$1'), w.replace(/(\p{L})\1{2,}/gu, '$1$1')];
}

const keyOf = (w: string) => (/^\p{L}+$/u.test(w) && w.length > 2 ? stemmer(w) : w);

const keyCache = new Map<string, { key: string; stretched: boolean }[]>();

/** Every dictionary key a written word may stand for, and whether it took de-stretching to get there. */
function keysOf(w: string): { key: string; stretched: boolean }[] {
  const cached = keyCache.get(w);
  if (cached) return cached;
  if (keyCache.size > 20_000) keyCache.clear();
  const keys = computeKeys(w);
  keyCache.set(w, keys);
  return keys;
}

function computeKeys(w: string): { key: string; stretched: boolean }[] {
  const keys: { key: string; stretched: boolean }[] = [];
  const add = (x: string, stretched: boolean) => {
    keys.push({ key: x, stretched }, { key: keyOf(x), stretched });
    const base = baseOfDegree(x);
    if (base) keys.push({ key: base, stretched }, { key: keyOf(base), stretched });
  };
  add(w, false);
  for (const v of stretchedVariants(w)) add(v, true);
  return keys;
}

interface CompiledTerm {
  term: string;
  words: string[];
  keys: string[];
}

const compiled = new Map<string, CompiledTerm>();
function compile(term: string): CompiledTerm | undefined {
  const cached = compiled.get(term);
  if (cached) return cached;
  const words = tokenize(term).map((t) => t.text);
  if (!words.length) return undefined;
  const c = { term, words, keys: words.map(keyOf) };
  if (compiled.size > 5000) compiled.clear();
  compiled.set(term, c);
  return c;
}

/** How a written token matches one word of a term, or undefined. */
function wordMatch(tok: Token, word: string, key: string): RestrictedRule | undefined {
  // Obfuscations of words under 4 letters are what ids and codes look like ("44ab" is not "abs").
  const short = word.length < 4;
  if (tok.text === word) return short && tok.flag === 'obfuscation' ? undefined : (tok.flag ?? 'exact');
  // Very short words (≤ 2 letters) are matched exactly only: stems of "us" or "go" would match too much.
  if (word.length <= 2) return undefined;
  const hit = keysOf(tok.text).find((k) => k.key === word || k.key === key);
  if (!hit || (short && (hit.stretched || tok.flag === 'obfuscation'))) return undefined;
  return hit.stretched ? 'obfuscation' : (tok.flag ?? 'word_form');
}

const STRENGTH: Record<RestrictedRule, number> = { exact: 0, word_form: 1, unicode: 2, obfuscation: 3 };
const strongest = (rules: RestrictedRule[]): RestrictedRule =>
  rules.reduce((a, b) => (STRENGTH[b] > STRENGTH[a] ? b : a), 'exact' as RestrictedRule);

/**
 * Every restricted-term hit in a text, in order of position. Phrases match across punctuation and line
 * breaks ("energy.\ndrink"); a single-word term also matches when written in two pieces ("sl ow").
 */
export function scanRestricted(text: string, terms: readonly string[]): RestrictedHit[] {
  if (!terms.length || !text) return [];
  const toks = tokenize(text);
  const hits: RestrictedHit[] = [];
  const hitAt = (term: string, from: Token, to: Token, rule: RestrictedRule) =>
    hits.push({
      term,
      form: text.slice(from.start, to.end),
      index: from.start,
      length: to.end - from.start,
      rule,
    });
  for (const term of terms) {
    const c = compile(term);
    if (!c) continue;
    for (let i = 0; i < toks.length; i++) {
      const rules: RestrictedRule[] = [];
      let ok = true;
      for (let k = 0; k < c.words.length && ok; k++) {
        const tok = toks[i + k];
        const r = tok ? wordMatch(tok, c.words[k] as string, c.keys[k] as string) : undefined;
        if (r) rules.push(r);
        else ok = false;
      }
      if (ok) {
        hitAt(term, toks[i] as Token, toks[i + c.words.length - 1] as Token, strongest(rules));
        continue;
      }
      // A one-word term of 4+ letters split across 2–3 adjacent tokens ("sl ow", "ca ffeine").
      const word = c.words[0] as string;
      if (c.words.length !== 1 || word.length < 4) continue;
      let acc = '';
      for (let j = i; j < Math.min(toks.length, i + 3); j++) {
        // Pieces of one letter are possessives and articles ("it's low" is not "slow").
        if ((toks[j] as Token).text.length < 2) break;
        acc += (toks[j] as Token).text;
        if (j > i && (acc === word || keysOf(acc).some((k) => k.key === c.keys[0]))) {
          hitAt(term, toks[i] as Token, toks[j] as Token, 'obfuscation');
          break;
        }
        if (!word.startsWith(acc.slice(0, word.length))) break;
      }
    }
  }
  return hits.sort((a, b) => a.index - b.index || a.term.localeCompare(b.term));
}

/** The restricted terms found in a text (each once). */
export function findRestrictedTerms(text: string, terms: readonly string[]): string[] {
  return [...new Set(scanRestricted(text, terms).map((h) => h.term))];
}

/**
 * Normalises text for loose comparisons: the same character folding as the matcher, every run of
 * non-letters one space, spelled-out letters joined.
 */
export function normaliseForMatching(text: string): string {
  return tokenize(text)
    .map((t) => t.text)
    .join(' ');
}

/** A sentence of a text with its span; the trailing space stays with the sentence before it. */
export interface Sentence {
  text: string;
  start: number;
  end: number;
}

/**
 * Sentences split where ., ! or ? (and any closing quote or bracket) is followed by white space or the
 * end, and at line breaks: "owner@example.com" and "3.5" stay inside their sentence.
 */
export function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  const re = /[.!?]+["'”’)\]]*(?=\s|$)|\n+/g;
  let start = 0;
  const push = (end: number) => {
    const piece = text.slice(start, end);
    if (piece.trim()) out.push({ text: piece, start, end });
    start = end;
  };
  for (let m = re.exec(text); m; m = re.exec(text)) push(m.index + m[0].length);
  push(text.length);
  return out;
}

export interface RewriteResult {
  text: string;
  hits: RestrictedHit[];
  /** The sentences taken out whole. */
  removed: string[];
  /** True when nothing clean was left and the fallback line stands in. */
  usedFallback: boolean;
}

/**
 * Takes every sentence with a restricted term out whole: cutting only the word leaves fragments
 * ("brewed, because rushing is overrated."). When no clean sentence is left, the caller's fallback
 * stands in (itself checked; an unclean fallback leaves the text empty so the hard gate fails it).
 */
export function rewriteRestricted(text: string, terms: readonly string[], fallback = ''): RewriteResult {
  const hits = scanRestricted(text, terms);
  if (!hits.length) return { text, hits, removed: [], usedFallback: false };
  const sentences = splitSentences(text);
  const dirty = (s: Sentence) => hits.some((h) => h.index < s.end && h.index + h.length > s.start);
  const kept = sentences.filter((s) => !dirty(s));
  const removed = sentences.filter(dirty).map((s) => s.text.trim());
  const joined = kept
    .map((s) => s.text.trim())
    .join(' ')
    .trim();
  if (joined) return { text: joined, hits, removed, usedFallback: false };
  const safeFallback = scanRestricted(fallback, terms).length ? '' : fallback.trim();
  return { text: safeFallback, hits, removed, usedFallback: true };
}

/** Sentence-level rewrite, text only (see rewriteRestricted). */
export function scrubRestricted(text: string, terms: readonly string[], fallback = ''): string {
  return rewriteRestricted(text, terms, fallback).text;
}

/** A hit in words for logs, errors and reviewers: `"slow" as "sl0wer" (obfuscation) at 14`. */
export const describeHit = (h: RestrictedHit): string =>
  `"${h.term}" as "${h.form}" (${h.rule}) at ${h.index}`;
