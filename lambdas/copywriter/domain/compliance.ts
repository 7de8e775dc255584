import {
  capForFindings,
  describeFindings,
  type JudgedBrand,
  type JudgedRequest,
  judgeCopy,
} from '../../shared/brand-safety/copy-judge.js';
import { normaliseForMatching, scanRestricted } from '../../shared/brand-safety/restricted-terms.js';
import { type BrandProfile, COMPLIANCE_THRESHOLD, type Script } from '../../shared/contracts/index.js';

export { findRestrictedTerms, scrubRestricted } from '../../shared/brand-safety/restricted-terms.js';

export interface ComplianceReport {
  score: number;
  breakdown: Record<string, number>;
  violations: { term: string; field_path: string; form: string; rule: string; index: number }[];
  findings: string[];
  passed: boolean;
}

type ScriptCopy = Pick<Script, 'hook' | 'scenes' | 'voiceover_full_text'>;

/** What a viewer hears or reads: the hook, the voiceover and the on-screen text. */
const spokenCopy = (s: ScriptCopy): string =>
  [s.hook.text, ...s.scenes.flatMap((sc) => [sc.voiceover_text, sc.on_screen_text ?? ''])]
    .filter(Boolean)
    .join('\n');

/**
 * Brand compliance of a script. Any restricted term in any form anywhere (hook, voiceover, on-screen
 * text, visual prompts) is a violation naming field, form, rule and position, and scores 0: no model
 * output can talk its way past it. Otherwise the spoken and shown copy is judged against the bible
 * (copy-judge): claims policy 20 %, voice and tone 20 %, on-category vocabulary 20 % (visual prompts
 * included: the pictures must not be another brand's), structure 10 % (no fragments, the call to action
 * once); then the palette in every visual prompt 10 %, the brand visual style named 10 %, the call to
 * action in the last scene 10 %. A claim, an off-category word, a voice break or a fragment caps the
 * score below the 0.90 gate.
 */
export function checkScriptCompliance(
  script: ScriptCopy,
  brand: Pick<BrandProfile, 'restricted_keywords' | 'color_palette' | 'visual_style' | 'voice_tone'> &
    Partial<JudgedBrand>,
  callToAction: string,
  request?: JudgedRequest,
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
    scanRestricted(text, brand.restricted_keywords).map((h) => ({
      term: h.term,
      field_path: path,
      form: h.form,
      rule: h.rule,
      index: h.index,
    })),
  );
  const judged: JudgedBrand = {
    name: brand.name ?? '',
    voice_tone: brand.voice_tone,
    visual_style: brand.visual_style,
    restricted_keywords: brand.restricted_keywords,
    claims_policy: brand.claims_policy ?? '',
    audience: brand.audience ?? '',
    guidelines: brand.guidelines ?? [],
  };
  const spoken = judgeCopy(spokenCopy(script), judged, request);
  // Structure is judged on the voiceover alone: on-screen text may repeat the call to action it shows.
  const structure = judgeCopy(script.voiceover_full_text, judged, request, {
    prose: true,
    callToAction,
  }).findings.filter((f) => f.check === 'structure');
  const visuals = judgeCopy(script.scenes.map((s) => s.visual_prompt).join('\n'), judged, request);
  const offCategory = [
    ...spoken.findings.filter((f) => f.check === 'off_category'),
    ...visuals.findings.filter(
      (f) => f.check === 'off_category' && !spoken.findings.some((g) => g.text === f.text),
    ),
  ];
  const judgement = {
    scores: {
      ...spoken.scores,
      off_category: Math.max(0, 1 - 0.35 * offCategory.length),
      structure: Math.max(0, 1 - 0.3 * structure.length),
    },
    findings: [
      ...spoken.findings.filter((f) => f.check !== 'off_category' && f.check !== 'structure'),
      ...offCategory,
      ...structure,
    ],
  };
  const j = judgement.scores;

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
  const breakdown = {
    restricted_terms: violations.length ? 0 : 1,
    claims: round(j.claims),
    voice: round(j.voice),
    off_category: round(j.off_category),
    structure: round(j.structure),
    palette: round(palette),
    style: round(style),
    cta,
  };
  const weighted =
    0.2 * j.claims +
    0.2 * j.voice +
    0.2 * j.off_category +
    0.1 * j.structure +
    0.1 * palette +
    0.1 * style +
    0.1 * cta;
  const score = violations.length ? 0 : round(Math.min(weighted, capForFindings(judgement)));
  return {
    score,
    breakdown,
    violations,
    findings: [
      ...violations.map(
        (v) => `restricted: "${v.term}" as "${v.form}" (${v.rule}) in ${v.field_path} at ${v.index}`,
      ),
      ...describeFindings(judgement).filter((f) => !f.startsWith('restricted:')),
    ],
    passed: !violations.length && score >= COMPLIANCE_THRESHOLD,
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
