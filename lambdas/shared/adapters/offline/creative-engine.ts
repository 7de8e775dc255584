import { z } from 'zod';
import { findRestrictedTerms } from '../../brand-safety/restricted-terms.js';
import { seededRandom as prng } from '../../ids.js';
import type { TextGenerationRequest, TextModel, Usage } from '../../ports/index.js';

/**
 * OFFLINE STAND-IN for GPT-4o, Claude and DeepSeek R1: a deterministic creative engine that writes
 * briefs, hooks, outlines and scenes from the structured context the domain passes with every request
 * (the bible's voice, visual style, audience and claims policy; the request's product, description, key
 * message and call to action; relevant trends; variant; reviewer feedback). Same context and seed → same
 * text. Brand- and category-agnostic: its templates carry no product vocabulary of their own, every
 * concrete word comes from the context (the visual style's own phrases set the scenes), each scene's line
 * is written for the picture it describes, sentences are never cut, the call to action is said once
 * (last scene), and it follows its prompt's rules: no line with a restricted term, no claims.
 * Its output is validated with the request's schema exactly like a real model's structured output.
 */
export class OfflineCreativeEngine implements TextModel {
  readonly name = 'offline-creative-engine';

  async generate<S extends z.ZodType>(
    req: TextGenerationRequest<S>,
  ): Promise<{ value: z.infer<S>; usage: Usage }> {
    const rand = prng(req.seed ?? 1);
    const ctx = req.context;
    let raw: unknown;
    switch (req.task) {
      case 'creative_brief':
        raw = brief(Ctx.parse(ctx), rand);
        break;
      case 'hook_variations':
        raw = hooks(Ctx.parse(ctx), rand);
        break;
      case 'script_outline':
        raw = outline(Ctx.parse(ctx), rand);
        break;
      case 'scene':
        raw = scene(Ctx.parse(ctx), rand);
        break;
      case 'platform_copy':
        raw = platformCopy(Ctx.parse(ctx), rand);
        break;
      default:
        throw new Error(`offline-creative-engine has no template for task "${req.task}"`);
    }
    const value = req.schema.parse(raw) as z.infer<S>;
    const tokens = Math.ceil((req.system.length + req.prompt.length + JSON.stringify(value).length) / 4);
    return { value, usage: { model: this.name, provider: 'offline', units: tokens, unit: 'tokens' } };
  }
}

/** The context fields the templates use (all optional: each task reads what it needs). */
const Ctx = z
  .object({
    brand_name: z.string().default('the brand'),
    product: z.string().default('the product'),
    category: z.string().default('the category'),
    audience: z.string().default('people who care'),
    brand_audience: z.string().optional(),
    claims_policy: z.string().optional(),
    restricted_terms: z.array(z.string()).default([]),
    objective: z.string().default('awareness'),
    key_message: z.string().optional(),
    call_to_action: z.string().optional(),
    product_description: z.string().optional(),
    voice_tone: z.string().default('warm and clear'),
    visual_style: z.string().default('clean, cinematic'),
    palette: z.array(z.string()).default([]),
    trends: z.array(z.object({ title: z.string(), summary: z.string().optional() })).default([]),
    guidelines: z.array(z.string()).default([]),
    variant_type: z.enum(['humorous', 'serious', 'emotional', 'educational']).default('emotional'),
    requested_variants: z.array(z.string()).default([]),
    feedback: z.string().optional(),
    count: z.number().int().default(50),
    primary_hook: z.string().optional(),
    value_proposition: z.string().optional(),
    hook: z.string().optional(),
    target_seconds: z.number().default(30),
    beat: z
      .object({ sequence: z.number(), duration_seconds: z.number(), purpose: z.string(), beat: z.string() })
      .optional(),
    total_beats: z.number().default(1),
    platform: z.string().optional(),
  })
  .passthrough();
type Ctx = z.infer<typeof Ctx>;

const pick = <T>(rand: () => number, xs: readonly T[]): T =>
  xs[Math.floor(rand() * xs.length) % xs.length] as T;
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Reviewer feedback read as directions the templates can follow. */
function directions(feedback?: string) {
  const f = (feedback ?? '').toLowerCase();
  const mention = /mention(?:s|ing)?\s+(?:the\s+)?([^.,;!?]+)/.exec(feedback ?? '')?.[1]?.trim();
  return {
    shorter: /short|concise|tighter|less/.test(f),
    playful: /playful|fun|funn|humou?r|light/.test(f),
    formal: /formal|professional|serious/.test(f),
    warmer: /warm|human|heart|emotion/.test(f),
    mention,
  };
}

/** "pottery classes" stay as they are; "cold brew coffee" becomes "cold brew coffee options". */
const options = (category: string) => (/s$/.test(category) ? category : `${category} options`);

/** Words of a text. */
const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;
/** A sentence ends with its punctuation. */
const sentence = (s: string) => {
  const t = s.trim().replace(/\s+/g, ' ');
  return t ? cap(/[.!?]$/.test(t) ? t : `${t}.`) : '';
};
/** Whole sentences of a text (never cut). */
const sentencesOf = (s?: string): string[] =>
  (s ?? '')
    .split(/(?<=[.!?])\s+|\n+/)
    .map((x) => x.trim())
    .filter((x) => wordCount(x) >= 3)
    .map(sentence);

/** The audience in a few words: "adults 25-50 in the city looking for…" → "adults 25-50 in the city". */
function audienceShort(c: Ctx): string {
  const a =
    c.audience.split(/\s+(?:who|looking|that|which|with|building|returning|aged)\b|[,;(]/)[0]?.trim() ?? '';
  return wordCount(a) >= 1 && wordCount(a) <= 6
    ? a
    : (c.audience.split(/\s+/).slice(0, 4).join(' ') ?? 'you');
}

/**
 * The settings of the brand's own pictures: the phrases of its visual style ("hands shaping a bowl",
 * "tools on a pegboard"). Scenes are set there, so no picture belongs to another brand.
 */
function settingsOf(c: Ctx): string[] {
  const phrases = c.visual_style
    .replace(/\s+/g, ' ')
    .split(/[.;:\n]|,\s*/)
    .map((p) => p.trim().replace(/^(and|with)\s+/i, ''))
    .filter((p) => wordCount(p) >= 3 && wordCount(p) <= 12 && !/\d|#/.test(p));
  return phrases.length ? phrases : [`${c.product} in a real, everyday setting`];
}

/** Lines the brand may say: whole, within the word budget, with no restricted term in any form. */
function usable(c: Ctx, lines: string[], maxWords = 99): string[] {
  return lines
    .map(sentence)
    .filter(
      (l) =>
        l &&
        l.length <= MAX_LINE_CHARS &&
        wordCount(l) <= maxWords &&
        findRestrictedTerms(l, c.restricted_terms).length === 0,
    );
}
/** A voiceover is at most 400 characters (SceneDraft): a longer line is not said at all, never cut. */
const MAX_LINE_CHARS = 300;

function brief(c: Ctx, rand: () => number) {
  const d = directions(c.feedback);
  const topics = c.trends.slice(0, 3).map((t) => t.title);
  const category = lower(c.category);
  const value =
    c.key_message ?? sentencesOf(c.product_description)[0] ?? `${c.product} is ${category} made with care`;
  const variants = (
    c.requested_variants.length ? c.requested_variants : ['emotional', 'humorous', 'educational']
  ) as Ctx['variant_type'][];
  const who = audienceShort(c);
  const rationale: Record<Ctx['variant_type'], string> = {
    emotional: `${cap(who)} respond to real people and small moments; warmth builds recall for an ${c.objective} goal`,
    humorous: `Light, self-aware humour earns shares among ${who} and fits short-form feeds`,
    educational: `Showing how ${c.product} works answers the questions ${who} ask before they decide`,
    serious: `A calm, specific account of ${c.product} suits viewers comparing options`,
  };
  const safe = (xs: string[]) => usable(c, xs);
  return {
    target_audience: {
      demographics: {
        summary: c.audience,
        age_range: /(\d{2})\s*[-–to]+\s*(\d{2})/.exec(c.audience)?.slice(1, 3).join('-') ?? '25-44',
        locale: 'en-US',
      },
      psychographics: safe([
        `Chooses ${category} with ${pick(rand, ['care', 'a clear reason', 'an eye for detail'])}`,
        'Discovers brands through short-form video and friends',
        ...sentencesOf(c.brand_audience).slice(0, 1),
      ]).slice(0, 3),
      pain_points: safe([
        `Most ${options(category)} look alike`,
        'Hard to know what to trust before trying',
        'Marketing claims are hard to believe',
      ]),
    },
    core_message: {
      primary_hook: d.mention
        ? `${cap(c.product)}: ${d.mention}`
        : (safe([`What if ${category} felt made for you?`, `Meet ${c.product} from ${c.brand_name}.`])[0] ??
          `Meet ${c.product}.`),
      value_proposition: d.mention ? `${value}, and ${d.mention}` : value,
      call_to_action: c.call_to_action ?? `Discover ${c.product}`,
    },
    competitor_analysis: {
      common_patterns: ['Product close-ups with stock music', 'Price-led promotions', 'Influencer reviews'],
      white_space: `Few ${category} brands show the people and the care behind the work`,
    },
    viral_patterns: [
      'Open on motion within the first second',
      'Text on screen for sound-off viewing',
      ...(topics.length ? [`Join the conversation around "${topics[0]}"`] : []),
    ],
    trending_audio: [
      pick(rand, ['lo-fi acoustic loop', 'warm piano motif', 'soft indie guitar']),
      'ambient room tone',
    ],
    variant_suggestions: variants.slice(0, 4).map((v) => ({
      variant_type: v,
      rationale: rationale[v],
      expected_audience_response: v === 'humorous' ? 'shares and comments' : 'saves and profile visits',
    })),
  };
}

type HookKind = 'question' | 'statement' | 'visual_shock' | 'story';
const HOOK_TEMPLATES: Record<HookKind, ((c: Ctx, topic: string) => string)[]> = {
  question: [
    (c) => `What if ${lower(c.category)} felt like it was made for you?`,
    (c) => `Why do people who try ${c.product} keep coming back?`,
    (c) => `Ever wondered what ${c.brand_name} does differently?`,
    (c) => `What would change if you gave ${c.product} one week?`,
    (_c, t) => `Have you seen why everyone is talking about ${lower(t)}?`,
    (c) => `How does ${c.product} actually work?`,
    (c) => `Is this the ${lower(c.category)} you have been looking for?`,
    (c) => `Why are ${audienceShort(c)} talking about ${c.product}?`,
    (c) => `Wait, what if your friends saw you with ${c.product} this week?`,
    (c) => `Look: what is the secret of ${c.product} nobody tells you?`,
  ],
  statement: [
    (c) => `You have never seen ${lower(c.category)} shown like this.`,
    (c) => `${c.brand_name} does one thing, and does it with care.`,
    (_c, t) => `${cap(t)}, seen from a new angle.`,
    (c) => `The secret of ${c.product} is in the details.`,
    (c) => `${cap(audienceShort(c))}, this one is for you.`,
    (c) => `Here is what nobody tells you about ${lower(c.category)}.`,
    (c) => `${c.product}, made by people who love the work.`,
    (c) => `Your week has room for ${c.product}.`,
  ],
  visual_shock: [
    (c) => `Watch ${c.product} come together in ten seconds.`,
    () => `Stop scrolling: look at the detail in this shot.`,
    (c) => `Nobody expected ${c.product} to look like this.`,
    (c) => `Wait for the second shot of ${c.product}.`,
    (c) => `We slowed the camera down to show you ${c.product}.`,
    (c) => `Look closely: this is ${lower(c.category)} up close.`,
    () => `Watch what happens in the first five seconds.`,
    (c) => `This is what ${c.brand_name} looks like from the inside.`,
    () => `Wait: why does everyone you love stop scrolling at this shot?`,
    (c) => `Watch this: what happens to ${c.product} in 3 seconds?`,
  ],
  story: [
    (c) => `It started at ${c.brand_name} with one question: why not do it properly?`,
    (c) => `Every ${lower(c.category)} story begins long before you see it.`,
    (c) => `The team behind ${c.product} has one rule: no shortcuts.`,
    (c) => `Three friends, one idea, and the first ${c.product} they never forgot.`,
    (c) => `She tried ${c.product} once. Now she tells all her friends.`,
    (c) => `This is the story of how ${c.product} came to be.`,
    (c) => `We asked ${audienceShort(c)} what they wanted. They said this.`,
    (c) => `Behind every ${c.product} there is a person who cares.`,
    (c) => `Watch closely: why do 3 friends feel at home with ${c.product}?`,
    (c) => `Why do you smile the moment you see ${c.product}? Watch.`,
  ],
};

/** A closing note per variant tone; none names a product or category. */
const VARIANT_TWIST: Record<Ctx['variant_type'], string[]> = {
  humorous: [
    '(Yes, really.)',
    'Your calendar will thank you.',
    'No lab coats required.',
    'Spoiler: you will love it.',
  ],
  serious: ['Here is why it matters.', 'Quality is a decision.', 'No shortcuts.', 'Made with intent.'],
  emotional: [
    'Made for the moments that matter.',
    'Because you deserve it.',
    'For the people you love.',
    'A small kindness, every day.',
  ],
  educational: [
    'Here is how it works.',
    'The idea is simple.',
    'Three steps make the difference.',
    'Learn what changes the result.',
  ],
};

function hooks(c: Ctx, rand: () => number) {
  const topics = c.trends.map((t) => t.title).slice(0, 4);
  const d = directions(c.feedback);
  const types = ['question', 'statement', 'visual_shock', 'story'] as const;
  const out: { text: string; hook_type: HookKind }[] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < c.count && i < c.count * 8; i++) {
    const type = types[i % 4] as HookKind;
    const base = pick(rand, HOOK_TEMPLATES[type])(c, topics.length ? pick(rand, topics) : c.category);
    const twist = rand() < 0.5 ? ` ${pick(rand, VARIANT_TWIST[c.variant_type])}` : '';
    let text = `${base}${d.shorter ? '' : twist}`;
    if (d.playful && rand() < 0.5) text = `${text} ${pick(rand, VARIANT_TWIST.humorous)}`;
    if (d.mention && rand() < 0.4) text = `${text} Now with ${d.mention}.`;
    // A hook is at most 200 characters (HookDrafts); it follows its prompt: no restricted term in any form.
    if (!seen.has(text) && text.length <= 200 && !findRestrictedTerms(text, c.restricted_terms).length) {
      seen.add(text);
      out.push({ text, hook_type: type });
    }
  }
  return { hooks: out };
}

const PURPOSES = [
  'hook',
  'problem',
  'product reveal',
  'proof',
  'benefit',
  'lifestyle',
  'social proof',
  'call to action',
];

function outline(c: Ctx, rand: () => number) {
  const d = directions(c.feedback);
  const target = Math.max(
    15,
    Math.min(60, d.shorter ? Math.max(15, c.target_seconds - 5) : c.target_seconds),
  );
  const durations: number[] = [];
  let left = target;
  while (left > 0) {
    if (left <= 5) {
      durations.push(left);
      break;
    }
    // The hook beat gets 5 s: a whole hook is said, never cut to fit.
    let next = durations.length === 0 ? 5 : pick(rand, [4, 5, 5, 4, 3]);
    if (left - next > 0 && left - next < 3) next = left - 3 >= 3 ? left - 3 : next;
    durations.push(next);
    left -= next;
  }
  // Repair a final piece shorter than 3 s by borrowing from the previous beat.
  while ((durations.at(-1) ?? 3) < 3) {
    const last = durations.pop() ?? 0;
    const prev = durations.pop() ?? 0;
    const total = last + prev;
    durations.push(Math.ceil(total / 2), Math.floor(total / 2));
  }
  const n = durations.length;
  return {
    beats: durations.map((duration, i) => {
      const purpose =
        i === 0
          ? 'hook'
          : i === n - 1
            ? 'call to action'
            : (PURPOSES[1 + ((i - 1) % (PURPOSES.length - 2))] as string);
      return {
        sequence: i + 1,
        duration_seconds: duration,
        purpose,
        beat: `${cap(purpose)} for ${c.product} (${c.variant_type})`,
      };
    }),
  };
}

/** One scene's picture and the lines that describe that very picture. */
interface Moment {
  subject: string;
  lines: string[];
}

/**
 * The moments a beat can show. Each pairs a picture built from the brand's own settings and product
 * with lines about what that picture shows, so the voiceover never talks about something off screen.
 */
function moments(
  c: Ctx,
  purpose: string,
  tone: Ctx['variant_type'],
  settings: string[],
  seq: number,
): Moment[] {
  const p = c.product;
  const cat = lower(c.category);
  const who = audienceShort(c);
  const set = (k: number) => settings[(seq + k) % settings.length] as string;
  const facts = sentencesOf(c.product_description);
  const key = c.key_message ? sentence(c.key_message) : undefined;
  const toned = (lines: Record<Ctx['variant_type'], string[]>) => lines[tone];
  switch (purpose) {
    case 'hook':
      return [
        {
          subject: `${hookShot(c.hook)}${set(0)}, with ${p} coming into view`,
          lines: c.hook ? [c.hook] : [`This is ${p}.`],
        },
      ];
    case 'problem':
      return [
        {
          subject: `a person comparing ${options(cat)} and looking unsure, then glancing at ${set(1)}`,
          lines: toned({
            emotional: [
              'Choosing well should not feel like guesswork.',
              'We all want something we can trust.',
            ],
            humorous: ['Exhibit A: too many choices, zero answers.', 'Decision fatigue is real. We checked.'],
            educational: [`Most ${cat} looks alike at first glance.`, 'Here is the question everyone asks.'],
            serious: ['Most options look the same.', 'Choosing takes more time than it should.'],
          }),
        },
      ];
    case 'product reveal':
      return [
        {
          subject: `${p} revealed clearly, centred in frame, ${set(0)}`,
          lines: toned({
            emotional: [`Meet ${p}.`, `This is ${p}, from ${c.brand_name}.`],
            humorous: [`Enter ${p}. Dramatic pause.`, `Behold, ${p}. Applause optional.`],
            educational: [`This is ${p}.`, `Meet ${p} from ${c.brand_name}.`],
            serious: [`This is ${p}.`, `${p}, from ${c.brand_name}.`],
          }),
        },
      ];
    case 'proof':
      return [
        {
          subject: `close-up detail: ${set(1)}, showing how ${p} comes together`,
          lines: [
            ...facts,
            `Every step of ${p} is done with care.`,
            'Look closely, and you can see the care.',
            'Care in every detail.',
          ],
        },
      ];
    case 'benefit':
      return [
        {
          subject: `${who} enjoying ${p}, ${set(2)}`,
          lines: [
            ...(key ? [key] : []),
            ...facts.slice(1),
            `${p} fits the life you already have.`,
            'Made for your week.',
          ],
        },
      ];
    case 'lifestyle':
      return [
        {
          subject: `${who} with ${p} in their everyday life, ${set(3)}`,
          lines: toned({
            emotional: [`Made for ${who}.`, 'Made for the moments that matter.'],
            humorous: ['Works on Mondays too. We checked.', `Made for ${who}. And their friends.`],
            educational: [`Built around how ${who} live.`, 'It fits into the week you already have.'],
            serious: [`Made for ${who}.`, 'Built for the way you live.'],
          }),
        },
      ];
    case 'social proof':
      return [
        {
          subject: `quick cuts of different people with ${p}, smiling, ${set(4)}`,
          lines: toned({
            emotional: ['People notice the difference.', 'Ask anyone who has tried it.'],
            humorous: ['Our fans have opinions. Good ones.', 'Ask around. We will wait.'],
            educational: ['People who try it tell their friends.', 'Ask anyone who has tried it.'],
            serious: [`Chosen by people who notice.`, 'Trusted by people who care.'],
          }),
        },
      ];
    default: {
      const cta = sentence(c.call_to_action ?? `Discover ${p}`);
      return [
        {
          subject: `${p} and the ${c.brand_name} name centred in frame, calm space for the call to action`,
          lines: [cta],
        },
      ];
    }
  }
}

/** The opening shot shows what the hook says: people when it talks about people, detail, or time. */
function hookShot(hook?: string): string {
  const h = hook ?? '';
  const parts = [
    /friend|everyone|people|team|founder|\bshe\b|\bwe\b|together/i.test(h) ? 'a few people together' : '',
    /close|detail|look/i.test(h) ? 'an extreme close-up' : '',
    /seconds|happens|come together|watch/i.test(h) ? 'a fast time-lapse' : '',
  ].filter(Boolean);
  return parts.length ? `${parts.join(', ')}: ` : '';
}

function scene(c: Ctx, rand: () => number) {
  const d = directions(c.feedback);
  const beat = c.beat ?? { sequence: 1, duration_seconds: 4, purpose: 'hook', beat: 'hook' };
  const isLast = beat.sequence >= c.total_beats && c.total_beats > 1;
  const purpose = isLast ? 'call to action' : PURPOSES.includes(beat.purpose) ? beat.purpose : 'lifestyle';
  const tone = d.playful ? 'humorous' : d.formal ? 'serious' : d.warmer ? 'emotional' : c.variant_type;
  const maxWords = Math.max(4, Math.floor(beat.duration_seconds * (d.shorter ? 1.8 : 2.3)));
  const moment = pick(rand, moments(c, purpose, tone, settingsOf(c), beat.sequence));
  // The shortest whole line that fits is the fallback; a line is never cut mid-sentence.
  const fits = usable(c, moment.lines, maxWords);
  const any = usable(c, moment.lines).sort((a, b) => wordCount(a) - wordCount(b));
  // The hook is said whole; when it runs past the beat, its first sentence alone (never a cut one).
  const hookLine = c.hook && wordCount(c.hook) > maxWords ? (sentencesOf(c.hook)[0] ?? c.hook) : c.hook;
  let voice =
    purpose === 'hook' && hookLine
      ? hookLine
      : fits.length
        ? pick(rand, fits)
        : (any[0] ?? usable(c, [`This is ${c.product}`])[0] ?? 'Take a closer look.');
  const mention = d.mention ? sentence(d.mention) : '';
  if (mention && purpose === 'benefit' && voice.length + mention.length < MAX_LINE_CHARS)
    voice = `${voice} ${mention}`;
  const clean = (xs: string[]) => xs.filter((x) => !findRestrictedTerms(x, c.restricted_terms).length);
  const cameras = clean(CAMERAS);
  const camera =
    beat.sequence === 1
      ? (cameras[0] ?? 'steady push in')
      : pick(rand, cameras.length ? cameras : ['steady push in']);
  const lights = clean(LIGHTS);
  const lighting = pick(rand, lights.length ? lights : ['natural light']);
  const style = /abstract|surreal/i.test(c.visual_style)
    ? 'abstract'
    : /photo|realistic|documentary/i.test(c.visual_style) && purpose === 'product reveal'
      ? 'hyper_realistic'
      : 'cinematic';
  const paletteText = c.palette.length ? c.palette.join(', ') : 'brand colours';
  const visual_prompt = [
    `${cap(moment.subject)}.`,
    `Camera: ${camera}, 35mm lens, shallow depth of field, ${beat.duration_seconds}-second shot, vertical 9:16 framing.`,
    `Lighting: ${lighting}.`,
    `Colour palette strictly ${paletteText}; grade toward these tones.`,
    `Brand visual style: ${c.visual_style.replace(/\s+/g, ' ').slice(0, 220)}.`,
    `Mood: ${tone}, for ${audienceShort(c)}.`,
    `Beat ${beat.sequence} of ${c.total_beats}: ${purpose}.`,
    'Negative: no text artifacts, no logos other than the brand, no distorted hands, no other brands.',
  ]
    // A sentence of the picture with a restricted term (from the bible's own style text) is left out whole.
    .filter((line) => !findRestrictedTerms(line, c.restricted_terms).length)
    .join(' ');
  const cta = c.call_to_action ?? `Discover ${c.product}`;
  const firstSentence = (s: string) => (s.match(/^[^.?!]+[?!]?/)?.[0] ?? s).trim();
  const onScreen = purpose === 'call to action' ? cta : firstSentence(voice);
  return {
    visual_prompt,
    voiceover_text: voice,
    // On-screen text is a short label: whole words only, never a cut word.
    on_screen_text: onScreen.length <= 60 ? onScreen : onScreen.slice(0, 60).replace(/\s+\S*$/, ''),
    camera_movement: camera,
    lighting,
    style,
    music_style:
      tone === 'humorous'
        ? 'upbeat playful acoustic'
        : tone === 'emotional'
          ? 'warm acoustic'
          : tone === 'educational'
            ? 'light corporate'
            : 'cinematic piano',
    sfx: purpose === 'hook' ? ['soft whoosh'] : purpose === 'call to action' ? ['gentle chime'] : [],
    voice_tone:
      tone === 'humorous'
        ? 'playful, upbeat'
        : tone === 'educational'
          ? 'clear, friendly'
          : tone === 'serious'
            ? 'calm, confident'
            : 'warm, intimate',
  };
}

const CAMERAS = [
  'slow dolly in',
  'gentle push in',
  'smooth pan right',
  'gentle orbit',
  'handheld follow',
  'tilt up reveal',
  'pull back reveal',
  'static locked-off frame',
  'slow pan left',
];
const LIGHTS = [
  'golden hour backlight',
  'soft window light',
  'warm practical lamps',
  'bright airy daylight',
  'moody low-key light',
];

function platformCopy(c: Ctx, _rand: () => number) {
  const lines = usable(c, [c.hook ?? '', c.key_message ?? '', `${c.product} from ${c.brand_name}`]);
  return { caption: lines.slice(0, 2).join(' ') || c.product, hashtags: [] };
}
