import { preferredVideoModel } from '../../campaign-manager/domain/priors.js';
import { MODELS } from '../../shared/config/index.js';
import type { BrandPriors, BudgetTier, Scene, VideoModelName } from '../../shared/contracts/index.js';
import { toMicros, toUsd } from '../../shared/money.js';

export type SceneType = 'product_shot' | 'social_montage' | 'trippy' | 'image_to_video' | 'narrative';

/** Keyword cues per scene type; the first type whose cues appear most often in the prompt wins. */
const SCENE_TYPE_CUES: Record<Exclude<SceneType, 'narrative'>, RegExp> = {
  product_shot:
    /\b(product|packshot|pack shot|bottle|bag|package|packaging|label|hero shot|close[- ]up of the (?:cup|product|bag|bottle))\b/gi,
  social_montage: /\b(montage|quick cuts?|fast[- ]paced|jump cuts?|split[- ]screen|rapid|whip pan)\b/gi,
  trippy: /\b(psychedelic|kaleidoscop\w*|surreal|dreamlike|trippy|fractal|liquid shapes?)\b/gi,
  image_to_video:
    /\b(still (?:photo|image) (?:comes|coming) alive|animate the (?:photo|image)|from a still)\b/gi,
};

export function analyzeSceneType(visualPrompt: string): SceneType {
  let best: SceneType = 'narrative';
  let bestCount = 0;
  for (const [type, cue] of Object.entries(SCENE_TYPE_CUES) as [SceneType, RegExp][]) {
    const count = visualPrompt.match(cue)?.length ?? 0;
    if (count > bestCount) {
      best = type;
      bestCount = count;
    }
  }
  return best;
}

export interface RouteDecision {
  model: VideoModelName;
  scene_type: SceneType;
  reason: string;
}

const isModel = (m: string): m is VideoModelName => m in MODELS.video_models;

/**
 * The seed's router: style and scene type pick the model that is best at the shot; the budget tier
 * then limits which price classes a campaign may use (premium → Sora allowed, volume → Seedream/Nano B).
 */
export function routeScene(
  scene: Pick<Scene, 'visual_prompt' | 'visual_cues'>,
  tier: BudgetTier,
  /** The brand's A/B priors (issue 8): a scene no rule claims goes to the model that has been winning. */
  priors?: BrandPriors,
): RouteDecision {
  const rules = MODELS.routing;
  const sceneType = analyzeSceneType(scene.visual_prompt);
  const style = scene.visual_cues.style;
  let wanted: string = rules.default;
  let reason = 'default: highest quality';
  const byStyle = (rules.style as Record<string, string>)[style];
  const byType = (rules.scene_type as Record<string, string>)[sceneType];
  if (style === 'hyper_realistic' || sceneType === 'product_shot') {
    wanted = byStyle ?? byType ?? rules.default;
    reason = style === 'hyper_realistic' ? 'hyper-realistic style' : 'product shot';
  } else if (sceneType === 'social_montage' && byType) {
    wanted = byType;
    reason = 'fast-paced social montage';
  } else if ((style === 'abstract' || sceneType === 'trippy') && (byStyle ?? byType)) {
    wanted = (byStyle ?? byType) as string;
    reason = style === 'abstract' ? 'abstract style' : 'trippy scene';
  } else if (sceneType === 'image_to_video' && byType) {
    wanted = byType;
    reason = 'image to video';
  }
  const allowed = rules.budget_tier_allowed[tier];
  const learned = wanted === rules.default ? preferredVideoModel(priors, allowed) : undefined;
  if (learned) {
    wanted = learned;
    reason = `brand priors: ${learned} won this brand's past A/B tests`;
  }
  if (!allowed.includes(wanted)) {
    const preferred = rules.budget_tier_preferred[tier];
    reason = `${reason}; ${wanted} is above the ${tier} tier, so ${preferred}`;
    wanted = preferred;
  }
  if (!isModel(wanted)) throw new Error(`routing configuration names an unknown model: ${wanted}`);
  return { model: wanted, scene_type: sceneType, reason };
}

/** The fallback when the routed model fails, kept inside the campaign's tier. */
export function fallbackModel(model: VideoModelName, tier: BudgetTier): VideoModelName {
  const allowed = MODELS.routing.budget_tier_allowed[tier];
  const configured = MODELS.video_models[model].fallback;
  const pick = allowed.includes(configured) ? configured : (allowed.find((m) => m !== model) ?? model);
  if (!isModel(pick)) throw new Error(`routing configuration names an unknown model: ${pick}`);
  return pick;
}

/** List price of a render: seconds × the model's configured price per second, to the micro-dollar. */
export function renderListPrice(model: VideoModelName, seconds: number): number {
  return toUsd(Math.round(toMicros(MODELS.video_models[model].usd_per_second) * seconds));
}
