/**
 * Live checks of a caption edit against the platform's limits and the brand's restricted terms. The API
 * checks again (and more thoroughly: word forms, obfuscations); this is what the reviewer sees as they type.
 */
export interface CaptionCheck {
  field: 'caption' | 'hashtags';
  message: string;
}

const fold = (s: string) =>
  s
    .normalize('NFKC')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .toLowerCase();

export function checkPost(
  post: { caption: string; hashtags: string[]; caption_max: number; hashtags_max: number },
  restricted: string[],
): CaptionCheck[] {
  const issues: CaptionCheck[] = [];
  // Platforms count UTF-16 code units (TikTok, Instagram) — as String.length does.
  const length = post.caption.length + post.hashtags.join(' ').length + (post.hashtags.length ? 1 : 0);
  if (length > post.caption_max)
    issues.push({
      field: 'caption',
      message: `${length} characters with hashtags; the limit is ${post.caption_max}`,
    });
  if (!post.caption.trim()) issues.push({ field: 'caption', message: 'the caption is empty' });
  if (post.hashtags.length > post.hashtags_max)
    issues.push({
      field: 'hashtags',
      message: `${post.hashtags.length} hashtags; at most ${post.hashtags_max}`,
    });
  for (const tag of post.hashtags)
    if (!/^#[\p{L}\p{N}_]+$/u.test(tag))
      issues.push({ field: 'hashtags', message: `"${tag}" is not a hashtag (# then letters, digits or _)` });
  const text = fold(`${post.caption} ${post.hashtags.join(' ')}`);
  for (const term of restricted) {
    const t = fold(term).trim();
    if (!t) continue;
    const re = new RegExp(`(^|[^\\p{L}\\p{N}])${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'u');
    if (re.test(text)) issues.push({ field: 'caption', message: `uses the restricted term "${term}"` });
  }
  return issues;
}

export const parseHashtags = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => (t.startsWith('#') ? t : `#${t}`));
