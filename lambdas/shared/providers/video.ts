import { lambdaInvoker } from '../adapters/aws/lambda-invoker.js';
import { bedrockVideoModel, LUMA_RAY_2 } from '../adapters/bedrock/bedrock-video-model.js';
import { FalKeyframeModel } from '../adapters/fal/fal-keyframe-model.js';
import { FalVideoModel } from '../adapters/fal/fal-video-model.js';
import { geminiVeoModel } from '../adapters/gemini/gemini-veo-model.js';
import { ProceduralVideoModel } from '../adapters/offline/procedural-video-model.js';
import { config } from '../commons.js';
import { MODELS } from '../config/index.js';
import type { VideoProviderName } from '../config/models.js';
import type { VideoModelName } from '../contracts/index.js';
import type { KeyframeModel, VideoModel } from '../ports/index.js';
import { falKey, readSecret } from '../secrets.js';
import { blobs } from '../services.js';
import { FalJwks } from '../webhooks/fal-signature.js';
import { lazy } from './lazy.js';

/** The offline stand-in: renders every model procedurally, recording the list price of the model. */
export const offlineVideoModel = lazy<VideoModel>(
  () =>
    new ProceduralVideoModel({
      blobs: blobs(),
      invoker: lambdaInvoker,
      // Read on submit only: PollRenders and WebhooksApi read statuses and never invoke the renderer.
      rendererFunction: () => config.OFFLINE_RENDERER_FUNCTION_NAME,
    }),
);

const falOptions = () => ({
  queueUrl: config.FAL_QUEUE_URL,
  key: falKey,
  blobs: blobs(),
});

const falVideoModel = lazy<VideoModel>(() => new FalVideoModel(falOptions()));

/**
 * The adapters of the real providers: fal's queue (Veo 3.1 fast, Kling, Seedance), Bedrock async invoke
 * (Nova Reel, Luma Ray 2 — Luma is offered in us-west-2 only) and the Gemini API (Veo 3.1).
 */
const ADAPTERS: Partial<Record<VideoProviderName, () => VideoModel>> = {
  fal: falVideoModel,
  bedrock: lazy<VideoModel>(() =>
    bedrockVideoModel({ blobs: blobs(), modelRegions: { [LUMA_RAY_2]: 'us-west-2' } }),
  ),
  gemini: lazy<VideoModel>(() =>
    geminiVeoModel({
      blobs: blobs(),
      apiKey: () => readSecret('geminiApiKey'),
      baseUrl: config.GEMINI_API_URL,
    }),
  ),
};

/** The providers BIE_VIDEO_PROVIDER enables (`offline` alone: none). */
export function enabledRealProviders(setting: string = config.BIE_VIDEO_PROVIDER): VideoProviderName[] {
  return setting
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is VideoProviderName => s !== 'offline' && s in ADAPTERS);
}

/**
 * The adapter that renders a model: its provider's when BIE_VIDEO_PROVIDER enables it and an adapter
 * exists, else the offline stand-in.
 */
export function videoModelFor(model: VideoModelName): VideoModel {
  const provider = MODELS.video_models[model].provider;
  const make = enabledRealProviders().includes(provider) ? ADAPTERS[provider] : undefined;
  return make ? make() : offlineVideoModel();
}

/** Every adapter in use, the offline stand-in included: the poller asks each about its jobs. */
export function videoModels(): VideoModel[] {
  return [
    offlineVideoModel(),
    ...enabledRealProviders().flatMap((p) => (ADAPTERS[p] ? [ADAPTERS[p]()] : [])),
  ];
}

/** The adapter whose name a render job records (`provider`), if it is in use. */
export const videoModelByProvider = (provider: string): VideoModel | undefined =>
  videoModels().find((m) => m.provider === provider);

/** Kept for existing callers: the offline stand-in. */
export const videoModel = offlineVideoModel;

/** Keyframes of image-to-video scenes: fal when enabled, else none (the offline renderer needs none). */
export const keyframeModel = lazy<KeyframeModel | undefined>(() =>
  enabledRealProviders().includes('fal')
    ? new FalKeyframeModel({ ...falOptions(), localOrigins: () => config.BIE_LOCAL_PROVIDER_ORIGINS })
    : undefined,
);

/** fal's webhook keys (FAL_JWKS_URL), cached for the container (≤ 24 h). */
export const falJwks = lazy(() => new FalJwks({ url: config.FAL_JWKS_URL }));
