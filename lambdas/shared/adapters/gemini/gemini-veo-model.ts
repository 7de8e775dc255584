import {
  type BlobStore,
  type ProviderJobStatus,
  ProviderRejectedError,
  ProviderRetryableError,
  type RenderFailureKind,
  type RenderRequest,
  type VideoModel,
} from '../../ports/index.js';

export const VEO_31_FAST = 'veo-3.1-fast-generate-preview';
export const VEO_31 = 'veo-3.1-generate-preview';

/**
 * What Veo 3.1 on the Gemini API can make, as data for the router's configuration (models.json).
 * Sources: ../shared/reference/providers.md section 4 (Gemini API Veo docs, litellm's Gemini video
 * transformation, Vertex Veo 3 model page: 16:9 and 9:16, 4/6/8 s, 24 fps, native audio always on).
 */
const VEO_31_CAPABILITY = {
  provider: 'gemini',
  aspect_ratios: ['9:16', '16:9'],
  durations_seconds: [4, 6, 8],
  resolutions: ['720p', '1080p'],
  fps: 24,
  /** Veo 3.x always renders its own audio track. */
  audio: true,
  /** A start image (`instances[].image`). */
  image_to_video: true,
  delivers: 'polling',
} as const;
export const GEMINI_VEO_CAPABILITIES = {
  [VEO_31_FAST]: VEO_31_CAPABILITY,
  [VEO_31]: VEO_31_CAPABILITY,
} as const;

/** Where providers' outputs land in the media bucket (the render output policy allows only this prefix). */
const OUTPUT_PREFIX = 'provider-renders/gemini/';
const OPERATION = /^models\/([a-z0-9.-]+)\/operations\/([A-Za-z0-9_-]{1,100})$/;
/** Google's wording when a prompt or an image trips the safety filters. */
const SAFETY = /safety|responsible ai|usage guidelines|violat|prohibited|content filter|sensitive/i;

export interface GeminiVeoDeps {
  /** The media bucket: the clip is copied here at once (Google's generated files expire). */
  blobs: BlobStore;
  /** The API key (GEMINI_API_KEY; Secrets Manager on AWS). */
  apiKey: () => Promise<string>;
  /** GEMINI_API_URL, e.g. https://generativelanguage.googleapis.com. */
  baseUrl: string;
  /** Per API call (submit, poll); a timeout is retryable. */
  timeoutMs?: number;
  /** For the clip's download. */
  downloadTimeoutMs?: number;
  fetch?: typeof fetch;
}

interface GoogleError {
  code?: number;
  message?: string;
  status?: string;
  details?: { '@type'?: string; retryDelay?: string; reason?: string }[];
}

interface Operation {
  name?: string;
  done?: boolean;
  error?: GoogleError;
  response?: {
    generateVideoResponse?: {
      generatedSamples?: { video?: { uri?: string } }[];
      raiMediaFilteredCount?: number;
      raiMediaFilteredReasons?: string[];
    };
  };
}

/**
 * Veo 3.1 over the Gemini API: `predictLongRunning` starts an operation (its name is the provider job
 * id), `GET /v1beta/{name}` polls it (Veo has no webhook). A finished clip is downloaded with the key and
 * stored in the media bucket at once; an operation filtered for safety is a refusal, with Google's reasons.
 * The key travels only in the `x-goog-api-key` header, and only to the configured API origin.
 */
export class GeminiVeoModel implements VideoModel {
  readonly provider = 'gemini';
  readonly delivers = 'polling' as const;
  private readonly base: URL;
  private readonly fetch: typeof fetch;

  constructor(private readonly deps: GeminiVeoDeps) {
    this.base = new URL(deps.baseUrl);
    this.fetch = deps.fetch ?? fetch;
  }

  async submit(req: RenderRequest): Promise<{ provider_job_id: string }> {
    const caps = GEMINI_VEO_CAPABILITIES[req.model as keyof typeof GEMINI_VEO_CAPABILITIES];
    if (!caps)
      throw new ProviderRejectedError(`Gemini Veo: unsupported model ${req.model}`, 'invalid_request');
    const durationSeconds = caps.durations_seconds.find((d) => d >= req.duration_seconds);
    if (!durationSeconds) {
      throw new ProviderRejectedError(
        `${req.model} makes at most 8 s, asked ${req.duration_seconds} s`,
        'invalid_request',
      );
    }
    const instance: Record<string, unknown> = { prompt: req.prompt };
    if (req.keyframe_key) instance.image = await this.inlineImage(req.keyframe_key);
    const body = {
      instances: [instance],
      parameters: {
        // A 1:1 master is reframed from the vertical clip.
        aspectRatio:
          req.aspect_ratio === '16:9' || (!req.aspect_ratio && req.width > req.height) ? '16:9' : '9:16',
        durationSeconds,
        resolution: '720p',
      },
    };
    const res = await this.call(`v1beta/models/${encodeURIComponent(req.model)}:predictLongRunning`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    const op = (await res.json()) as Operation;
    if (!op.name || !OPERATION.test(op.name)) {
      throw new Error(
        `Gemini predictLongRunning answered without a valid operation name (${String(op.name)})`,
      );
    }
    return { provider_job_id: op.name };
  }

  async status(providerJobId: string): Promise<ProviderJobStatus> {
    const m = OPERATION.exec(providerJobId);
    if (!m) return { state: 'unknown' };
    const key = `${OUTPUT_PREFIX}${m[1]}/${m[2]}.mp4`;
    const completed: ProviderJobStatus = {
      state: 'completed',
      output_url: this.deps.blobs.url(key),
      has_audio: true,
    };
    // Copied already (a replay, the poller twice): ours, even once Google has forgotten the operation.
    if (await this.deps.blobs.exists(key)) return completed;
    const res = await this.call(`v1beta/${providerJobId}`, { method: 'GET' }, 404);
    // Google no longer knows the operation: the job is lost and may be submitted again.
    if (res.status === 404) return { state: 'unknown' };
    const op = (await res.json()) as Operation;
    if (!op.done) return { state: 'processing' };
    if (op.error) {
      return {
        state: 'failed',
        error: `Gemini: ${op.error.message ?? 'the operation failed'}`,
        kind: errorKind(op.error),
      };
    }
    const video = op.response?.generateVideoResponse;
    const uri = video?.generatedSamples?.[0]?.video?.uri;
    if (!uri) {
      const reasons = video?.raiMediaFilteredReasons ?? [];
      if (reasons.length > 0 || (video?.raiMediaFilteredCount ?? 0) > 0) {
        return {
          state: 'failed',
          error: `Gemini filtered the video for safety: ${reasons.join('; ') || 'no reason given'}`,
          kind: 'refused',
        };
      }
      return {
        state: 'failed',
        error: 'Gemini finished the operation without a video',
        kind: 'provider_error',
      };
    }
    return (await this.copy(uri, key)) ?? completed;
  }

  /**
   * Downloads the generated file with the key (never sent to another origin) and stores it in the
   * bucket; a file that is gone is a failed render.
   */
  private async copy(uri: string, key: string): Promise<ProviderJobStatus | undefined> {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new Error(`Gemini returned an invalid video URI`);
    }
    const apiKey = await this.deps.apiKey();
    // Redirects are followed by hand: fetch would carry the key header to whatever host they name.
    let res: Response | undefined;
    for (let hop = 0; hop < 5; hop++) {
      const headers: Record<string, string> =
        url.origin === this.base.origin ? { 'x-goog-api-key': apiKey } : {};
      res = await this.send(
        url,
        { method: 'GET', headers, redirect: 'manual' },
        this.deps.downloadTimeoutMs ?? 120_000,
      );
      const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
      if (!location) break;
      await res.body?.cancel();
      url = new URL(location, url);
    }
    if (!res || (res.status >= 300 && res.status < 400))
      throw new Error('Gemini video download: too many redirects');
    if (res.status === 404 || res.status === 403) {
      await res.body?.cancel();
      return {
        state: 'failed',
        error: `Gemini video file is gone (HTTP ${res.status}): it expired before it was copied`,
        kind: 'provider_error',
      };
    }
    await this.raiseForStatus(res, 'video download', apiKey);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length < 8)
      throw new ProviderRetryableError(`Gemini video download returned ${bytes.length} bytes`);
    await this.deps.blobs.put(key, bytes, 'video/mp4');
    return undefined;
  }

  /** An API call with the key; errors raise, except the one status the caller handles itself. */
  private async call(path: string, init: RequestInit, allowStatus?: number): Promise<Response> {
    const key = await this.deps.apiKey();
    const res = await this.send(
      new URL(path, this.base.href.endsWith('/') ? this.base.href : `${this.base.href}/`),
      { ...init, headers: { 'content-type': 'application/json', 'x-goog-api-key': key } },
      this.deps.timeoutMs ?? 30_000,
    );
    if (res.status === allowStatus) return res;
    await this.raiseForStatus(res, path.split(':').at(-1) ?? path, key);
    return res;
  }

  /** fetch with a deadline: a timeout or a network failure is worth retrying later. */
  private async send(url: URL, init: RequestInit, timeoutMs: number): Promise<Response> {
    try {
      return await this.fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const name = (error as Error).name;
      const why =
        name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${name}: ${(error as Error).message}`;
      throw new ProviderRetryableError(`Gemini ${url.pathname.split('/').at(-1)}: ${why}`);
    }
  }

  private async raiseForStatus(res: Response, what: string, key?: string): Promise<void> {
    if (res.ok) return;
    const text = await res.text().catch(() => '');
    let error: GoogleError = {};
    try {
      error = ((JSON.parse(text) as { error?: GoogleError }).error ?? {}) as GoogleError;
    } catch {
      // not JSON: the status line says enough
    }
    // Google's messages may quote the request; the key is never repeated in ours.
    const message = redact(
      `Gemini ${what}: HTTP ${res.status} ${error.status ?? ''} ${error.message ?? text.slice(0, 200)}`.trim(),
      key,
    );
    if (res.status === 429 || res.status >= 500) {
      throw new ProviderRetryableError(message, retryAfterSeconds(res, error));
    }
    // A wrong key (400 API_KEY_INVALID, 401, 403) is configuration, which no fallback or retry fixes.
    const badKey = error.details?.some((d) => d.reason === 'API_KEY_INVALID');
    if (res.status === 400 && !badKey)
      throw new ProviderRejectedError(message, errorKind({ ...error, code: 3 }));
    throw new Error(message);
  }

  private async inlineImage(key: string): Promise<{ bytesBase64Encoded: string; mimeType: string }> {
    const bytes = await this.deps.blobs.get(key);
    const mimeType =
      bytes[0] === 0x89 && bytes[1] === 0x50
        ? 'image/png'
        : bytes[0] === 0xff && bytes[1] === 0xd8
          ? 'image/jpeg'
          : undefined;
    if (!mimeType)
      throw new ProviderRejectedError(`keyframe ${key} is neither PNG nor JPEG`, 'invalid_request');
    return { bytesBase64Encoded: Buffer.from(bytes).toString('base64'), mimeType };
  }
}

/** google.rpc codes: RESOURCE_EXHAUSTED (8), INVALID_ARGUMENT (3) and kin, DEADLINE_EXCEEDED (4). */
function errorKind(error: GoogleError): RenderFailureKind {
  if (SAFETY.test(error.message ?? '')) return 'refused';
  if (error.code === 8 || error.status === 'RESOURCE_EXHAUSTED') return 'rate_limited';
  if (error.code === 4 || error.status === 'DEADLINE_EXCEEDED') return 'timeout';
  if (
    [3, 9, 11].includes(error.code ?? -1) ||
    ['INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'OUT_OF_RANGE'].includes(error.status ?? '')
  )
    return 'invalid_request';
  return 'provider_error';
}

/** `Retry-After` (seconds or an HTTP date), else google.rpc.RetryInfo's `retryDelay` ("30s"). */
function retryAfterSeconds(res: Response, error: GoogleError): number | undefined {
  const header = res.headers.get('retry-after');
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds;
    const at = Date.parse(header);
    if (Number.isFinite(at)) return Math.max(0, Math.ceil((at - Date.now()) / 1000));
  }
  const delay = error.details?.find((d) => d['@type']?.endsWith('google.rpc.RetryInfo'))?.retryDelay;
  const seconds = delay ? Number.parseFloat(delay) : Number.NaN;
  return Number.isFinite(seconds) ? Math.ceil(seconds) : undefined;
}

const redact = (text: string, key?: string): string => (key ? text.split(key).join('[redacted]') : text);

/** The factory the provider selection wires in. */
export const geminiVeoModel = (deps: GeminiVeoDeps): VideoModel => new GeminiVeoModel(deps);
