import type { z } from 'zod';
import { logger } from '../commons.js';
import type { BrandProfile, CampaignRequest } from '../contracts/index.js';
import type { TextModel, Usage } from '../ports/index.js';

/**
 * Versioned prompt templates for the real text models. Every template carries the brand context the
 * scorers judge against (voice, claims policy, restricted terms, audience, products, category), so a
 * model is told the rules it is measured by. Bump a template's version whenever its wording changes:
 * logs and `bench/creative.ts` name the version, so a prompt change is measured, not guessed.
 */

export type CreativeTask = 'creative_brief' | 'hook_variations' | 'script_outline' | 'scene';

/** The brand facts every prompt carries. */
export interface BrandContext {
  brand_name: string;
  category: string;
  product: string;
  product_description?: string;
  audience: string;
  voice_tone: string;
  visual_style: string;
  palette: string[];
  claims_policy: string;
  restricted_terms: string[];
  call_to_action?: string;
}

export function brandContext(brand: BrandProfile, request: CampaignRequest): BrandContext {
  return {
    brand_name: brand.name,
    category: request.product_category,
    product: request.product_name ?? request.product_category,
    product_description: request.product_description,
    audience: [request.target_demographic, brand.audience].filter(Boolean).join('. '),
    voice_tone: brand.voice_tone,
    visual_style: brand.visual_style,
    palette: brand.color_palette,
    claims_policy: brand.claims_policy,
    restricted_terms: brand.restricted_keywords,
    call_to_action: request.call_to_action,
  };
}

export interface PromptTemplate<V> {
  task: CreativeTask;
  version: string;
  system(b: BrandContext): string;
  prompt(b: BrandContext, v: V): string;
}

/** The rules the scorers enforce, in the words a model follows. */
const rules = (b: BrandContext): string =>
  [
    `Brand: ${b.brand_name}. Category: ${b.category}. Product: ${b.product}${b.product_description ? ` (${b.product_description})` : ''}.`,
    `Audience: ${b.audience}.`,
    `Voice and tone: ${b.voice_tone}`,
    `Claims policy: ${b.claims_policy || 'no health, safety or absolute claims'}. Never promise results you cannot measure, never use superlatives ("best", "#1", "ultimate"), never make health or safety claims, never name or compare with competitors.`,
    b.restricted_terms.length
      ? `Never use these terms in any form (plural, tense, comparative, spelled out or disguised): ${b.restricted_terms.join('; ')}. Rewrite the whole sentence instead of dropping a word.`
      : '',
    `Write only about ${b.category}: no vocabulary, products or settings of other categories or brands.`,
    'Every sentence complete; one call to action, at the end only.',
  ]
    .filter(Boolean)
    .join('\n');

export const PROMPTS = {
  creative_brief: {
    task: 'creative_brief',
    version: 'brief@2',
    system: (b) => `You are the strategist of ${b.brand_name}. Write a creative brief as JSON.\n${rules(b)}`,
    prompt: (_b, v: { request: unknown; guidelines: string[]; trends: string[]; feedback?: string }) =>
      `Campaign request: ${JSON.stringify(v.request)}\nBrand guidelines:\n${v.guidelines.join('\n---\n')}\nTrends relevant to the brand (use only if they fit):\n${v.trends.map((t) => `- ${t}`).join('\n') || '- none'}${v.feedback ? `\nReviewer feedback to apply: ${v.feedback}` : ''}`,
  } satisfies PromptTemplate<{ request: unknown; guidelines: string[]; trends: string[]; feedback?: string }>,
  hook_variations: {
    task: 'hook_variations',
    version: 'hooks@2',
    system: (b) => `You are the copywriter of ${b.brand_name}. Answer with JSON only.\n${rules(b)}`,
    prompt: (_b, v: { count: number; variant: string; core: unknown; feedback?: string }) =>
      `Write ${v.count} distinct hooks (question, statement, visual_shock, story) for a ${v.variant} short video, each one complete sentence or question of 6–14 words, in the brand voice. Brief: ${JSON.stringify(v.core)}${v.feedback ? `\nReviewer feedback: ${v.feedback}` : ''}`,
  } satisfies PromptTemplate<{ count: number; variant: string; core: unknown; feedback?: string }>,
  script_outline: {
    task: 'script_outline',
    version: 'outline@2',
    system: (b) => `You are the copywriter of ${b.brand_name}. Answer with JSON only.\n${rules(b)}`,
    prompt: (_b, v: { seconds: number; variant: string; hook: string; feedback?: string }) =>
      `Break a ${v.seconds}-second ${v.variant} video into 3–5 second beats, opening with the hook "${v.hook}" and ending on the call to action (the only beat that carries it).${v.feedback ? `\nReviewer feedback: ${v.feedback}` : ''}`,
  } satisfies PromptTemplate<{ seconds: number; variant: string; hook: string; feedback?: string }>,
  scene: {
    task: 'scene',
    version: 'scene@2',
    system: (b) =>
      `You are the copywriter of ${b.brand_name}. Visual style: ${b.visual_style}. Palette: ${b.palette.join(', ')}. Answer with JSON only.\n${rules(b)}`,
    prompt: (_b, v: { sequence: number; seconds: number; purpose: string; last: boolean }) =>
      `Write scene ${v.sequence} (${v.seconds}s, ${v.purpose}): a dense cinematic visual prompt for a video model (subject, action, camera, lens, lighting, the palette hexes, the brand style, mood, negatives), a voiceover of complete sentences that fits ${Math.floor(v.seconds * 2.3)} words and describes what this scene shows, short on-screen text and audio cues.${v.last ? ' This is the last scene: it carries the call to action.' : ' Do not add a call to action here.'}`,
  } satisfies PromptTemplate<{ sequence: number; seconds: number; purpose: string; last: boolean }>,
} as const;

/** Emails, URLs with their query, keys and long digit runs out; long answers cut: what the logs may keep. */
export function redact(text: string, max = 1500): string {
  const out = text
    .replace(/[\w.+-]+@[\w-]+\.[\w.-]+/g, '[email]')
    .replace(/https?:\/\/[^\s"']+/g, (u) => u.replace(/[?#].*$/, '?[redacted]'))
    .replace(/\b(sk|pk|rk|whsec|AKIA)[-_A-Za-z0-9]{12,}/g, '[key]')
    .replace(/\b\d{9,}\b/g, '[number]');
  return out.length > max ? `${out.slice(0, max)}… [${out.length - max} more characters]` : out;
}

/**
 * One model call from a template: the model, the template's version and a redacted answer are logged
 * with every call, so any output in review can be traced to the exact prompt that produced it.
 */
export async function generateFromTemplate<V, S extends z.ZodType>(
  model: TextModel,
  template: PromptTemplate<V>,
  brand: BrandContext,
  vars: V,
  opts: { schema: S; context: Record<string, unknown>; seed?: number },
): Promise<{ value: z.infer<S>; usage: Usage; prompt_version: string }> {
  const { value, usage } = await model.generate({
    task: template.task,
    schema: opts.schema,
    system: template.system(brand),
    prompt: template.prompt(brand, vars),
    context: {
      ...opts.context,
      claims_policy: brand.claims_policy,
      restricted_terms: brand.restricted_terms,
      prompt_version: template.version,
    },
    seed: opts.seed,
  });
  logger.info('text model call', {
    task: template.task,
    model: usage.model,
    provider: usage.provider,
    prompt_version: template.version,
    response: redact(JSON.stringify(value)),
  });
  return { value, usage, prompt_version: template.version };
}
