import { describe, expect, it } from 'vitest';
import {
  analyzeSceneType,
  enabledVideoProviders,
  fallbackChain,
  fallbackModel,
  renderAspect,
  renderListPrice,
  renderSeconds,
  routeScene,
  unfit,
} from '../../../lambdas/production/domain/router.js';
import { MODELS, readVariable } from '../../../lambdas/shared/config/index.js';
import { parseVideoModels } from '../../../lambdas/shared/config/models.js';
import modelsJson from '../../../lambdas/shared/config/models.json' with { type: 'json' };
import { VideoModelName } from '../../../lambdas/shared/contracts/index.js';

const scene = (
  visual_prompt: string,
  style: 'hyper_realistic' | 'abstract' | 'cinematic',
  duration_seconds = 4,
) => ({
  visual_prompt,
  duration_seconds,
  visual_cues: { style, color_palette: ['#000000'], camera_movement: 'static', lighting: 'soft' },
});
const ALL = { enabledProviders: undefined, today: '2026-11-29' } as const;

describe('the model router', () => {
  it('sends hyper-realistic scenes and product shots to Veo 3.1 (Gemini API) on a premium budget', () => {
    expect(routeScene(scene('a barista pours latte art', 'hyper_realistic'), 'premium', ALL).model).toBe(
      'gemini_veo31',
    );
    expect(
      routeScene(scene('hero shot of the product on a marble counter', 'cinematic'), 'premium', ALL).model,
    ).toBe('gemini_veo31');
  });

  it('sends fast-paced montages to Veo 3.1 fast', () => {
    expect(
      routeScene(scene('a montage of quick cuts through a busy city morning', 'cinematic'), 'premium', ALL)
        .model,
    ).toBe('veo31_fast');
  });

  it('sends abstract scenes to Seedream/Seedance and stills that come alive to Kling', () => {
    expect(routeScene(scene('swirling shapes', 'abstract'), 'premium', ALL).model).toBe('seedream');
    expect(
      routeScene(scene('a still photo comes alive in the morning light', 'cinematic'), 'premium', ALL).model,
    ).toBe('kling_i2v');
  });

  it('keeps a standard budget off the premium models', () => {
    const decision = routeScene(scene('hero shot of the product', 'hyper_realistic'), 'standard', ALL);
    expect(decision.model).toBe('veo31_fast');
    expect(decision.reason).toContain('above the standard tier');
  });

  it('keeps a volume budget on the cheapest class', () => {
    expect(MODELS.routing.budget_tier_allowed.volume).toContain(
      routeScene(scene('a narrative moment', 'cinematic'), 'volume', ALL).model,
    );
  });

  it('classifies scene types from the prompt', () => {
    expect(analyzeSceneType('a psychedelic kaleidoscope of beans')).toBe('trippy');
    expect(analyzeSceneType('two friends laugh on a bench')).toBe('narrative');
  });

  it('never routes to a retired model, even when the routing rules name it', () => {
    // Prepare: rules written before Sora and Nano Banana were shut down.
    const routing = {
      ...MODELS.routing,
      default: 'sora' as const,
      style: { hyper_realistic: 'sora' as const },
      scene_type: { image_to_video: 'nano_b' as const },
      budget_tier_allowed: {
        ...MODELS.routing.budget_tier_allowed,
        premium: ['sora', 'nano_b', 'veo31_fast', 'kling_i2v'] as VideoModelName[],
      },
      fallback_chains: {
        ...MODELS.routing.fallback_chains,
        premium: ['sora', 'nano_b', 'veo31_fast', 'kling_i2v'] as VideoModelName[],
      },
    };
    // Act
    const realistic = routeScene(scene('a barista pours latte art', 'hyper_realistic'), 'premium', {
      ...ALL,
      routing,
    });
    const still = routeScene(scene('a still photo comes alive', 'cinematic'), 'premium', { ...ALL, routing });
    // Assess
    expect(realistic.model).toBe('veo31_fast');
    expect(realistic.reason).toContain('sora retired on 2026-09-24');
    expect(still.model).toBe('kling_i2v');
    expect(fallbackChain('veo31_fast', 'premium', {}, { ...ALL, routing })).not.toContain('sora');
    // The day before the shutdown Sora was still routable.
    expect(
      routeScene(scene('latte art', 'hyper_realistic'), 'premium', { routing, today: '2026-09-23' }).model,
    ).toBe('sora');
  });

  it('routes only among the enabled providers', () => {
    const falOnly = { ...ALL, enabledProviders: ['fal'] as const };
    const decision = routeScene(scene('hero shot of the product', 'hyper_realistic'), 'premium', falOnly);
    expect(MODELS.video_models[decision.model].provider).toBe('fal');
    expect(decision.reason).toContain('provider gemini not enabled');
    for (const m of fallbackChain('veo31_fast', 'premium', {}, falOnly))
      expect(MODELS.video_models[m].provider).toBe('fal');
  });

  it('picks a model that takes a keyframe for a still that comes alive', () => {
    const chain = fallbackChain('kling_i2v', 'standard', { image_to_video: true, duration_seconds: 4 }, ALL);
    expect(chain.length).toBeGreaterThan(0);
    for (const m of chain) expect(MODELS.video_models[m].capabilities.image_to_video).toBe(true);
  });

  it('skips models that cannot render the scene’s length', () => {
    expect(unfit('veo31_fast', { duration_seconds: 9 }, ALL)).toBe('renders at most 8 s');
    expect(fallbackChain('gemini_veo31', 'premium', { duration_seconds: 9 }, ALL)).not.toContain(
      'veo31_fast',
    );
  });

  it('orders fallbacks per tier, natively vertical models before those the plan must reframe', () => {
    const chain = fallbackChain('veo31_fast', 'standard', { duration_seconds: 4 }, ALL);
    expect(chain[0]).toBe('veo3');
    expect(chain.at(-1)).toBe('nova_reel');
    expect(chain).not.toContain('veo31_fast');
    expect(fallbackChain('seedream', 'volume', {}, ALL)).toEqual(['veo31_fast', 'nova_reel']);
  });

  it('keeps fallbackModel as the first of the chain, inside the tier', () => {
    expect(fallbackModel('veo31_fast', 'standard', {}, ALL)).toBe('veo3');
    expect(MODELS.routing.budget_tier_allowed.standard).toContain(fallbackModel('sora', 'standard', {}, ALL));
  });

  it('asks each model for a length it renders that covers the scene, in the master’s aspect when it has it', () => {
    expect(renderSeconds('veo31_fast', 3.5)).toBe(4);
    expect(renderSeconds('veo31_fast', 5)).toBe(6);
    expect(renderSeconds('nova_reel', 4)).toBe(6);
    expect(renderAspect('veo31_fast')).toBe('9:16');
    expect(renderAspect('nova_reel')).toBe('16:9');
  });

  it('prices renders per second from configuration, with audio where it is priced apart', () => {
    expect(renderListPrice('sora', 5)).toBeCloseTo(0.5, 6);
    expect(renderListPrice('veo31_fast', 4)).toBe(0.4);
    expect(renderListPrice('veo31_fast', 4, true)).toBe(0.6);
    expect(renderListPrice('kling_i2v', 5, true)).toBe(0.785);
  });
});

describe('BIE_VIDEO_PROVIDER', () => {
  it('is offline by default (every model rendered by the stand-in), or a comma list of real providers', () => {
    expect(readVariable('BIE_VIDEO_PROVIDER', {})).toBe('offline');
    expect(enabledVideoProviders('offline')).toBeUndefined();
    expect(enabledVideoProviders('fal,bedrock,gemini')).toEqual(['fal', 'bedrock', 'gemini']);
    expect(() => readVariable('BIE_VIDEO_PROVIDER', { BIE_VIDEO_PROVIDER: 'fal,sora' })).toThrow(
      /BIE_VIDEO_PROVIDER="fal,sora" is invalid: a comma list of offline, fal, bedrock, gemini/,
    );
  });
});

describe('models.json', () => {
  it('lists every video model name once, with provider, price and capabilities', () => {
    expect(Object.keys(MODELS.video_models).sort()).toEqual([...VideoModelName.options].sort());
  });

  it('keeps the shut-down models listed as retired, with successors', () => {
    expect(MODELS.video_models.sora).toMatchObject({ retired_on: '2026-09-24', successor: 'veo31_fast' });
    expect(MODELS.video_models.nano_b).toMatchObject({ retired_on: '2026-10-02' });
    expect(MODELS.keyframe_models.nano_banana).toMatchObject({
      retired_on: '2026-10-02',
      successor: 'nano_banana_2',
    });
  });

  it('is refused, naming the field, when a rule names an unknown model or a model lacks capabilities', () => {
    const broken = structuredClone(modelsJson) as unknown as {
      routing: { default: string };
      video_models: { veo3: { capabilities?: unknown } };
    };
    broken.routing.default = 'sora-3';
    delete broken.video_models.veo3.capabilities;
    expect(() => parseVideoModels(broken)).toThrow(
      /routing\.default.*video_models\.veo3\.capabilities|video_models\.veo3\.capabilities.*routing\.default/,
    );
  });
});
