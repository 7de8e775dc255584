import type { BrandProfile, Platform, Script } from '../../shared/contracts/index.js';
import { PLATFORM_SPECS } from './platforms.js';

export interface PlatformCopy {
  caption: string;
  hashtags: string[];
  title?: string;
}

/** `#CamelCase` from free text, letters and digits only. */
export function toHashtag(text: string): string | undefined {
  const words = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/^#/, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 4);
  const tag = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return tag.length >= 3 && tag.length <= 40 ? `#${tag}` : undefined;
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max - 1));
  return `${cut.slice(0, Math.max(0, cut.lastIndexOf(' '))).replace(/[\s,.;:]+$/, '')}…`;
}

const TONE_OPENERS: Record<string, (s: string) => string> = {
  casual: (s) => s,
  warm: (s) => s,
  descriptive: (s) => s,
  professional: (s) => s.replace(/!+/g, '.'),
};

/**
 * Platform caption, hashtags and title: tone per platform, brand and trend hashtags deduplicated,
 * limits respected with the hashtags counted, and no restricted term (checked, not hoped for).
 */
export function writePlatformCopy(args: {
  platform: Platform;
  script: Pick<Script, 'hook' | 'scenes' | 'variant_tag'>;
  brand: Pick<BrandProfile, 'name' | 'hashtags' | 'restricted_keywords'>;
  trendingTopics: string[];
  callToAction: string;
  feedback?: string;
  restrictedCheck: (text: string) => string[];
}): PlatformCopy {
  const spec = PLATFORM_SPECS[args.platform];
  const f = (args.feedback ?? '').toLowerCase();
  const formal = /formal|professional/.test(f) || spec.tone === 'professional';
  const short = /short|concise|brief/.test(f);
  const mention = /mention(?:s|ing)?\s+(?:the\s+)?([^.,;!?]+)/i.exec(args.feedback ?? '')?.[1]?.trim();
  const ok = (t: string) => args.restrictedCheck(t).length === 0;
  const body = args.script.scenes.map((s) => s.voiceover_text).filter(ok);
  const sentences = [
    args.script.hook.text,
    ...(short ? body.slice(1, 2) : body.slice(1, spec.tone === 'descriptive' ? body.length : 3)),
    mention ? `${mention.charAt(0).toUpperCase()}${mention.slice(1)}.` : '',
    formal ? `${args.callToAction.replace(/!+$/, '')}.` : `${args.callToAction.replace(/[.!]+$/, '')}!`,
  ]
    .map((s) => s.trim())
    .filter((s) => s && ok(s));
  let text = TONE_OPENERS[spec.tone]?.([...new Set(sentences)].join(' ')) ?? '';
  const candidates = [
    ...args.brand.hashtags,
    args.brand.name,
    ...args.trendingTopics,
    args.script.variant_tag,
  ];
  const seen = new Set<string>();
  const hashtags: string[] = [];
  for (const c of candidates) {
    const tag = toHashtag(c);
    if (!tag || !ok(tag.slice(1).replace(/([a-z])([A-Z])/g, '$1 $2')) || !ok(tag)) continue;
    const k = tag.toLowerCase();
    if (seen.has(k)) continue;
    seen.add(k);
    hashtags.push(tag);
    if (hashtags.length >= (short ? Math.min(3, spec.hashtags_max) : spec.hashtags_max)) break;
  }
  const tagText = hashtags.join(' ');
  const room = spec.caption_max - (spec.hashtags_in_caption && tagText ? tagText.length + 2 : 0);
  text = truncate(text, room);
  const caption = spec.hashtags_in_caption && tagText ? `${text}\n\n${tagText}` : text;
  const title = spec.title_max
    ? truncate(`${args.script.hook.text} | ${args.brand.name}`, spec.title_max)
    : undefined;
  for (const t of [caption, title ?? '']) {
    const hit = args.restrictedCheck(t);
    if (hit.length) throw new Error(`platform copy still contains restricted terms: ${hit.join(', ')}`);
  }
  return { caption, hashtags, ...(title ? { title } : {}) };
}
