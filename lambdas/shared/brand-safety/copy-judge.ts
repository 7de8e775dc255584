import { stemmer } from 'stemmer';
import type { BrandProfile, CampaignRequest } from '../contracts/index.js';
import { describeHit, normaliseForMatching, scanRestricted, splitSentences } from './restricted-terms.js';

/**
 * Judges copy against a brand bible, the same way for the offline engine and the real text models:
 * restricted terms (every form), the claims policy (unmeasurable promises, superlatives, health or safety
 * claims, competitor mentions), vocabulary of other categories, the bible's voice and tone, and the
 * structure of the text (fragments, a call to action said twice). Each check gives a 0–1 sub-score and
 * findings that name the rule and the words, so a reviewer sees why a score is low.
 */

export type CopyCheck = 'restricted' | 'claims' | 'off_category' | 'voice' | 'structure';

export interface CopyFinding {
  check: CopyCheck;
  rule: string;
  text: string;
}

export interface CopyJudgement {
  scores: Record<CopyCheck, number>;
  findings: CopyFinding[];
}

/** What of the brand the judge reads: the bible, and the request when there is one. */
export type JudgedBrand = Pick<
  BrandProfile,
  'name' | 'voice_tone' | 'visual_style' | 'restricted_keywords' | 'claims_policy' | 'audience' | 'guidelines'
>;
export type JudgedRequest = Partial<
  Pick<
    CampaignRequest,
    | 'product_category'
    | 'product_name'
    | 'product_description'
    | 'target_demographic'
    | 'key_message'
    | 'call_to_action'
  >
>;

const CLAIMS: { rule: string; re: RegExp }[] = [
  {
    rule: 'superlative',
    re: /\b(best|greatest|finest|ultimate|unbeatable|unmatched|unrivall?ed|world[- ]class|number one|no\.? ?1|top[- ]rated|flawless|perfect|revolutionary|the only|most (?:advanced|effective|powerful|trusted|loved))\b|#1\b/gi,
  },
  {
    rule: 'unmeasurable promise',
    re: /\b(guarantee[sd]?|guaranteeing|life[- ]changing|change your life|transform your life|forever|instantly|overnight|effortless(?:ly)?|risk[- ]free|never again|miracle|100 ?%|zero risk|results? in \d+ days?)\b/gi,
  },
  {
    rule: 'health or safety claim',
    re: /\b(cures?|cured|heals?|healing|treats? (?:pain|anxiety|depression|disease|acne|injur\w*)|prevents? (?:disease|injur\w*|illness|cancer|aging)|boosts? (?:your )?immun\w*|weight[- ]loss|lose weight|burns? fat|fat[- ]burning|detox\w*|clinically (?:proven|tested)|doctor[- ]recommended|medical[- ]grade|(?:completely|totally|100 ?%) safe|safe for (?:everyone|all|kids|children|babies)|injury[- ]free|non[- ]toxic|anti[- ]aging)\b/gi,
  },
  {
    rule: 'competitor mention',
    re: /\b(better than (?:the )?(?:other|any|those|their|big|rival|competitor)\w*|unlike (?:the )?(?:other|big|rival|competitor)\w*(?: brands?)?|competitors?|rival brands?|the other guys|(?:vs\.?|versus) (?:the )?(?:other|big|rival)\w*)\b/gi,
  },
];

/**
 * Distinctive vocabulary of common categories. A word here that the brand's own bible and request never
 * use, from a category the brand is not in, is off-category: coffee words in a bicycle shop's copy.
 */
export const CATEGORY_LEXICON: Record<string, string[]> = {
  coffee: [
    'coffee',
    'espresso',
    'brew',
    'brewing',
    'barista',
    'roast',
    'roastery',
    'latte',
    'cappuccino',
    'caffeine',
    'crema',
    'mug',
    'pour',
    'steep',
    'cafe',
    'decaf',
    'arabica',
    'nitro',
    'sip',
  ],
  fitness: [
    'workout',
    'gym',
    'squat',
    'cardio',
    'treadmill',
    'dumbbell',
    'kettlebell',
    'burpee',
    'reps',
    'muscle',
    'protein',
    'hiit',
    'exercise',
    'fitness class',
    'abs',
  ],
  skincare: [
    'skin',
    'skincare',
    'serum',
    'moisturiser',
    'moisturizer',
    'cleanser',
    'complexion',
    'wrinkle',
    'spf',
    'lotion',
    'acne',
    'toner',
    'makeup',
    'mascara',
  ],
  cycling: [
    'bike',
    'bicycle',
    'cycling',
    'cyclist',
    'derailleur',
    'puncture',
    'saddle',
    'handlebar',
    'pedal',
    'tyre',
    'drivetrain',
  ],
  finance: [
    'savings account',
    'loan',
    'mortgage',
    'invest',
    'investing',
    'portfolio',
    'bank',
    'banking',
    'credit card',
    'apr',
    'deposit',
    'dividend',
    'crypto',
    'interest rate',
  ],
  food: ['recipe', 'chef', 'oven', 'dessert', 'pastry', 'dough', 'sauce', 'brunch', 'bakery'],
  pets: ['dog', 'puppy', 'cat', 'kitten', 'pet', 'vet', 'leash', 'kibble', 'paw'],
  software: ['app', 'software', 'dashboard', 'login', 'algorithm', 'saas', 'download'],
  fashion: ['dress', 'denim', 'outfit', 'wardrobe', 'sneaker', 'jacket', 'tailor'],
  travel: ['flight', 'hotel', 'passport', 'luggage', 'resort', 'itinerary', 'cruise'],
  drinks: ['beer', 'wine', 'cocktail', 'brewery', 'vineyard', 'energy drink', 'soda'],
  automotive: ['car', 'engine', 'dealership', 'mileage', 'sedan', 'horsepower'],
  gardening: ['garden', 'soil', 'compost', 'seedling', 'fertiliser', 'fertilizer'],
};

const stem = (w: string) => (w.length > 2 ? stemmer(w) : w);
const stemsOf = (text: string): string[] => normaliseForMatching(text).split(' ').filter(Boolean).map(stem);

/** Lexicon entries as stem sequences (one or two words). */
const LEXICON_STEMS = Object.entries(CATEGORY_LEXICON).map(([category, words]) => ({
  category,
  entries: words.map((w) => ({ word: w, stems: stemsOf(w) })),
}));

/** Everything the brand itself says: its bible and its request. */
function brandVocabulary(brand: JudgedBrand, request?: JudgedRequest): Set<string> {
  const text = [
    brand.name,
    brand.voice_tone,
    brand.visual_style,
    brand.claims_policy,
    brand.audience,
    ...brand.guidelines.map((g) => `${g.heading} ${g.content}`),
    ...Object.values(request ?? {}),
  ].join(' ');
  return new Set(stemsOf(text));
}

const containsSeq = (hay: string[], seq: string[]): number[] => {
  const at: number[] = [];
  for (let i = 0; i + seq.length <= hay.length; i++) if (seq.every((s, k) => hay[i + k] === s)) at.push(i);
  return at;
};

/**
 * The categories the brand is in: the one its request names ("community fitness classes"), and lexicons
 * whose words the bible and request use at least twice.
 */
export function brandCategories(brand: JudgedBrand, request?: JudgedRequest): string[] {
  const own = brandVocabulary(brand, request);
  const named = normaliseForMatching(request?.product_category ?? '');
  return LEXICON_STEMS.filter(
    ({ category, entries }) =>
      named.split(' ').includes(category) ||
      entries.filter((e) => e.stems.every((s) => own.has(s))).length >= 2,
  ).map((l) => l.category);
}

/** Off-category words of a copy: in a lexicon of a category the brand is not in, and never used by the brand. */
export function offCategoryWords(copy: string, brand: JudgedBrand, request?: JudgedRequest): string[] {
  const own = brandVocabulary(brand, request);
  const mine = new Set(brandCategories(brand, request));
  const words = stemsOf(copy);
  const found: string[] = [];
  for (const { category, entries } of LEXICON_STEMS) {
    if (mine.has(category)) continue;
    for (const e of entries) {
      if (e.stems.every((s) => own.has(s))) continue;
      if (containsSeq(words, e.stems).length) found.push(`${e.word} (${category})`);
    }
  }
  return [...new Set(found)];
}

/** Voice traits a bible can ask for, each with the markers that break it. */
const VOICE_TRAITS: { trait: string; when: RegExp; breaks: { rule: string; re: RegExp }[] }[] = [
  {
    trait: 'calm, never pushy',
    when: /\b(calm|unhurried|quiet(?:ly)?|understated|never pushy|not pushy|no hype|relaxed|gentle|patient|confident)\b/i,
    breaks: [
      {
        rule: 'pressure selling',
        re: /\b(hurry|act now|buy now|don'?t miss|last chance|limited time|before it'?s too late|order now|while stocks? last)\b/gi,
      },
      {
        rule: 'hype',
        re: /\b(insane|crazy|epic|mind[- ]?blowing|skyrocket\w*|explod\w*|game[- ]?changer|smash\w*|crush(?:ing|es)? it|unreal|jaw[- ]dropping)\b/gi,
      },
      { rule: 'shouting', re: /!{2,}|\b[A-Z]{4,}\b(?:\s+\b[A-Z]{4,}\b)+/g },
    ],
  },
  {
    trait: 'encouraging, never shaming',
    when: /\b(encourag\w*|inclusive|never shaming|no shaming|kind|supportive|welcoming|friendly|warm)\b/i,
    breaks: [
      {
        rule: 'shaming',
        re: /\b(lazy|no excuses|excuses|pathetic|embarrass\w*|loser|ugly|fat|gross|weak|stop being|ashamed)\b/gi,
      },
    ],
  },
  {
    trait: 'plain words',
    when: /\b(plain|simple|clear|short sentences|jargon[- ]free|no jargon|straightforward|specific)\b/i,
    breaks: [
      {
        rule: 'jargon',
        re: /\b(synerg\w*|leverag\w*|paradigm|disrupt\w*|best[- ]in[- ]class|cutting[- ]edge|next[- ]gen\w*|seamless\w*|holistic|solutions?)\b/gi,
      },
    ],
  },
  {
    trait: 'professional',
    when: /\b(professional|formal|expert|authoritative|precise|trustworthy)\b/i,
    breaks: [{ rule: 'slang', re: /\b(lol|omg|vibes?|slay\w*|lit|bestie|gonna|wanna|y'all|fam|no cap)\b/gi }],
  },
];

const LONG_SENTENCE_WORDS = 28;

/** Findings of one check over a text. */
function matchAll(check: CopyCheck, rule: string, re: RegExp, text: string): CopyFinding[] {
  return [...text.matchAll(re)].map((m) => ({ check, rule, text: m[0] }));
}

/** Competitor names a bible lists (a section whose heading names competitors), as a pattern. */
function competitorNames(brand: JudgedBrand): string[] {
  return brand.guidelines
    .filter((g) => /competitor|rival/i.test(g.heading))
    .flatMap((g) => g.content.split('\n'))
    .map((l) => /^\s*(?:[-*+]|\d+[.)])\s+(.+)$/.exec(l)?.[1]?.trim())
    .filter((l): l is string => Boolean(l));
}

/** A sentence that starts mid-thought ("brewed, because…", ", and…") or a dangling conjunction. */
const FRAGMENT = /^\s*(?:[a-z]|[,;:)\]-]|(?:and|but|or|because|so|which|that)\b[^.!?]*$)/;

export interface JudgeOptions {
  /** The call to action: said more than once in the copy is a structure finding. */
  callToAction?: string;
  /** Judge sentence structure (scripts and captions); briefs are lists of phrases, not prose. */
  prose?: boolean;
}

export function judgeCopy(
  copy: string,
  brand: JudgedBrand,
  request?: JudgedRequest,
  opts: JudgeOptions = {},
): CopyJudgement {
  const findings: CopyFinding[] = [];
  for (const h of scanRestricted(copy, brand.restricted_keywords))
    findings.push({ check: 'restricted', rule: h.rule, text: describeHit(h) });

  for (const { rule, re } of CLAIMS) findings.push(...matchAll('claims', rule, re, copy));
  for (const name of competitorNames(brand)) {
    const re = new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'gi');
    findings.push(...matchAll('claims', 'competitor mention', re, copy));
  }

  for (const w of offCategoryWords(copy, brand, request))
    findings.push({ check: 'off_category', rule: 'vocabulary of another category', text: w });

  for (const t of VOICE_TRAITS) {
    if (!t.when.test(brand.voice_tone)) continue;
    for (const b of t.breaks)
      findings.push(...matchAll('voice', `${b.rule} (the voice is ${t.trait})`, b.re, copy));
  }
  const sentences = splitSentences(copy).map((s) => s.text.trim());
  if (/short sentences|concise|brief/i.test(brand.voice_tone))
    for (const s of sentences)
      if (s.split(/\s+/).length > LONG_SENTENCE_WORDS)
        findings.push({ check: 'voice', rule: 'long sentence (the voice asks for short ones)', text: s });

  if (opts.prose) {
    for (const s of sentences)
      if (FRAGMENT.test(s)) findings.push({ check: 'structure', rule: 'sentence fragment', text: s });
    const cta = normaliseForMatching(opts.callToAction ?? '');
    if (cta.split(' ').length >= 2) {
      const said = normaliseForMatching(copy).split(cta).length - 1;
      if (said > 1)
        findings.push({
          check: 'structure',
          rule: `call to action said ${said} times`,
          text: opts.callToAction ?? '',
        });
    }
  }

  const count = (c: CopyCheck) => findings.filter((f) => f.check === c).length;
  const scores: Record<CopyCheck, number> = {
    restricted: count('restricted') ? 0 : 1,
    claims: Math.max(0, 1 - 0.4 * count('claims')),
    off_category: Math.max(0, 1 - 0.35 * count('off_category')),
    voice: Math.max(0, 1 - 0.3 * count('voice')),
    structure: Math.max(0, 1 - 0.3 * count('structure')),
  };
  return { scores, findings };
}

/**
 * Caps that keep a fault from being averaged away: one off-category word, claim or voice break is
 * enough to fall below the gates (alignment 0.85, compliance 0.90) whatever else scores well.
 */
export function capForFindings(judgement: CopyJudgement): number {
  const s = judgement.scores;
  let cap = 1;
  if (s.restricted < 1) cap = Math.min(cap, 0.5);
  if (s.off_category < 1) cap = Math.min(cap, 0.7);
  if (s.claims < 1) cap = Math.min(cap, 0.75);
  if (s.voice < 1) cap = Math.min(cap, 0.8);
  if (s.structure < 1) cap = Math.min(cap, 0.8);
  return cap;
}

/** Findings in one line each, for a breakdown a reviewer reads. */
export const describeFindings = (j: CopyJudgement): string[] =>
  j.findings.map((f) => `${f.check}: ${f.rule}: ${f.text}`);
