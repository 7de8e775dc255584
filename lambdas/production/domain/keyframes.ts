import { MODELS } from '../../shared/config/index.js';
import type { VideoModelName } from '../../shared/contracts/index.js';
import { hashSeed, shortHash } from '../../shared/ids.js';
import type { BlobStore, KeyframeModel } from '../../shared/ports/index.js';
import { needsKeyframe, renderAspect } from './router.js';

export interface KeyframeScene {
  scene_id: string;
  visual_prompt: string;
  visual_cues: { color_palette: string[]; style: string; lighting: string };
}

/** The keyframe model of image-to-video renders (models.json `keyframe_default`). */
export const keyframeSpec = () => {
  const spec = MODELS.keyframe_models[MODELS.keyframe_default];
  if (!spec) throw new Error(`models.json: keyframe_default ${MODELS.keyframe_default} is not configured`);
  return spec;
};

/** What a render adds for its keyframe at list price: one image when the model animates a still. */
export const keyframeListPrice = (model: VideoModelName): number =>
  needsKeyframe(model) ? keyframeSpec().usd_per_image : 0;

export const keyframeKey = (campaignId: string, scene: KeyframeScene, model: VideoModelName): string =>
  `keyframes/${campaignId}/${scene.scene_id}-${shortHash(scene.visual_prompt, scene.visual_cues.color_palette.join(','), model)}.png`;

/**
 * Image-to-video renders start from a brand-palette keyframe: drawn once per scene and model (a
 * replayed submission finds it in the bucket) and stored in the media bucket. Undefined when the model
 * renders from text, or no keyframe model is configured (the offline stand-in needs none).
 */
export async function keyframeFor(
  deps: { blobs: BlobStore; keyframes?: KeyframeModel },
  campaignId: string,
  scene: KeyframeScene,
  model: VideoModelName,
): Promise<string | undefined> {
  if (!needsKeyframe(model) || !deps.keyframes) return undefined;
  const key = keyframeKey(campaignId, scene, model);
  if (await deps.blobs.exists(key)) return key;
  const { image_key } = await deps.keyframes.generate({
    job_id: `${scene.scene_id}:${model}`,
    model: keyframeSpec().provider_model,
    prompt: `${scene.visual_prompt} ${scene.visual_cues.style.replace(/_/g, ' ')} style, ${scene.visual_cues.lighting} lighting.`,
    palette: scene.visual_cues.color_palette,
    aspect_ratio: renderAspect(model),
    seed: hashSeed(scene.scene_id, 'keyframe'),
    output_key: key,
  });
  return image_key;
}
