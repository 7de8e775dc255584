import { describe, expect, it } from 'vitest';
import {
  analyzeSceneType,
  fallbackModel,
  renderListPrice,
  routeScene,
} from '../../../lambdas/production/domain/router.js';

const scene = (visual_prompt: string, style: 'hyper_realistic' | 'abstract' | 'cinematic') => ({
  visual_prompt,
  visual_cues: { style, color_palette: ['#000000'], camera_movement: 'static', lighting: 'soft' },
});

describe('the model router', () => {
  it('sends hyper-realistic scenes to Sora on a premium budget', () => {
    expect(routeScene(scene('a barista pours latte art', 'hyper_realistic'), 'premium').model).toBe('sora');
  });

  it('sends product shots to Sora', () => {
    expect(
      routeScene(scene('hero shot of the product on a marble counter', 'cinematic'), 'premium').model,
    ).toBe('sora');
  });

  it('sends fast-paced montages to Veo 3', () => {
    expect(
      routeScene(scene('a montage of quick cuts through a busy city morning', 'cinematic'), 'premium').model,
    ).toBe('veo3');
  });

  it('sends abstract scenes to Seedream', () => {
    expect(routeScene(scene('swirling shapes', 'abstract'), 'premium').model).toBe('seedream');
  });

  it('keeps a standard budget off Sora', () => {
    const decision = routeScene(scene('hero shot of the product', 'hyper_realistic'), 'standard');
    expect(decision.model).toBe('veo3');
    expect(decision.reason).toContain('above the standard tier');
  });

  it('keeps a volume budget on Seedream or Nano B', () => {
    expect(['seedream', 'nano_b']).toContain(
      routeScene(scene('a narrative moment', 'cinematic'), 'volume').model,
    );
  });

  it('classifies scene types from the prompt', () => {
    expect(analyzeSceneType('a psychedelic kaleidoscope of beans')).toBe('trippy');
    expect(analyzeSceneType('two friends laugh on a bench')).toBe('narrative');
  });

  it('falls back inside the tier', () => {
    expect(fallbackModel('veo3', 'standard')).not.toBe('sora');
    expect(fallbackModel('sora', 'premium')).toBe('veo3');
  });

  it('prices renders per second from configuration', () => {
    expect(renderListPrice('sora', 5)).toBeCloseTo(0.5, 6);
    expect(renderListPrice('nano_b', 4)).toBeCloseTo(0.08, 6);
  });
});
