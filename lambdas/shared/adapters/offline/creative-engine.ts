import { z } from 'zod';
import { seededRandom as prng } from '../../ids.js';
import type { TextGenerationRequest, TextModel, Usage } from '../../ports/index.js';

/**
 * OFFLINE STAND-IN for GPT-4o, Claude and DeepSeek R1: a deterministic creative engine that writes
 * briefs, hooks, outlines and scenes from templates and the structured context the domain passes with
 * every request (brand, request, trends, variant, reviewer feedback). Same context and seed → same text.
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

function brief(c: Ctx, rand: () => number) {
  const d = directions(c.feedback);
  const topics = c.trends.slice(0, 3).map((t) => t.title);
  const value = c.key_message ?? `${c.product} brings ${lower(c.category)} quality into everyday routines`;
  const variants = (
    c.requested_variants.length ? c.requested_variants : ['emotional', 'humorous', 'educational']
  ) as Ctx['variant_type'][];
  const rationale: Record<Ctx['variant_type'], string> = {
    emotional: `${c.audience} respond to stories about small daily rituals; warmth builds recall for an ${c.objective} goal`,
    humorous: `Light self-aware humour earns shares among ${c.audience} and fits short-form feeds`,
    educational: `Showing how ${c.product} is made answers the "why pay more" question before it is asked`,
    serious: `A calm, confident statement of quality suits viewers comparing options`,
  };
  return {
    target_audience: {
      demographics: {
        summary: c.audience,
        age_range: /(\d{2})\s*[-–to]+\s*(\d{2})/.exec(c.audience)?.slice(1, 3).join('-') ?? '25-44',
        locale: 'en-US',
      },
      psychographics: [
        `Values ${pick(rand, ['craft', 'quality', 'authenticity', 'small luxuries'])} over convenience`,
        'Discovers brands through short-form video and friends',
        `Cares about ${pick(rand, ['sustainability', 'where things come from', 'brands with a point of view'])}`,
      ],
      pain_points: [
        `Most ${lower(c.category)} options feel interchangeable`,
        'Mornings are rushed and rituals get skipped',
        'Marketing claims are hard to trust',
      ],
    },
    core_message: {
      primary_hook: d.mention
        ? `${cap(c.product)}: ${d.mention}`
        : `What if ${lower(c.category)} felt like a ritual again?`,
      value_proposition: d.mention ? `${value}, and ${d.mention}` : value,
      call_to_action: c.call_to_action ?? `Try ${c.product} today`,
    },
    competitor_analysis: {
      common_patterns: [
        'Product close-ups with upbeat stock music',
        'Price-led promotions',
        'Influencer taste tests',
      ],
      white_space: `Few ${lower(c.category)} brands tell the story of the people and the patience behind the product`,
    },
    viral_patterns: [
      'Open on motion within the first second',
      'Text on screen for sound-off viewing',
      ...(topics.length ? [`Ride the conversation around "${topics[0]}"`] : []),
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

const HOOK_TEMPLATES: Record<
  'question' | 'statement' | 'visual_shock' | 'story',
  ((c: Ctx, topic: string) => string)[]
> = {
  question: [
    (c) => `What if your ${lower(c.category)} woke up before you did?`,
    (c) => `Why does ${c.product} take so long to make?`,
    (c) => `Ever wondered what ${c.brand_name} does differently?`,
    () => `Could one small ritual change your whole morning?`,
    (_c, t) => `Have you seen why everyone is talking about ${lower(t)}?`,
    (c) => `What does patience taste like in ${lower(c.category)}?`,
    (c) => `Is this the ${lower(c.category)} your routine was missing?`,
    (c) => `Why are ${c.audience.split(' ').slice(0, 3).join(' ')} switching to ${c.product}?`,
  ],
  statement: [
    (c) => `${c.product} is what mornings were supposed to feel like.`,
    (c) => `Good things take time. ${c.product} took its time.`,
    (c) => `You have never tried ${lower(c.category)} like this.`,
    (c) => `${c.brand_name} made one thing, and made it properly.`,
    (_c, t) => `${cap(t)} just met its match.`,
    () => `Slow craft, fast mornings. Both are possible.`,
    (c) => `The secret of ${c.product} is patience.`,
    () => `Your routine deserves better than the usual.`,
  ],
  visual_shock: [
    () => `Watch a whole morning happen in three seconds.`,
    (c) => `This is ${c.product} at a thousand frames per second.`,
    () => `Stop scrolling: look at that pour.`,
    (c) => `Nobody expected ${c.product} to do this.`,
    () => `One drop, and the whole screen changes colour.`,
    (c) => `We froze time to show you ${c.product}.`,
    () => `Wait for the cascade in the second shot.`,
    (c) => `This is what making ${c.product} looks like in five seconds.`,
  ],
  story: [
    (c) => `At 5 a.m. someone at ${c.brand_name} is already working for you.`,
    (c) => `It started with one question at ${c.brand_name}: why rush it?`,
    () => `Maya used to skip breakfast. Then she found a ten-second ritual.`,
    (c) => `Every ${lower(c.category)} story begins long before you see it.`,
    (c) => `Our founder spilled the first batch of ${c.product}. The second changed everything.`,
    () => `This is the story of the slowest morning drink in town.`,
    (c) => `Three friends, one idea, and the first ${c.product} they never forgot.`,
    (c) => `The team behind ${c.product} has one rule: no shortcuts.`,
  ],
};

const VARIANT_TWIST: Record<Ctx['variant_type'], string[]> = {
  humorous: [
    '(Yes, really.)',
    'Your alarm clock is jealous.',
    'No lab coats were harmed.',
    'Spoiler: it is delicious.',
  ],
  serious: ['Here is why it matters.', 'Quality is a decision.', 'No shortcuts.', 'Made with intent.'],
  emotional: [
    'Made for the moments that matter.',
    'Because you deserve a pause.',
    'For the quiet start you need.',
    'A small kindness, every day.',
  ],
  educational: [
    'Here is how it works.',
    'The science is simple.',
    'Three steps make the difference.',
    'Learn what changes the taste.',
  ],
};

function hooks(c: Ctx, rand: () => number) {
  const topics = c.trends.map((t) => t.title).slice(0, 4);
  const d = directions(c.feedback);
  const types = ['question', 'statement', 'visual_shock', 'story'] as const;
  const out: { text: string; hook_type: (typeof types)[number] }[] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < c.count && i < c.count * 8; i++) {
    const type = types[i % 4] as (typeof types)[number];
    const base = pick(rand, HOOK_TEMPLATES[type])(c, topics.length ? pick(rand, topics) : c.category);
    const twist = rand() < 0.5 ? ` ${pick(rand, VARIANT_TWIST[c.variant_type])}` : '';
    let text = `${base}${d.shorter ? '' : twist}`;
    if (d.playful && rand() < 0.5) text = `${text} ${pick(rand, VARIANT_TWIST.humorous)}`;
    if (d.mention && rand() < 0.4) text = `${text} Now with ${d.mention}.`;
    // A hook is at most 200 characters (HookDrafts); long product or audience names make some too long.
    if (!seen.has(text) && text.length <= 200) {
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
    let next = pick(rand, [4, 5, 5, 4, 3]);
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

const SUBJECTS: Record<string, string[]> = {
  hook: [
    'an extreme close-up of {product} in slow motion, texture and detail filling the frame',
    '{product} revealed with a burst of light and motion',
    'a sunrise skyline reflected in a glass',
  ],
  problem: [
    'a commuter rushing past a generic vending machine',
    'an alarm clock ringing beside an untouched mug',
    'a crowded morning train carriage',
  ],
  'product reveal': [
    'the {product} hero shot on a warm oak counter, label facing camera',
    'hands sliding {product} across a sunlit counter',
    '{product} rising into frame against a seamless backdrop',
  ],
  proof: [
    'a maker checking {category} work in progress at dawn, light raking across the workshop',
    'a timelapse of {product} being made, step by careful step',
    'a hand-written brewing log on a clipboard',
  ],
  benefit: [
    'a cyclist pausing on a bridge to take a calm first sip',
    'a designer smiling at a laptop with the drink beside her',
    'friends laughing on a sunlit stoop',
  ],
  lifestyle: [
    'a quiet apartment balcony at golden hour with plants and a glass',
    'a bustling neighbourhood spot with regulars chatting',
    'a park bench in autumn light',
  ],
  'social proof': [
    'a montage of quick cuts of different people taking their first sip',
    'a handwritten sign naming {product} as a local favourite',
    'a friend handing over {product} with a grin',
  ],
  'call to action': [
    '{product} centered with the brand name and a soft glow',
    'a door opening onto a bright street',
    'a hand reaching for the last {product} on the shelf',
  ],
};
const CAMERAS = [
  'slow dolly in',
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
const LINES: Record<Ctx['variant_type'], Record<string, string[]>> = {
  emotional: {
    hook: ['Mornings, rewritten.', 'Some things are worth the wait.'],
    problem: ['Most days start in a rush.', 'We forget to pause.'],
    'product reveal': ['Meet {product}.', 'This is {product}.'],
    proof: ['Made slowly, so you do not have to be.', 'Patience goes into every {product}.'],
    benefit: ['Smooth energy that feels like you.', 'A calm start, every single day.'],
    lifestyle: ['Made for the quiet moments.', 'Your ritual, wherever you are.'],
    'social proof': ['Loved by the regulars around the corner.', 'People notice the difference.'],
    'call to action': ['{cta}.', '{cta}, and take a moment.'],
  },
  humorous: {
    hook: ['Your alarm clock called. It wants a raise.', 'Breaking news: mornings can be nice.'],
    problem: ['Exhibit A: the sad desk mug.', 'Nobody wins the morning sprint.'],
    'product reveal': ['Enter {product}. Dramatic pause.', 'Behold, {product}. Applause optional.'],
    proof: ['We take our time. We are very patient people.', 'Slow brewed, because rushing is overrated.'],
    benefit: ['Smooth energy. Zero drama.', 'Now your mornings have manners.'],
    lifestyle: ['Works on Mondays too. We checked.', 'Pairs well with sunshine and small talk.'],
    'social proof': ['Even the experts are impressed.', 'The regulars already knew.'],
    'call to action': ['{cta}. Your mornings will thank you.', '{cta}. Seriously, go.'],
  },
  educational: {
    hook: ['Here is what makes {product} different.', 'Three things make great {category}.'],
    problem: ['Rushing shows in the result.', 'Most {category} cuts corners somewhere.'],
    'product reveal': ['{product} is made the careful way.', 'Meet {product}, built without shortcuts.'],
    proof: ['Every step is slower, and you can tell.', 'Better inputs make a better {category}.'],
    benefit: ['The result is steady, lasting progress.', 'Less hassle, more of what matters.'],
    lifestyle: ['Fits into the day you already have.', 'Ready when you are.'],
    'social proof': ['Experts recommend it for a reason.', 'Regulars can tell the difference.'],
    'call to action': ['{cta}.', '{cta} and taste it yourself.'],
  },
  serious: {
    hook: ['Quality is a decision.', 'We made one thing properly.'],
    problem: ['Shortcuts show.', 'Most options cut corners.'],
    'product reveal': ['This is {product}.', '{product}. Made without shortcuts.'],
    proof: ['No rush. No shortcuts. No compromise.', 'Every batch is checked by hand.'],
    benefit: ['Clean, steady energy.', 'A smoother start.'],
    lifestyle: ['For days that matter.', 'Built for your routine.'],
    'social proof': ['Trusted by independent shops.', 'Chosen by people who notice.'],
    'call to action': ['{cta}.', '{cta}.'],
  },
};

function scene(c: Ctx, rand: () => number) {
  const d = directions(c.feedback);
  const beat = c.beat ?? { sequence: 1, duration_seconds: 4, purpose: 'hook', beat: 'hook' };
  const purpose = SUBJECTS[beat.purpose] ? beat.purpose : 'lifestyle';
  const subject = pick(rand, SUBJECTS[purpose] as string[])
    .replaceAll('{product}', c.product)
    .replaceAll('{category}', lower(c.category));
  const camera = beat.sequence === 1 ? 'slow dolly in' : pick(rand, CAMERAS);
  const lighting = pick(rand, LIGHTS);
  const style = /abstract|surreal/i.test(c.visual_style)
    ? 'abstract'
    : /photo|realistic|documentary/i.test(c.visual_style) && purpose === 'product reveal'
      ? 'hyper_realistic'
      : 'cinematic';
  const tone = d.playful ? 'humorous' : d.formal ? 'serious' : d.warmer ? 'emotional' : c.variant_type;
  const cta = c.call_to_action ?? `Try ${c.product}`;
  let voice = pick(rand, LINES[tone][purpose] ?? LINES[tone].lifestyle ?? [''])
    .replaceAll('{product}', c.product)
    .replaceAll('{category}', lower(c.category))
    .replaceAll('{cta}', cta.replace(/\.$/, ''));
  if (beat.sequence === 1 && c.hook) voice = c.hook;
  if (d.mention && purpose === 'benefit') voice = `${voice} ${cap(d.mention)}.`;
  // Keep the line speakable in the scene: about 2.3 words per second at most.
  const maxWords = Math.max(4, Math.floor(beat.duration_seconds * (d.shorter ? 1.8 : 2.3)));
  voice = fitWords(voice, maxWords);
  const paletteText = c.palette.length ? c.palette.join(', ') : 'brand colours';
  const visual_prompt = [
    `${cap(subject)}.`,
    `Camera: ${camera}, 35mm anamorphic lens, shallow depth of field, ${beat.duration_seconds}-second shot, vertical 9:16 framing.`,
    `Lighting: ${lighting}.`,
    `Colour palette strictly ${paletteText}; grade toward these tones.`,
    `Brand visual style: ${c.visual_style.replace(/\s+/g, ' ').slice(0, 220)}.`,
    `Mood: ${tone}, for ${c.audience}.`,
    `Beat ${beat.sequence} of ${c.total_beats}: ${beat.purpose}.`,
    'Negative: no text artifacts, no logos other than the brand, no distorted hands, no competitor products.',
  ].join(' ');
  const onScreen =
    purpose === 'call to action'
      ? cta
      : beat.sequence === 1
        ? ((c.hook ?? voice).split(/[.?!]/)[0] ?? '')
        : (voice.split(/[.?!]/)[0] ?? '');
  return {
    visual_prompt,
    voiceover_text: voice,
    on_screen_text: onScreen.slice(0, 60).trim(),
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
    sfx: purpose === 'hook' ? ['pour', 'ice clink'] : purpose === 'call to action' ? ['soft whoosh'] : [],
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

/** Keeps whole sentences while they fit; cuts words only when the first sentence alone is too long. */
function fitWords(text: string, maxWords: number): string {
  const sentences = text
    .match(/[^.!?]+[.!?]*/g)
    ?.map((x) => x.trim())
    .filter(Boolean) ?? [text];
  const kept: string[] = [];
  let count = 0;
  for (const sentence of sentences) {
    const n = sentence.split(/\s+/).length;
    if (count + n > maxWords) break;
    kept.push(sentence);
    count += n;
  }
  if (kept.length) return kept.join(' ');
  const cut = text.split(/\s+/).slice(0, maxWords).join(' ');
  // Prefer ending at a clause boundary over ending mid-phrase.
  const clause = cut.lastIndexOf(',');
  return `${(clause > 10 ? cut.slice(0, clause) : cut).replace(/[,;:?!.]+$/, '')}.`;
}

function platformCopy(c: Ctx, rand: () => number) {
  return { caption: `${c.hook ?? c.product} ${pick(rand, VARIANT_TWIST[c.variant_type])}`, hashtags: [] };
}
