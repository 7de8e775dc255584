import type { VideoModelName } from '../../shared/contracts/index.js';
import { toMicros, toUsd } from '../../shared/money.js';
import { keyframeListPrice } from './keyframes.js';
import { renderListPrice, renderSeconds, rendersAudio } from './router.js';

/**
 * List price of rendering a scene on a model: the seconds the model bills (one of its lengths, ≥ the
 * scene), with native audio where the model renders it, plus the keyframe an image-to-video model
 * starts from. What SubmitRender charges, what the plan says a cache hit saved, what benches compare.
 */
export const sceneRenderListPrice = (model: VideoModelName, sceneSeconds: number): number =>
  toUsd(
    toMicros(renderListPrice(model, renderSeconds(model, sceneSeconds), rendersAudio(model))) +
      toMicros(keyframeListPrice(model)),
  );
