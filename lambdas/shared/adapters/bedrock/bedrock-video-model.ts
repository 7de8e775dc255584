import {
  BedrockRuntimeClient,
  GetAsyncInvokeCommand,
  type GetAsyncInvokeCommandOutput,
  StartAsyncInvokeCommand,
  type StartAsyncInvokeCommandInput,
} from '@aws-sdk/client-bedrock-runtime';
import { shortHash } from '../../ids.js';
import {
  type BlobStore,
  type ProviderJobStatus,
  ProviderRejectedError,
  ProviderRetryableError,
  type RenderFailureKind,
  type RenderRequest,
  type VideoModel,
} from '../../ports/index.js';

export const NOVA_REEL = 'amazon.nova-reel-v1:1';
export const LUMA_RAY_2 = 'luma.ray-v2:0';

/**
 * What each Bedrock video model can make, as data for the router's configuration (models.json).
 * Sources: docs.aws.amazon.com/nova/latest/userguide/video-gen-access.html and video-gen-errors.html
 * (Nova Reel), docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-luma.html (Luma Ray 2).
 */
export const BEDROCK_VIDEO_CAPABILITIES = {
  [NOVA_REEL]: {
    provider: 'bedrock',
    /** 1280x720 only: a 9:16 master is reframed from it. */
    aspect_ratios: ['16:9'],
    width: 1280,
    height: 720,
    fps: 24,
    /** 6 s (TEXT_VIDEO) or 2–20 shots of 6 s (MULTI_SHOT_MANUAL). */
    durations_seconds: Array.from({ length: 20 }, (_, i) => (i + 1) * 6),
    audio: false,
    /** One start keyframe, PNG or JPEG, exactly 1280x720. */
    image_to_video: true,
    max_prompt_chars: 512,
    delivers: 'polling',
  },
  [LUMA_RAY_2]: {
    provider: 'bedrock',
    aspect_ratios: ['1:1', '16:9', '9:16', '4:3', '3:4', '21:9', '9:21'],
    resolutions: ['540p', '720p'],
    durations_seconds: [5, 9],
    audio: false,
    /** Bedrock documents Luma Ray 2 as text-to-video only. */
    image_to_video: false,
    max_prompt_chars: 5000,
    delivers: 'polling',
  },
} as const;

const NOVA_SHOT_SECONDS = 6;
const NOVA_MAX_SHOTS = 20;
/** Nova Reel's seed range (0 to 2,147,483,646). */
const NOVA_SEED_MODULUS = 2_147_483_647;
/** Where providers that write into the media bucket put their outputs (the render output policy allows only these). */
const PROVIDER_RENDERS = 'provider-renders/';

const ARN = /^arn:aws[\w-]*:bedrock:([a-z0-9-]+):\d{12}:async-invoke\/([a-zA-Z0-9]+)$/;

/** Nova Reel's content filters, at submission and on the generated video (video-gen-errors.html). */
const CONTENT_FILTER = /blocked by our content filters|responsible ai|content (moderation|policy)/i;

const RETRYABLE = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'InternalServerException',
  'ModelNotReadyException',
  // Too many async invocations in flight: frees up as renders finish.
  'ServiceQuotaExceededException',
]);

export interface BedrockVideoModelDeps {
  /** The media bucket: Bedrock writes `output.mp4` under `s3://<bucket>/<output_prefix>/<invocationId>/`. */
  blobs: BlobStore;
  /** The client of the function's own region. */
  bedrock?: BedrockRuntimeClient;
  /** A model only offered in another region (Luma Ray 2: us-west-2), by model id. */
  modelRegions?: Partial<Record<string, string>>;
  /** The client for such a region (default: a new client of that region). */
  clientForRegion?: (region: string) => BedrockRuntimeClient;
  /** Luma Ray 2 output resolution. */
  lumaResolution?: '540p' | '720p';
}

/**
 * Amazon Nova Reel and Luma Ray 2 over Bedrock's async invoke: `StartAsyncInvoke` writes the clip into
 * the media bucket, and completion is polled with `GetAsyncInvoke` (Bedrock emits no completion event).
 * The provider job id is the invocation ARN. The request token is derived from the job, so a
 * resubmission after a restart gets the same invocation back instead of a second render.
 */
export class BedrockVideoModel implements VideoModel {
  readonly provider = 'bedrock';
  readonly delivers = 'polling' as const;
  private readonly home: BedrockRuntimeClient;
  private readonly regional = new Map<string, BedrockRuntimeClient>();

  constructor(private readonly deps: BedrockVideoModelDeps) {
    this.home = deps.bedrock ?? new BedrockRuntimeClient({});
  }

  async submit(req: RenderRequest): Promise<{ provider_job_id: string }> {
    const prefix = (req.output_prefix ?? `${PROVIDER_RENDERS}bedrock/${req.job_id}`).replace(
      /^\/+|\/+$/g,
      '',
    );
    // The render output policy reads clips only under provider-renders/: a clip elsewhere would be paid and refused.
    if (!prefix.startsWith(PROVIDER_RENDERS) || prefix.split('/').includes('..')) {
      throw new ProviderRejectedError(
        `output_prefix ${prefix} is not under ${PROVIDER_RENDERS} of the media bucket`,
        'invalid_request',
      );
    }
    const modelInput = await this.modelInput(req);
    try {
      const res = await this.client(this.deps.modelRegions?.[req.model]).send(
        new StartAsyncInvokeCommand({
          modelId: req.model,
          modelInput: modelInput as StartAsyncInvokeCommandInput['modelInput'],
          outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://${this.deps.blobs.bucket}/${prefix}` } },
          clientRequestToken: bedrockRequestToken(req),
        }),
      );
      if (!res.invocationArn) throw new Error(`Bedrock started ${req.model} without an invocation ARN`);
      return { provider_job_id: res.invocationArn };
    } catch (error) {
      throw classifyError(error, `StartAsyncInvoke ${req.model}`);
    }
  }

  async status(providerJobId: string): Promise<ProviderJobStatus> {
    const arn = ARN.exec(providerJobId);
    if (!arn) return { state: 'unknown' };
    const [, region, invocationId] = arn as unknown as [string, string, string];
    let res: GetAsyncInvokeCommandOutput;
    try {
      const regions = Object.values(this.deps.modelRegions ?? {});
      res = await this.client(regions.includes(region) ? region : undefined).send(
        new GetAsyncInvokeCommand({ invocationArn: providerJobId }),
      );
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return { state: 'unknown' };
      const classified = classifyError(error, 'GetAsyncInvoke');
      if (classified instanceof ProviderRejectedError)
        return { state: 'failed', error: classified.message, kind: classified.kind };
      throw classified;
    }
    if (res.status === 'InProgress') return { state: 'processing' };
    if (res.status === 'Failed') {
      const message = res.failureMessage ?? 'the invocation failed without a message';
      return {
        state: 'failed',
        error: `Bedrock: ${message}`,
        kind: CONTENT_FILTER.test(message) ? 'refused' : 'provider_error',
      };
    }
    if (res.status !== 'Completed') return { state: 'unknown' };
    const s3Uri = (res.outputDataConfig?.s3OutputDataConfig?.s3Uri ?? '').replace(/\/+$/, '');
    const output = `${s3Uri}/${invocationId}/output.mp4`;
    const ours = `s3://${this.deps.blobs.bucket}/`;
    if (output.startsWith(ours) && !(await this.deps.blobs.exists(output.slice(ours.length)))) {
      return {
        state: 'failed',
        error: `Bedrock reported ${invocationId} completed but ${output} does not exist`,
        kind: 'provider_error',
      };
    }
    return { state: 'completed', output_url: output, has_audio: false };
  }

  private client(region: string | undefined): BedrockRuntimeClient {
    if (!region) return this.home;
    let c = this.regional.get(region);
    if (!c) {
      c = this.deps.clientForRegion?.(region) ?? new BedrockRuntimeClient({ region });
      this.regional.set(region, c);
    }
    return c;
  }

  private async modelInput(req: RenderRequest): Promise<Record<string, unknown>> {
    if (req.model === NOVA_REEL) return this.novaReelInput(req);
    if (req.model === LUMA_RAY_2) return lumaInput(req, this.deps.lumaResolution ?? '720p');
    throw new ProviderRejectedError(`Bedrock video: unsupported model ${req.model}`, 'invalid_request');
  }

  private async novaReelInput(req: RenderRequest): Promise<Record<string, unknown>> {
    const shots = Math.max(1, Math.ceil(req.duration_seconds / NOVA_SHOT_SECONDS));
    if (shots > NOVA_MAX_SHOTS) {
      throw new ProviderRejectedError(
        `Nova Reel makes at most ${NOVA_MAX_SHOTS * NOVA_SHOT_SECONDS} s, asked ${req.duration_seconds} s`,
        'invalid_request',
      );
    }
    const text = clip(req.prompt, BEDROCK_VIDEO_CAPABILITIES[NOVA_REEL].max_prompt_chars);
    const image = req.keyframe_key ? await this.novaKeyframe(req.keyframe_key) : undefined;
    const videoGenerationConfig = {
      fps: 24,
      dimension: '1280x720',
      seed: Math.abs(req.seed) % NOVA_SEED_MODULUS,
    };
    if (shots === 1) {
      return {
        taskType: 'TEXT_VIDEO',
        textToVideoParams: { text, ...(image ? { images: [image] } : {}) },
        videoGenerationConfig: { durationSeconds: NOVA_SHOT_SECONDS, ...videoGenerationConfig },
      };
    }
    // A longer scene is several 6 s shots of the same prompt; the keyframe starts the first one.
    return {
      taskType: 'MULTI_SHOT_MANUAL',
      multiShotManualParams: {
        shots: Array.from({ length: shots }, (_, i) => ({
          text,
          ...(i === 0 && image ? { image } : {}),
        })),
      },
      videoGenerationConfig,
    };
  }

  /** Nova Reel refuses a keyframe that is not exactly 1280x720: caught here, before paying. */
  private async novaKeyframe(key: string): Promise<Record<string, unknown>> {
    const info = imageInfo(await this.deps.blobs.get(key));
    if (!info) throw new ProviderRejectedError(`keyframe ${key} is neither PNG nor JPEG`, 'invalid_request');
    if (info.width !== 1280 || info.height !== 720) {
      throw new ProviderRejectedError(
        `Nova Reel needs a 1280x720 keyframe, ${key} is ${info.width}x${info.height}`,
        'invalid_request',
      );
    }
    return { format: info.format, source: { s3Location: { uri: this.deps.blobs.url(key) } } };
  }
}

function lumaInput(req: RenderRequest, resolution: '540p' | '720p'): Record<string, unknown> {
  const caps = BEDROCK_VIDEO_CAPABILITIES[LUMA_RAY_2];
  if (req.keyframe_key) {
    throw new ProviderRejectedError('Luma Ray 2 on Bedrock is text-to-video only', 'invalid_request');
  }
  const duration = caps.durations_seconds.find((d) => d >= req.duration_seconds);
  if (!duration) {
    throw new ProviderRejectedError(
      `Luma Ray 2 makes at most 9 s, asked ${req.duration_seconds} s`,
      'invalid_request',
    );
  }
  return {
    prompt: clip(req.prompt, caps.max_prompt_chars),
    aspect_ratio:
      req.aspect_ratio ?? (req.height > req.width ? '9:16' : req.height < req.width ? '16:9' : '1:1'),
    loop: false,
    duration: `${duration}s`,
    resolution,
  };
}

/** Cuts an over-long prompt at a word boundary: a ValidationException would lose the scene. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return space > max * 0.6 ? cut.slice(0, space) : cut;
}

/**
 * The idempotency token of a render: the same job (and model) always sends the same token, so Bedrock
 * answers a resubmission with the first invocation instead of starting a second render.
 */
export const bedrockRequestToken = (req: Pick<RenderRequest, 'job_id' | 'model'>): string =>
  `bie-${shortHash('bedrock-video', req.job_id, req.model)}`;

const errorName = (error: unknown): string => (error as { name?: string })?.name ?? '';

/** Bedrock errors: retry later (throttling, 5xx, network), refused or invalid (no retry), or unknown. */
function classifyError(error: unknown, what: string): Error {
  const name = errorName(error);
  const message = (error as Error)?.message ?? String(error);
  const meta = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  const status = meta?.httpStatusCode;
  // The job's token was used before with other parameters: resubmitting cannot succeed either.
  if (name === 'ConflictException')
    return new ProviderRejectedError(`Bedrock ${what}: ${name}: ${message}`, 'invalid_request');
  if (name === 'ValidationException') {
    const kind: RenderFailureKind = CONTENT_FILTER.test(message) ? 'refused' : 'invalid_request';
    return new ProviderRejectedError(`Bedrock ${what}: ${message}`, kind);
  }
  if (
    RETRYABLE.has(name) ||
    (status !== undefined && (status === 429 || status >= 500)) ||
    isNetwork(error)
  ) {
    return new ProviderRetryableError(`Bedrock ${what}: ${name || 'error'}: ${message}`, retryAfter(error));
  }
  return error instanceof Error ? error : new Error(`Bedrock ${what}: ${message}`);
}

function retryAfter(error: unknown): number | undefined {
  const headers = (error as { $response?: { headers?: Record<string, string> } }).$response?.headers;
  const value = Number(headers?.['retry-after']);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
function isNetwork(error: unknown): boolean {
  const e = error as { code?: string; name?: string };
  return NETWORK_CODES.has(e?.code ?? '') || e?.name === 'TimeoutError' || e?.name === 'RequestTimeout';
}

/** Format and size from a PNG or JPEG header (IHDR, or the first SOFn segment); undefined otherwise. */
export function imageInfo(
  bytes: Uint8Array,
): { format: 'png' | 'jpeg'; width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && view.getUint32(0) === 0x89504e47 && view.getUint32(12) === 0x49484452) {
    return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] as number;
    // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { format: 'jpeg', height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    }
    at += 2 + view.getUint16(at + 2);
  }
  return undefined;
}

/** The factory the provider selection wires in. */
export const bedrockVideoModel = (deps: BedrockVideoModelDeps): VideoModel => new BedrockVideoModel(deps);
