import { describe, expect, it } from 'vitest';
import { keyframeFor, keyframeListPrice } from '../../../lambdas/production/domain/keyframes.js';
import { MODELS } from '../../../lambdas/shared/config/index.js';
import type { BlobStore, KeyframeModel, KeyframeRequest } from '../../../lambdas/shared/ports/index.js';

const scene = {
  scene_id: '00000000-0000-4000-8000-0000000000b1',
  visual_prompt: 'a still photo of a cold brew can comes alive',
  visual_cues: { color_palette: ['#1B1B1B', '#C8A27A'], style: 'cinematic', lighting: 'soft' },
};

function fakes() {
  const keys = new Set<string>();
  const calls: KeyframeRequest[] = [];
  const blobs = { exists: async (k: string) => keys.has(k) } as unknown as BlobStore;
  const keyframes: KeyframeModel = {
    provider: 'fal',
    generate: async (req) => {
      calls.push(req);
      keys.add(req.output_key);
      return {
        image_key: req.output_key,
        usage: { model: req.model, provider: 'fal', units: 1, unit: 'images' },
      };
    },
  };
  return { blobs, keyframes, calls };
}

describe('keyframes of image-to-video scenes', () => {
  it('are drawn first, in the brand palette, with the configured keyframe model and the model’s aspect', async () => {
    const { blobs, keyframes, calls } = fakes();
    const key = await keyframeFor({ blobs, keyframes }, 'c1', scene, 'kling_i2v');
    expect(key).toMatch(/^keyframes\/c1\/00000000-0000-4000-8000-0000000000b1-[0-9a-f]+\.png$/);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      model: 'fal-ai/bytedance/seedream/v4/text-to-image',
      palette: ['#1B1B1B', '#C8A27A'],
      aspect_ratio: '9:16',
      output_key: key,
    });
  });

  it('are drawn once: a replayed submission finds the stored image', async () => {
    const { blobs, keyframes, calls } = fakes();
    const first = await keyframeFor({ blobs, keyframes }, 'c1', scene, 'seedream');
    const again = await keyframeFor({ blobs, keyframes }, 'c1', scene, 'seedream');
    expect(again).toBe(first);
    expect(calls).toHaveLength(1);
  });

  it('are not drawn for a model that renders from text, nor without a keyframe model (offline)', async () => {
    const { blobs, keyframes, calls } = fakes();
    expect(await keyframeFor({ blobs, keyframes }, 'c1', scene, 'veo31_fast')).toBeUndefined();
    expect(await keyframeFor({ blobs }, 'c1', scene, 'kling_i2v')).toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it('add one image at list price to an image-to-video render', () => {
    expect(keyframeListPrice('kling_i2v')).toBe(MODELS.keyframe_models.seedream_v4?.usd_per_image);
    expect(keyframeListPrice('veo31_fast')).toBe(0);
  });
});
