import { describeHit, rewriteRestricted } from '../../shared/brand-safety/restricted-terms.js';
import type { BrandProfile, SceneDraft } from '../../shared/contracts/index.js';

/** A field rewritten because of a restricted term: which sentences went, and which rule fired. */
export interface SceneRewrite {
  field_path: string;
  removed: string[];
  hits: string[];
  fallback: boolean;
}

export interface DraftScene {
  scene_id: string;
  duration_seconds: number;
  draft: SceneDraft;
}

/**
 * The scenes of a script from their drafts, in order. A sentence with a restricted term is taken out
 * whole (rewriteRestricted): never a fragment. A voiceover left empty says a clean line that fits its
 * place (the call to action in the last scene, the product elsewhere); the hard compliance check still
 * runs afterwards, so a fallback can never smuggle a term through.
 */
export function finalizeScenes(
  drafts: DraftScene[],
  brand: Pick<BrandProfile, 'restricted_keywords' | 'color_palette' | 'visual_style'>,
  facts: { product: string; callToAction: string },
  report: (r: SceneRewrite) => void = () => {},
) {
  const terms = brand.restricted_keywords;
  return drafts.map((s, i) => {
    const last = i === drafts.length - 1;
    const rewrite = (field: string, text: string, fallback = '') => {
      const r = rewriteRestricted(text, terms, fallback);
      if (r.hits.length)
        report({
          field_path: `scenes[${i}].${field}`,
          removed: r.removed,
          hits: r.hits.map(describeHit),
          fallback: r.usedFallback,
        });
      return r.text;
    };
    return {
      scene_id: s.scene_id,
      sequence: i + 1,
      duration_seconds: s.duration_seconds,
      visual_prompt: rewrite(
        'visual_prompt',
        s.draft.visual_prompt,
        `A clear, well-lit shot of ${facts.product}. Brand visual style: ${brand.visual_style.replace(/\s+/g, ' ').slice(0, 200)}.`,
      ),
      voiceover_text:
        rewrite(
          'voiceover_text',
          s.draft.voiceover_text,
          last ? `${facts.callToAction.replace(/[.!]*$/, '')}.` : `This is ${facts.product}.`,
        ) || `${facts.product}.`,
      on_screen_text: rewrite('on_screen_text', s.draft.on_screen_text),
      visual_cues: {
        style: s.draft.style,
        color_palette: brand.color_palette,
        camera_movement: s.draft.camera_movement,
        lighting: s.draft.lighting,
      },
      audio_cues: { music_style: s.draft.music_style, sfx: s.draft.sfx, voice_tone: s.draft.voice_tone },
    };
  });
}
