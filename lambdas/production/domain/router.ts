import { preferredVideoModel } from '../../campaign-manager/domain/priors.js';
import { config } from '../../shared/commons.js';
import { MODELS } from '../../shared/config/index.js';
import type { AspectRatio, VideoModelSpec, VideoProviderName } from '../../shared/config/models.js';
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

type Routing = typeof MODELS.routing;
type Models = Record<VideoModelName, VideoModelSpec>;

/** What a model must do for one scene. */
export interface SceneNeeds {
  duration_seconds: number;
  /** The master's aspect (9:16); a model without it renders its own and the plan reframes. */
  aspect_ratio?: AspectRatio;
  /** The scene animates a still: only a model that takes a keyframe can render it. */
  image_to_video?: boolean;
}

/** Everything a routing decision reads, so tests can route with other rules or providers. */
export interface RouterOptions {
  routing?: Routing;
  models?: Models;
  /** Providers whose adapters are configured; undefined: all (the offline stand-in renders every model). */
  enabledProviders?: readonly VideoProviderName[];
  /** Retirement is decided against this day (default today). */
  today?: string;
  /** The brand's A/B priors (issue 8): a scene no rule claims goes to the model that has been winning. */
  priors?: BrandPriors;
}

const MASTER_ASPECT: AspectRatio = '9:16';

const isModelName = (m: string): m is VideoModelName => m in MODELS.video_models;

/**
 * The providers BIE_VIDEO_PROVIDER enables: `offline` (the default) stands in for every model, so
 * routing stays what it would be with every provider; `fal`, `fal,bedrock,gemini`, ... limit it.
 */
export function enabledVideoProviders(
  setting: string = config.BIE_VIDEO_PROVIDER,
): VideoProviderName[] | undefined {
  const names = setting
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0 || names.includes('offline')) return undefined;
  return names as VideoProviderName[];
}

const todayIso = () => new Date().toISOString().slice(0, 10);

export const isRetired = (spec: { retired_on?: string }, today = todayIso()): boolean =>
  spec.retired_on !== undefined && spec.retired_on <= today;

/** Why a model cannot render a scene, or undefined when it can. */
export function unfit(
  model: VideoModelName,
  needs: Partial<SceneNeeds>,
  opts: RouterOptions = {},
): string | undefined {
  const spec = (opts.models ?? MODELS.video_models)[model];
  if (!spec) return 'not configured';
  if (isRetired(spec, opts.today)) return `retired on ${spec.retired_on}`;
  const enabled = opts.enabledProviders ?? enabledVideoProviders();
  if (enabled && !enabled.includes(spec.provider)) return `provider ${spec.provider} not enabled`;
  const caps = spec.capabilities;
  const longest = caps.durations_seconds[caps.durations_seconds.length - 1] as number;
  if (needs.duration_seconds !== undefined && needs.duration_seconds > longest)
    return `renders at most ${longest} s`;
  if (needs.image_to_video && !caps.image_to_video) return 'takes no keyframe';
  return undefined;
}

/** A model that renders the master's aspect natively needs no reframe: preferred among equals. */
const native = (model: VideoModelName, needs: Partial<SceneNeeds>, models: Models): boolean =>
  models[model].capabilities.aspect_ratios.includes(needs.aspect_ratio ?? MASTER_ASPECT);

/**
 * The ordered models that take over a scene when `primary` fails, refuses or times out: the tier's
 * fallback chain without the primary, only models that fit the scene, are not retired and whose
 * provider is enabled; natively vertical models first (stable otherwise).
 */
export function fallbackChain(
  primary: VideoModelName,
  tier: BudgetTier,
  scene: Partial<SceneNeeds> = {},
  opts: RouterOptions = {},
): VideoModelName[] {
  const models = opts.models ?? MODELS.video_models;
  const chain = (opts.routing ?? MODELS.routing).fallback_chains[tier].filter(
    (m) => m !== primary && !unfit(m, scene, opts),
  );
  return [
    ...chain.filter((m) => native(m, scene, models)),
    ...chain.filter((m) => !native(m, scene, models)),
  ];
}

/** The first of the fallback chain (the model itself when nothing else fits). */
export function fallbackModel(
  model: VideoModelName,
  tier: BudgetTier,
  scene: Partial<SceneNeeds> = {},
  opts: RouterOptions = {},
): VideoModelName {
  return fallbackChain(model, tier, scene, opts)[0] ?? model;
}

/** What a scene asks of the model that renders it. */
export const sceneNeeds = (scene: { visual_prompt: string; duration_seconds?: number }): SceneNeeds => ({
  duration_seconds: scene.duration_seconds ?? 0,
  aspect_ratio: MASTER_ASPECT,
  image_to_video: analyzeSceneType(scene.visual_prompt) === 'image_to_video',
});

/**
 * The seed's router, kept: style and scene type pick the model that is best at the shot; the budget
 * tier limits which price classes a campaign may use. Then the pick must fit the scene (duration,
 * keyframe), be in service and have an enabled provider; otherwise the tier's fallback chain decides.
 */
export function routeScene(
  scene: Pick<Scene, 'visual_prompt' | 'visual_cues'> & { duration_seconds?: number },
  tier: BudgetTier,
  opts: RouterOptions = {},
): RouteDecision {
  const rules = opts.routing ?? MODELS.routing;
  const sceneType = analyzeSceneType(scene.visual_prompt);
  const style = scene.visual_cues.style;
  let wanted: VideoModelName = rules.default;
  let reason = 'default';
  const byStyle = rules.style[style];
  const byType = rules.scene_type[sceneType];
  if (style === 'hyper_realistic' || sceneType === 'product_shot') {
    wanted = byStyle ?? byType ?? rules.default;
    reason = style === 'hyper_realistic' ? 'hyper-realistic style' : 'product shot';
  } else if (sceneType === 'social_montage' && byType) {
    wanted = byType;
    reason = 'fast-paced social montage';
  } else if ((style === 'abstract' || sceneType === 'trippy') && (byStyle ?? byType)) {
    wanted = (byStyle ?? byType) as VideoModelName;
    reason = style === 'abstract' ? 'abstract style' : 'trippy scene';
  } else if (sceneType === 'image_to_video' && byType) {
    wanted = byType;
    reason = 'image to video';
  }
  const allowed = rules.budget_tier_allowed[tier];
  const learnedName = wanted === rules.default ? preferredVideoModel(opts.priors, allowed) : undefined;
  const learned = learnedName && isModelName(learnedName) ? learnedName : undefined;
  if (learned) {
    wanted = learned;
    reason = `brand priors: ${learned} won this brand's past A/B tests`;
  }
  if (!allowed.includes(wanted)) {
    const preferred = rules.budget_tier_preferred[tier];
    reason = `${reason}; ${wanted} is above the ${tier} tier, so ${preferred}`;
    wanted = preferred;
  }
  const needs = sceneNeeds(scene);
  const why = unfit(wanted, needs, opts);
  if (!why) return { model: wanted, scene_type: sceneType, reason };
  const next = fallbackChain(wanted, tier, needs, opts)[0];
  if (!next)
    throw new Error(
      `no configured video model of the ${tier} tier can render this scene (${wanted}: ${why})`,
    );
  return { model: next, scene_type: sceneType, reason: `${reason}; ${wanted} ${why}, so ${next}` };
}

/** The length a model is asked for: the shortest it accepts that covers the scene (trimmed later). */
export function renderSeconds(model: VideoModelName, sceneSeconds: number): number {
  const durations = MODELS.video_models[model].capabilities.durations_seconds;
  return durations.find((d) => d >= sceneSeconds) ?? (durations[durations.length - 1] as number);
}

/** The aspect a model is asked for: the master's when it has it, else its first (the plan reframes). */
export function renderAspect(model: VideoModelName): AspectRatio {
  const ratios = MODELS.video_models[model].capabilities.aspect_ratios;
  return ratios.includes(MASTER_ASPECT) ? MASTER_ASPECT : (ratios[0] as AspectRatio);
}

/** Native audio is asked for where the model offers it (the mix keeps or mutes it). */
export const rendersAudio = (model: VideoModelName): boolean =>
  MODELS.video_models[model].capabilities.native_audio;

/** The model renders only from a keyframe: one is drawn first. */
export const needsKeyframe = (model: VideoModelName): boolean =>
  !MODELS.video_models[model].capabilities.text_to_video;

/**
 * List price of a render: seconds × the model's configured price per second (with audio where it is
 * priced apart), to the micro-dollar.
 */
export function renderListPrice(model: VideoModelName, seconds: number, audio = false): number {
  const spec = MODELS.video_models[model];
  const perSecond = audio ? (spec.usd_per_second_audio ?? spec.usd_per_second) : spec.usd_per_second;
  return toUsd(Math.round(toMicros(perSecond) * seconds));
}
