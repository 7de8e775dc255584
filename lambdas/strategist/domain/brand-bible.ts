import { BrandProfile, type GuidelineCategory, type GuidelineSection } from '../../shared/contracts/index.js';
import { type FieldIssue, ValidationError } from '../../shared/errors.js';
import { brandIdFor } from '../../shared/ids.js';
import { parseOrThrow } from '../../shared/validation.js';

/** Heading keywords → how a section is used downstream. First match wins, in this order. */
const CATEGORY_RULES: [GuidelineCategory, RegExp][] = [
  ['restricted', /restrict|banned|forbidden|prohibited|avoid|do not say|don'?t say|never say/i],
  ['color_palette', /colou?r|palette/i],
  ['voice_tone', /voice|tone|personality|how we (speak|sound|write)/i],
  ['visual_style', /visual|style|look|imagery|aesthetic|photograph/i],
  ['claims_policy', /claim|legal|compliance|disclaim/i],
  ['audience', /audience|customer|persona|who we serve|target/i],
];

export const classifyHeading = (heading: string): GuidelineCategory =>
  CATEGORY_RULES.find(([, re]) => re.test(heading))?.[0] ?? 'general';

const HEX = /#([0-9a-f]{6}|[0-9a-f]{3})\b/gi;

export function normaliseHex(hex: string): string {
  const h = hex.replace('#', '').toUpperCase();
  return `#${h.length === 3 ? [...h].map((c) => c + c).join('') : h}`;
}

const bullets = (content: string): string[] =>
  content
    .split('\n')
    .map((l) => /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/.exec(l)?.[1]?.trim())
    .filter((l): l is string => Boolean(l))
    .map((l) =>
      l
        .replace(/^["'“”‘’`]+|["'“”‘’`]+$/g, '')
        .replace(/[.;,:!]+$/, '')
        .replace(/^["'“”‘’`]+|["'“”‘’`]+$/g, '')
        .trim(),
    )
    .filter(Boolean);

/**
 * Markdown brand bible: `# Brand name`, then `## ` sections classified by heading. Hex colours in the
 * palette section are the palette; bullets under a restricted heading are restricted terms; bullets
 * under a hashtags heading are the brand hashtags.
 */
export function parseBrandBible(markdown: string, brandId?: string): BrandProfile {
  const issues: FieldIssue[] = [];
  const title = /^#\s+(.+?)\s*$/m.exec(markdown)?.[1]?.trim();
  if (!title) issues.push({ path: 'title', message: 'a brand bible starts with "# Brand name"' });
  const sections: GuidelineSection[] = [];
  const parts = markdown.split(/^##\s+/m).slice(1);
  for (const part of parts) {
    const [headingLine = '', ...rest] = part.split('\n');
    const heading = headingLine.trim();
    const content = rest.join('\n').trim();
    if (!heading || !content) continue;
    sections.push({ category: classifyHeading(heading), heading, content });
  }
  if (!sections.length) issues.push({ path: 'sections', message: 'no "## " sections found' });
  const of = (c: GuidelineCategory) => sections.filter((s) => s.category === c);
  const palette = [
    ...new Set(of('color_palette').flatMap((s) => (s.content.match(HEX) ?? []).map(normaliseHex))),
  ];
  if (!palette.length)
    issues.push({
      path: 'sections.color_palette',
      message: 'a colour palette section with at least one #hex colour is required',
    });
  if (!of('voice_tone').length)
    issues.push({ path: 'sections.voice_tone', message: 'a voice / tone section is required' });
  if (!of('visual_style').length)
    issues.push({ path: 'sections.visual_style', message: 'a visual style section is required' });
  if (issues.length) throw new ValidationError('invalid brand bible', issues);
  const hashtagSections = sections.filter((s) => /hashtag/i.test(s.heading));
  const restricted = [
    ...new Set(
      of('restricted')
        .flatMap((s) => bullets(s.content))
        .map((t) => t.toLowerCase()),
    ),
  ];
  return parseOrThrow(
    BrandProfile,
    {
      brand_id: brandId ?? brandIdFor(title as string),
      name: title,
      voice_tone: of('voice_tone')
        .map((s) => s.content)
        .join('\n\n'),
      visual_style: of('visual_style')
        .map((s) => s.content)
        .join('\n\n'),
      color_palette: palette,
      restricted_keywords: restricted,
      claims_policy: of('claims_policy')
        .map((s) => s.content)
        .join('\n\n'),
      audience: of('audience')
        .map((s) => s.content)
        .join('\n\n'),
      hashtags: hashtagSections
        .flatMap((s) => bullets(s.content))
        .map((h) => (h.startsWith('#') ? h : `#${h}`).replace(/\s+/g, '')),
      guidelines: sections.filter((s) => !hashtagSections.includes(s)),
    },
    'brand bible',
  );
}

/** A brand bible file: JSON matching BrandProfile, or Markdown. */
export function loadBrandBible(text: string, brandId?: string): BrandProfile {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (e) {
      throw new ValidationError('invalid brand profile', [
        { path: '', message: `not valid JSON: ${(e as Error).message}` },
      ]);
    }
    return parseOrThrow(
      BrandProfile,
      brandId ? { ...(json as object), brand_id: brandId } : json,
      'brand profile',
    );
  }
  return parseBrandBible(text, brandId);
}

/** Splits sections into ~500-character chunks on paragraph and bullet boundaries. */
export function chunkGuidelines(
  profile: BrandProfile,
  maxChars = 500,
): { category: GuidelineCategory; heading: string; content: string }[] {
  const chunks: { category: GuidelineCategory; heading: string; content: string }[] = [];
  for (const s of profile.guidelines) {
    let current = '';
    for (const para of s.content.split(/\n(?=\s*[-*+]\s)|\n\s*\n/)) {
      if (current && current.length + para.length > maxChars) {
        chunks.push({ category: s.category, heading: s.heading, content: current.trim() });
        current = '';
      }
      current += `${para}\n`;
    }
    if (current.trim()) chunks.push({ category: s.category, heading: s.heading, content: current.trim() });
  }
  return chunks;
}
