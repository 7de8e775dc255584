import { findRestrictedTerms, normaliseForMatching } from '../../shared/brand-safety/restricted-terms.js';
import { type BrandProfile, COMPLIANCE_THRESHOLD, type Script } from '../../shared/contracts/index.js';

export { findRestrictedTerms, scrubRestricted } from '../../shared/brand-safety/restricted-terms.js';

const ABSOLUTE_CLAIMS =
  /\b(guaranteed?|#1|number one|best ever|100% (?:natural|effective|guaranteed)|cures?|miracle|risk[- ]free|clinically proven)\b/i;

export interface ComplianceReport {
  score: number;
  breakdown: Record<string, number>;
  violations: { term: string; field_path: string }[];
  passed: boolean;
}

/**
 * Brand compliance of a script. Any restricted term anywhere (hook, voiceover, on-screen text, visual
 * prompts) is a violation and scores 0 — no model output can talk its way past it. Otherwise:
 * palette in every visual prompt 30 %, brand visual style named 20 %, claims policy (no absolute claims)
 * 25 %, tone words of the brand voice present 15 %, a call to action in the last scene 10 %.
 */
export function checkScriptCompliance(
  script: Pick<Script, 'hook' | 'scenes' | 'voiceover_full_text'>,
  brand: Pick<BrandProfile, 'restricted_keywords' | 'color_palette' | 'visual_style' | 'voice_tone'>,
  callToAction: string,
): ComplianceReport {
  const fields: [string, string][] = [
    ['hook.text', script.hook.text],
    ['voiceover_full_text', script.voiceover_full_text],
    ...script.scenes.flatMap((s, i): [string, string][] => [
      [`scenes[${i}].voiceover_text`, s.voiceover_text],
      [`scenes[${i}].visual_prompt`, s.visual_prompt],
      [`scenes[${i}].on_screen_text`, s.on_screen_text ?? ''],
    ]),
  ];
  const violations = fields.flatMap(([path, text]) =>
    findRestrictedTerms(text, brand.restricted_keywords).map((term) => ({ term, field_path: path })),
  );
  const palette =
    script.scenes.filter((s) =>
      brand.color_palette.every((c) => s.visual_prompt.toUpperCase().includes(c.toUpperCase())),
    ).length / script.scenes.length;
  const styleWords = normaliseForMatching(brand.visual_style)
    .split(' ')
    .filter((w) => w.length > 5)
    .slice(0, 12);
  const style =
    script.scenes.filter((s) => styleWords.some((w) => normaliseForMatching(s.visual_prompt).includes(w)))
      .length / script.scenes.length;
  const claims = fields.some(([, t]) => ABSOLUTE_CLAIMS.test(t)) ? 0 : 1;
  const toneWords = normaliseForMatching(brand.voice_tone)
    .split(' ')
    .filter((w) => w.length > 4);
  const voice = normaliseForMatching(script.voiceover_full_text);
  const tone = Math.min(1, toneWords.filter((w) => voice.includes(w)).length / 2 + 0.5);
  const last = script.scenes[script.scenes.length - 1];
  const ctaWords = normaliseForMatching(callToAction)
    .split(' ')
    .filter((w) => w.length > 3);
  const cta =
    last &&
    ctaWords.some((w) =>
      normaliseForMatching(`${last.voiceover_text} ${last.on_screen_text ?? ''}`).includes(w),
    )
      ? 1
      : 0;
  const breakdown = { palette, style, claims, tone, cta, restricted_terms: violations.length ? 0 : 1 };
  const score = violations.length
    ? 0
    : Math.round((0.3 * palette + 0.2 * style + 0.25 * claims + 0.15 * tone + 0.1 * cta) * 1000) / 1000;
  return { score, breakdown, violations, passed: !violations.length && score >= COMPLIANCE_THRESHOLD };
}
