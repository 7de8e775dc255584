import { lambdaInvoker } from '../adapters/aws/lambda-invoker.js';
import { ProceduralVideoModel } from '../adapters/offline/procedural-video-model.js';
import { config } from '../commons.js';
import type { VideoModel } from '../ports/index.js';
import { blobs } from '../services.js';
import { lazy } from './lazy.js';

/** The video model provider (BIE_VIDEO_PROVIDER). */
export const videoModel = lazy<VideoModel>(
  () =>
    new ProceduralVideoModel({
      blobs: blobs(),
      invoker: lambdaInvoker,
      // Read on submit only: PollRenders and WebhooksApi read statuses and never invoke the renderer.
      rendererFunction: () => config.OFFLINE_RENDERER_FUNCTION_NAME,
    }),
);
