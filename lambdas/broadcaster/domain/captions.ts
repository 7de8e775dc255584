import { findRestrictedTerms, normaliseForMatching } from '../../shared/brand-safety/restricted-terms.js';
import type { Platform, VariantType } from '../../shared/contracts/index.js';
import { RestrictedTermError } from '../../shared/errors.js';
import { type LengthUnit, measure, PLATFORM_SPECS, type PlatformSpec, type ToneStyle } from './platforms.js';

/** Restricted terms found in a text (empty when clean). */
export type RestrictedCheck = (text: string) => string[];

export interface CopyScript {
  hook: { text: string };
  voiceover_full_text?: string;
  /** Used when `voiceover_full_text` is absent. */
  scenes?: ReadonlyArray<{ voiceover_text: string }>;
  variant_tag: VariantType;
}

export interface CopyBrand {
  name: string;
  hashtags: readonly string[];
  voice_tone?: string;
  restricted_keywords: readonly string[];
}

export interface PlatformCopyRequest {
  platform: Platform;
  script: CopyScript;
  brand: CopyBrand;
  trendingTopics: readonly string[];
  callToAction: string;
  /** A reviewer's rejection feedback; it must visibly change the copy. */
  feedback?: string;
  /**
   * Extra restricted-term checker (the caller's policy). The brand's own `restricted_keywords` are always
   * checked too, with the shared evasion-aware matcher.
   */
  restrictedCheck?: RestrictedCheck;
}

export interface PlatformCopy {
  caption: string;
  hashtags: string[];
  title?: string;
}

/** What a reviewer's free-text feedback asks for, as far as deterministic rules can tell. */
export interface FeedbackDirectives {
  tone?: 'formal' | 'casual';
  length?: 'shorter' | 'longer';
  hashtags?: 'fewer' | 'none';
  noExclamation: boolean;
  /** Things to add ("mention the launch date" → "the launch date"). */
  mentions: string[];
  /** Words or phrases to keep out ("avoid the word 'hype'" → "hype"). */
  avoid: string[];
  /** Nothing above was recognised: the copy is rephrased so the change is still visible. */
  rephrase: boolean;
}

const MIN_TEXT_ROOM = 120;
const MIN_TRUNCATED_SENTENCE = 40;
const MAX_TAG_LETTERS = 30;
const MAX_TAG_WORDS = 4;
const STOP_WORDS = new Set([
  'a',
  'an',
  'and',
  'are',
  'at',
  'for',
  'in',
  'is',
  'of',
  'on',
  'or',
  'the',
  'to',
  'with',
  'your',
  'our',
]);

// ---------------------------------------------------------------------------------------------------
// Feedback

const LESS_FORMAL = /\bless\s+(?:formal|stiff|corporate|serious|professional)\b/i;
const LESS_CASUAL = /\bless\s+(?:casual|informal|slangy|playful)\b/i;
const FORMAL = /\b(?:formal|professional|serious|corporate|polished|businesslike)\b/i;
const CASUAL = /\b(?:casual|fun|funnier|playful|relaxed|informal|friendl(?:y|ier)|lighter|punchier)\b/i;
const LONGER = /\b(?:longer|more\s+detail(?:s|ed)?|expand|elaborate|too\s+short)\b/i;
const SHORTER =
  /\b(?:short(?:er)?|concise|brief(?:er)?|too\s+long|trim|tighter|cut\s+it\s+down|fewer\s+words)\b/i;
const NO_TAGS = /\b(?:no|without|(?:remove|drop)(?:\s+(?:the|all))?)\s+hashtags?\b/i;
const FEWER_TAGS = /\b(?:fewer|less|too\s+many)\s+hashtags?\b/i;
const NO_EXCLAIM = /\bexclamation/i;
const AVOID =
  /\b(?:remove|avoid|drop|stop\s+saying|no\s+more|don['’]?t\s+(?:say|use|mention)|do\s+not\s+(?:say|use|mention))\s+(?:the\s+)?(?:words?\s+|terms?\s+|phrases?\s+)?["“'‘]?([^"”'’.,;!?\n]+?)["”'’]?(?=[.,;!?\n]|\s+and\s|$)/gi;
const MENTION =
  /\b(?:mention|highlight|reference|call\s+out|include|talk\s+about)\s+(.+?)(?=[.;!?\n]|,\s|\s+and\s+(?:make|use|keep|be|remove|avoid|drop|add|mention|include)\b|$)/gi;

/** Rules, not a model: the same feedback always yields the same directives. */
export function parseFeedback(feedback: string | undefined): FeedbackDirectives {
  const text = (feedback ?? '').trim();
  const d: FeedbackDirectives = { mentions: [], avoid: [], noExclamation: false, rephrase: false };
  if (!text) return d;
  if (LESS_FORMAL.test(text)) d.tone = 'casual';
  else if (LESS_CASUAL.test(text) || FORMAL.test(text)) d.tone = 'formal';
  else if (CASUAL.test(text)) d.tone = 'casual';
  if (LONGER.test(text)) d.length = 'longer';
  else if (SHORTER.test(text)) d.length = 'shorter';
  if (NO_TAGS.test(text)) d.hashtags = 'none';
  else if (FEWER_TAGS.test(text)) d.hashtags = 'fewer';
  d.noExclamation = NO_EXCLAIM.test(text);
  let rest = text;
  for (const m of text.matchAll(AVOID)) {
    const phrase = (m[1] ?? '').trim();
    rest = rest.replace(m[0], ' ');
    if (phrase && !/hashtag|exclamation|emoji/i.test(phrase)) d.avoid.push(phrase);
  }
  for (const m of rest.matchAll(MENTION)) {
    const phrase = (m[1] ?? '').trim().replace(/\s+/g, ' ');
    if (!phrase || /^(?:more|less|fewer|some|a\s+few)\b|hashtag|emoji|detail/i.test(phrase)) continue;
    d.mentions.push(phrase);
  }
  d.rephrase =
    !d.tone && !d.length && !d.hashtags && !d.noExclamation && !d.mentions.length && !d.avoid.length;
  return d;
}

// ---------------------------------------------------------------------------------------------------
// Hashtags

/** Splits `#EnergyDrinkWars` / `energy_drink` into words, so the matcher sees "Energy Drink Wars". */
export function hashtagWords(tag: string): string {
  return tag
    .replace(/^#/, '')
    .replace(/_/g, ' ')
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .replace(/(\p{L})(\p{N})/gu, '$1 $2')
    .replace(/(\p{N})(\p{L})/gu, '$1 $2')
    .trim();
}

/**
 * `#CamelCase` from a brand hashtag or a free-text topic: accents dropped, letters/digits/underscores
 * kept, every word capitalised (internal capitals kept: "#lumenCoffee" → "#LumenCoffee"). Stop words are
 * dropped from multi-word topics; undefined when nothing usable is left, when it would be digits only, or
 * when the topic is too long to be a tag.
 */
export function toHashtag(text: string): string | undefined {
  const words = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/^#+/, '')
    .split(/[^\p{L}\p{N}_]+/u)
    .filter(Boolean);
  const meaningful = words.length > 1 ? words.filter((w) => !STOP_WORDS.has(w.toLowerCase())) : words;
  if (!meaningful.length || meaningful.length > MAX_TAG_WORDS) return undefined;
  const tag = meaningful.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  if (!/\p{L}/u.test(tag) || tag.length < 2 || tag.length > MAX_TAG_LETTERS) return undefined;
  return `#${tag}`;
}

const tagKey = (tag: string) => tag.toLowerCase();

function selectHashtags(
  brandTags: readonly string[],
  brandName: string,
  topics: readonly string[],
  cap: number,
  isClean: (tag: string) => boolean,
): string[] {
  if (cap <= 0) return [];
  const seen = new Set<string>();
  const normalise = (list: readonly string[]) => {
    const out: string[] = [];
    for (const raw of list) {
      const tag = toHashtag(raw);
      if (!tag || seen.has(tagKey(tag)) || !isClean(tag)) continue;
      seen.add(tagKey(tag));
      out.push(tag);
    }
    return out;
  };
  const brand = normalise(brandTags.length ? brandTags : [brandName]);
  const topical = normalise(topics);
  // Brand tags first, but topics keep up to half of the slots when there are any.
  const topicSlots = Math.min(topical.length, Math.floor(cap / 2));
  const brandPart = brand.slice(0, cap - topicSlots);
  return [...brandPart, ...topical.slice(0, cap - brandPart.length)];
}

// ---------------------------------------------------------------------------------------------------
// Text helpers

/** Shortens to `max` (in the platform's unit) on a word boundary, ending with an ellipsis. */
export function truncateWords(text: string, max: number, unit: LengthUnit = 'utf16'): string {
  if (measure(text, unit) <= max) return text;
  const ellipsis = '…';
  const chars = Array.from(text);
  // The longest prefix (in code points, never splitting a surrogate pair) that fits with the ellipsis.
  const fits = (n: number) => measure(chars.slice(0, n).join('') + ellipsis, unit) <= max;
  let lo = 0;
  let hi = Math.min(chars.length, Math.max(0, max));
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  const end = lo;
  const hard = chars.slice(0, end).join('');
  // Cut inside a word: go back to the previous space (unless that loses more than half the text).
  const midWord = /\S/u.test(chars[end] ?? ' ') && /\S$/u.test(hard);
  const atSpace = midWord ? hard.replace(/\s+\S*$/u, '') : hard;
  const cut = (atSpace.length >= hard.length * 0.5 ? atSpace : hard).replace(/[\s,.;:!?\-–—]+$/u, '');
  return cut ? `${cut}${ellipsis}` : measure(ellipsis, unit) <= max ? ellipsis : '';
}

function splitSentences(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?…])\s+(?=[\p{Lu}\p{N}"“'‘(])/u)
    .map((s) => s.trim())
    .filter(Boolean);
}

const APOSTROPHE = "['’]";
const rule = (pattern: string, replacement: string, flags = 'gi'): [RegExp, string] => [
  new RegExp(pattern.replaceAll("'", APOSTROPHE), flags),
  replacement,
];
const CONTRACT: [RegExp, string][] = [
  rule('\\bdo not\\b', "don't"),
  rule('\\bdoes not\\b', "doesn't"),
  rule('\\bcannot\\b', "can't"),
  rule('\\bwill not\\b', "won't"),
  rule('\\bit is\\b', "it's"),
  rule('\\bthat is\\b', "that's"),
  rule('\\byou are\\b', "you're"),
  rule('\\bwe are\\b', "we're"),
];
const EXPAND: [RegExp, string][] = [
  rule("\\bcan't\\b", 'cannot'),
  rule("\\bwon't\\b", 'will not'),
  rule("\\b(\\w+)n't\\b", '$1 not'),
  rule("\\bit's\\b", 'it is'),
  rule("\\bthat's\\b", 'that is'),
  rule("\\byou're\\b", 'you are'),
  rule("\\bwe're\\b", 'we are'),
  rule("\\bthey're\\b", 'they are'),
  rule("\\blet's\\b", 'let us'),
  rule("\\bI'm\\b", 'I am', 'g'),
  rule("\\b(\\w+)'ll\\b", '$1 will'),
  rule("\\b(\\w+)'ve\\b", '$1 have'),
  rule("\\b(\\w+)'re\\b", '$1 are'),
];

/** Replaces keeping a leading capital ("Do not" → "Don't", "Don't" → "Do not"). */
const keepCase =
  (replacement: string) =>
  (match: string, ...groups: unknown[]): string => {
    const first = typeof groups[0] === 'string' ? groups[0] : '';
    const out = replacement.replace('$1', first);
    return /^\p{Lu}/u.test(match) ? out.charAt(0).toUpperCase() + out.slice(1) : out;
  };

const apply = (text: string, rules: [RegExp, string][]) =>
  rules.reduce((t, [re, rep]) => t.replace(re, keepCase(rep)), text);

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const lowerFirst = (s: string) => (/^\p{Lu}\p{Ll}/u.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);
const endWith = (s: string, mark: '.' | '!') => `${s.replace(/[\s.!?…,;:]+$/u, '')}${mark}`;
const ensureEnd = (s: string) => (/[.!?…]$/u.test(s) ? s : `${s}.`);

interface Voice {
  style: ToneStyle;
  exclaim: boolean;
}

function inVoice(text: string, voice: Voice): string {
  let t = text.replace(/\s+/g, ' ').trim();
  if (voice.style === 'professional') {
    t = apply(t, EXPAND)
      .replace(/\p{Extended_Pictographic}\uFE0F?/gu, '')
      .replace(/\s{2,}/g, ' ');
  } else if (voice.style === 'casual') {
    t = apply(t, CONTRACT);
  }
  t = voice.exclaim ? t.replace(/!{2,}/g, '!') : t.replace(/!+/g, '.').replace(/\?\./g, '?');
  return t.trim();
}

function mentionSentence(phrase: string, style: ToneStyle): string {
  const quoted = /["“‘']([^"”’']+)["”’']/.exec(phrase)?.[1];
  if (quoted) return ensureEnd(capitalise(quoted.trim()));
  const clause = /^that\s+(.+)$/i.exec(phrase)?.[1];
  if (clause) return ensureEnd(capitalise(clause));
  switch (style) {
    case 'casual':
      return `Don't miss ${phrase}!`;
    case 'warm':
      return `And don't miss ${phrase}.`;
    case 'descriptive':
      return `Also covered: ${phrase}.`;
    case 'professional':
      return `Please note ${phrase}.`;
  }
}

const CTA_LEAD: Record<ToneStyle, string> = {
  casual: 'Your move:',
  warm: 'Come say hello:',
  descriptive: 'Next step:',
  professional: 'Next step:',
};
const CTA_FALLBACK: Record<ToneStyle, string> = {
  casual: 'Check it out',
  warm: 'Come take a look',
  descriptive: 'Learn more',
  professional: 'Learn more',
};
const BODY_SENTENCES: Record<ToneStyle, number> = {
  casual: 2,
  warm: 3,
  descriptive: Number.POSITIVE_INFINITY,
  professional: 3,
};

function styleFor(spec: PlatformSpec, d: FeedbackDirectives): ToneStyle {
  if (d.tone === 'formal') return 'professional';
  if (d.tone === 'casual') return spec.tone.style === 'professional' ? 'warm' : 'casual';
  return spec.tone.style;
}

/** True when the brand's own voice asks for calm punctuation. */
const calmBrand = (voiceTone: string | undefined) =>
  /\b(?:calm|understated|measured|serene|quiet|no exclamation|restrained|minimal)/i.test(voiceTone ?? '');

// ---------------------------------------------------------------------------------------------------
// The writer

/**
 * Caption, hashtags and (YouTube) title for one platform. Deterministic: the same request always gives
 * the same copy.
 *
 * - Tone per platform (TikTok casual, Instagram warm, YouTube descriptive, LinkedIn professional),
 *   adjusted by the variant (serious variants get no "!") and the brand voice (calm voices neither).
 * - Hashtags: brand hashtags (or the brand name) then tags from trending topics, as `#CamelCase`, deduped
 *   case-insensitively, restricted ones dropped, within the platform's count.
 * - Length: the caption fits the platform's limit in its unit WITH the hashtags appended; body sentences
 *   are added while they fit, the last one cut on a word boundary with "…". Hook, feedback mentions and
 *   the call to action always survive.
 * - Feedback: tone, length, hashtags, mentions and words to avoid are applied; feedback that matches no
 *   rule rephrases the copy, and feedback never leaves the copy unchanged.
 * - Restricted terms: every sentence and tag is checked (brand list + `restrictedCheck` + terms the
 *   reviewer asked to avoid) and dropped when it hits; the final text is checked again and a
 *   RestrictedTermError is thrown if anything still matches.
 */
export function writePlatformCopy(req: PlatformCopyRequest): PlatformCopy {
  const directives = parseFeedback(req.feedback);
  const copy = compose(req, directives);
  if (!req.feedback?.trim()) return copy;
  const baseline = compose(req, parseFeedback(undefined));
  if (copy.caption !== baseline.caption || copy.title !== baseline.title) return copy;
  const rephrased = compose(req, { ...directives, rephrase: true });
  if (rephrased.caption !== baseline.caption || rephrased.title !== baseline.title) return rephrased;
  throw new Error(`feedback "${req.feedback}" could not be applied to the ${req.platform} copy`);
}

function compose(req: PlatformCopyRequest, d: FeedbackDirectives): PlatformCopy {
  const spec = PLATFORM_SPECS[req.platform];
  const unit = spec.caption.unit;
  const style = styleFor(spec, d);
  const voice: Voice = {
    style,
    exclaim:
      style === 'casual' &&
      !d.noExclamation &&
      req.script.variant_tag !== 'serious' &&
      !calmBrand(req.brand.voice_tone),
  };

  const terms = [...req.brand.restricted_keywords, ...d.avoid];
  const squashed = terms.map((t) => normaliseForMatching(t).replace(/ /g, '')).filter((t) => t.length >= 4);
  const check: RestrictedCheck = (text) => [
    ...new Set([...findRestrictedTerms(text, terms), ...(req.restrictedCheck?.(text) ?? [])]),
  ];
  const clean = (text: string) => text.length > 0 && check(text).length === 0;
  // A tag is clean when its words, its raw form and (for terms of 4+ letters) its squashed letters are.
  const cleanTag = (tag: string) => {
    const letters = normaliseForMatching(tag).replace(/ /g, '');
    return clean(hashtagWords(tag)) && clean(tag) && !squashed.some((t) => letters.includes(t));
  };
  const strip = (text: string) =>
    spec.caption.forbidden_chars
      .reduce((t, c) => t.split(c).join(''), text)
      .replace(/[ \t]{2,}/g, ' ')
      .trim();
  const prepare = (text: string) => strip(inVoice(text, voice));

  // Pieces, each in the platform's voice and each checked on its own.
  const hook = prepare(req.script.hook.text);
  const voiceover =
    req.script.voiceover_full_text ?? (req.script.scenes ?? []).map((s) => s.voiceover_text).join(' ');
  const seen = new Set([normaliseForMatching(hook)]);
  const body: string[] = [];
  for (const sentence of splitSentences(voiceover).map(prepare)) {
    const key = normaliseForMatching(sentence);
    if (!key || seen.has(key) || !clean(sentence)) continue;
    seen.add(key);
    body.push(sentence);
  }
  const lead = clean(hook) ? hook : body.shift();
  const mentions = d.mentions.map((m) => prepare(mentionSentence(m, style))).filter(clean);
  const mark = voice.exclaim ? '!' : '.';
  const ctaText = clean(prepare(req.callToAction)) ? req.callToAction : CTA_FALLBACK[style];
  let cta = endWith(prepare(d.rephrase ? `${CTA_LEAD[style]} ${lowerFirst(ctaText)}` : ctaText), mark);
  if (!clean(cta)) cta = endWith(CTA_FALLBACK[style], mark);
  const signOff = style === 'warm' ? prepare(`With love, the ${req.brand.name} team.`) : '';
  const closing = [cta, clean(signOff) ? signOff : ''].filter(Boolean).join('\n');

  let maxBody = BODY_SENTENCES[style];
  if (d.length === 'shorter') maxBody = style === 'descriptive' ? 2 : 0;
  if (d.length === 'longer') maxBody = Number.POSITIVE_INFINITY;
  const rotated = d.rephrase && body.length > 1 ? [...body.slice(1), ...body.slice(0, 1)] : body;
  const chosenBody = rotated.slice(0, maxBody);

  // Hashtags, then the room they leave.
  let cap = spec.hashtags.max;
  if (d.length === 'shorter') cap = Math.min(cap, 3);
  if (d.hashtags === 'fewer') cap = Math.min(cap, 2);
  if (d.hashtags === 'none') cap = 0;
  const hashtags = selectHashtags(req.brand.hashtags, req.brand.name, req.trendingTopics, cap, cleanTag);
  const sep = '\n\n';
  const block = () => (hashtags.length ? `${sep}${hashtags.join(' ')}` : '');
  while (hashtags.length && spec.caption.max - measure(block(), unit) < MIN_TEXT_ROOM) hashtags.pop();
  const budget = spec.caption.max - (spec.hashtags.in_caption ? measure(block(), unit) : 0);

  const text = fitText({
    lead: [lead ?? '', ...mentions].filter(Boolean).join(' '),
    body: chosenBody,
    closing,
    budget,
    unit,
  });
  const caption = spec.hashtags.in_caption ? `${text}${block()}` : text;

  let title: string | undefined;
  if (spec.title) {
    const base = strip(lead ?? req.brand.name);
    const branded = `${base} | ${strip(req.brand.name)}`;
    title =
      d.length !== 'shorter' && clean(branded) && measure(branded, spec.title.unit) <= spec.title.max
        ? branded
        : truncateWords(base, spec.title.max, spec.title.unit);
  }

  // The gate: the finished text, with hashtags read as words, must be clean.
  const hits = [
    ...check(`${caption}\n${hashtags.map(hashtagWords).join('. ')}`),
    ...(title ? check(title) : []),
  ];
  if (hits.length) throw new RestrictedTermError([...new Set(hits)], `${req.platform} copy`);
  if (measure(caption, unit) > spec.caption.max) {
    throw new Error(`${req.platform} caption exceeds ${spec.caption.max} ${unit}`);
  }
  return { caption, hashtags, ...(title ? { title } : {}) };
}

/** Lead and closing always; body sentences while they fit, the last one cut with "…". */
function fitText(args: {
  lead: string;
  body: string[];
  closing: string;
  budget: number;
  unit: LengthUnit;
}): string {
  const { budget, unit, closing } = args;
  const sep = '\n\n';
  const join = (parts: string[]) => parts.filter(Boolean).join(sep);
  let lead = args.lead;
  if (measure(join([lead, closing]), unit) > budget) {
    const room = budget - measure(closing, unit) - measure(sep, unit);
    if (room < 20) return truncateWords(join([lead, closing]), budget, unit);
    lead = truncateWords(lead, room, unit);
  }
  const taken: string[] = [];
  for (const sentence of args.body) {
    const used = measure(join([lead, taken.join(' '), closing]), unit);
    const glue = taken.length ? ' ' : sep;
    if (used + measure(`${glue}${sentence}`, unit) <= budget) {
      taken.push(sentence);
      continue;
    }
    const room = budget - used - measure(glue, unit);
    if (room >= MIN_TRUNCATED_SENTENCE) taken.push(truncateWords(sentence, room, unit));
    break;
  }
  return join([lead, taken.join(' '), closing]);
}
