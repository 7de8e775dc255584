import type { z } from 'zod';
import type { Platform } from '../contracts/index.js';

/**
 * Ports: what domain code needs from the outside world. Real adapters (OpenAI, Bedrock, Polly, fal,
 * platform APIs, SES) and one offline adapter each implement them; domain code never knows which.
 */

export interface Usage {
  /** Model id as priced in configuration (e.g. `gpt-4o`, `offline-creative-engine`). */
  model: string;
  provider: string;
  units: number;
  unit: 'tokens' | 'seconds' | 'characters' | 'requests' | 'images';
}

/** Structured generation: every task names its zod schema, and the answer is parsed with it. */
export interface TextGenerationRequest<S extends z.ZodType> {
  /** Stable task name (`creative_brief`, `hook_variations`, `scene`, ...) used for routing and pricing. */
  task: string;
  schema: S;
  system: string;
  prompt: string;
  /** Structured facts the prompt was built from; offline engines work from these instead of prose. */
  context: Record<string, unknown>;
  /** Deterministic seed for the offline engine and for providers that accept one. */
  seed?: number;
}

export interface TextModel {
  readonly name: string;
  generate<S extends z.ZodType>(req: TextGenerationRequest<S>): Promise<{ value: z.infer<S>; usage: Usage }>;
}

export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  embed(texts: string[]): Promise<{ vectors: Float32Array[]; usage: Usage }>;
}

export interface RenderRequest {
  job_id: string;
  /** The provider's model id (models.json `provider_model`), e.g. `fal-ai/veo3.1/fast`, `amazon.nova-reel-v1:1`. */
  model: string;
  prompt: string;
  /** Seconds the provider is asked for: one of the model's supported durations (≥ the scene; trimmed later). */
  duration_seconds: number;
  /** The master's frame; a provider that cannot make it renders its nearest aspect and the plan reframes. */
  width: number;
  height: number;
  fps: number;
  /** Aspect asked of the provider (one of the model's capabilities). */
  aspect_ratio?: '9:16' | '16:9' | '1:1';
  /** Ask for native audio where the model offers it as an option. */
  audio?: boolean;
  /** Image-to-video: the start keyframe, a key in the campaign bucket (adapters presign or inline it). */
  keyframe_key?: string;
  /** Where a provider that writes to S3 itself (Bedrock async invoke) puts its output: a key prefix. */
  output_prefix?: string;
  /** Hints the offline renderer uses; real providers read the prompt. */
  palette: string[];
  camera_movement: string;
  lighting: string;
  style: string;
  on_screen_text?: string;
  seed: number;
  /** Where the provider calls back when the job finishes (webhook providers). */
  callback_url?: string;
}

/** Why a provider job failed: drives the fallback chain and the message a reviewer reads. */
export type RenderFailureKind = 'provider_error' | 'refused' | 'timeout' | 'rate_limited' | 'invalid_request';

export type ProviderJobStatus =
  | { state: 'queued' | 'processing' }
  | {
      state: 'completed';
      /** An https URL (provider CDN, copied to S3 at once) or a key/s3:// address in the campaign bucket. */
      output_url: string;
      /** The clip carries an audio track (Veo native audio). */
      has_audio?: boolean;
    }
  | { state: 'failed'; error: string; kind?: RenderFailureKind }
  | { state: 'unknown' };

/** A provider call that failed in a way the caller may retry later (429, 5xx, network); carries the wait. */
export class ProviderRetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ProviderRetryableError';
  }
}

/**
 * A provider refused a job at submission (validation, a content filter on the prompt or keyframe):
 * retrying the same request cannot succeed, so the caller records the failure and falls back.
 */
export class ProviderRejectedError extends Error {
  constructor(
    message: string,
    readonly kind: RenderFailureKind,
  ) {
    super(message);
    this.name = 'ProviderRejectedError';
  }
}

/** Text-to-image keyframes for image-to-video scenes (Nano Banana / Seedream class models). */
export interface KeyframeRequest {
  job_id: string;
  /** The provider's model id. */
  model: string;
  prompt: string;
  palette: string[];
  aspect_ratio: '9:16' | '16:9' | '1:1';
  seed: number;
  /** Key in the campaign bucket where the image is stored. */
  output_key: string;
}

export interface KeyframeModel {
  readonly provider: string;
  /** Generates the image and stores it at `output_key`; returns that key and the usage to charge. */
  generate(req: KeyframeRequest): Promise<{ image_key: string; usage: Usage }>;
}

/** Asynchronous video generation: submit returns at once; completion arrives by webhook or polling. */
export interface VideoModel {
  readonly provider: string;
  readonly delivers: 'webhook' | 'polling';
  submit(req: RenderRequest): Promise<{ provider_job_id: string }>;
  status(providerJobId: string): Promise<ProviderJobStatus>;
}

export interface SpeechResult {
  audio: Uint8Array;
  format: 'wav' | 'mp3';
  duration_seconds: number;
  words: { text: string; start_seconds: number; end_seconds: number }[];
  usage: Usage;
}

export interface Voice {
  readonly provider: string;
  synthesize(text: string, opts: { voice_tone: string }): Promise<SpeechResult>;
}

export interface PublishRequest {
  post_key: string;
  platform: Platform;
  video_path: string;
  thumbnail_path: string;
  caption: string;
  hashtags: string[];
  scheduled_time?: string;
  /** The video is synthetic media: TikTok `is_aigc`, YouTube `status.containsSyntheticMedia`. */
  ai_generated: boolean;
  /** A title where the platform has one (YouTube); otherwise the caption's first line serves. */
  title?: string;
  /** The rendition's key in the media bucket: publishers that hand the platform a URL presign it. */
  video_key?: string;
  /**
   * Where the publisher keeps what it has done for this post (upload session, publish id, container,
   * upload token, the final post id), so a retry or a restart resumes instead of posting again. Absent:
   * progress lives only as long as the call.
   */
  progress?: PublishProgress;
}

/** One post's publishing progress, stored by the caller (a DynamoDB item per post key on AWS). */
export interface PublishProgress {
  load(): Promise<Record<string, unknown> | undefined>;
  save(state: Record<string, unknown>): Promise<void>;
}

export interface Publisher {
  readonly provider: string;
  publish(req: PublishRequest): Promise<{ post_id: string; url: string; status: 'published' | 'scheduled' }>;
}

/** One reading of a post's public counters on its platform. */
export interface EngagementSnapshot {
  platform: Platform;
  platform_post_id: string;
  collected_at: string;
  views: number;
  likes: number;
  comments: number;
  shares: number;
  watch_time_seconds?: number;
  impressions?: number;
}

/** Reads engagement for posts on one platform; posts the platform no longer knows are left out. */
export interface EngagementFetcher {
  readonly platform: Platform;
  fetch(platformPostIds: string[]): Promise<EngagementSnapshot[]>;
}

/**
 * One-time schedules that publish a post at its time (EventBridge Scheduler on AWS, the local
 * Scheduler emulator in the embedded runtime). `name` is the schedule's name; `payload` what the
 * publishing function receives when it fires. Idempotent: creating an existing name updates it.
 */
export interface PostScheduler {
  schedule(name: string, at: string, payload: unknown): Promise<void>;
  /** False when no such schedule exists (it fired, or was cancelled). */
  cancel(name: string): Promise<boolean>;
}

export interface TrendItem {
  title: string;
  url: string;
  source: string;
  summary: string;
  published_at?: string;
  category?: string;
  engagement_score?: number;
}

export type FeedFetchResult =
  | { status: 'fetched'; items: TrendItem[]; etag?: string; last_modified?: string }
  | { status: 'not-modified' };

/** Reads one trend feed, conditionally (the validators come from the previous fetch). */
export interface FeedFetcher {
  fetch(url: string, validators: { etag?: string; last_modified?: string }): Promise<FeedFetchResult>;
}

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(mail: Mail): Promise<{ message_id: string }>;
}

/** Binary objects (S3 on AWS, the S3 emulator locally). Keys, never local paths, cross boundaries. */
export interface BlobStore {
  readonly bucket: string;
  put(key: string, body: Uint8Array | string, contentType: string): Promise<string>;
  /**
   * Writes only if no object has this key yet (S3 conditional write, `If-None-Match: *`): true when
   * this call created it, false when one existed. Two racing writers: exactly one gets true.
   */
  putIfAbsent(key: string, body: Uint8Array | string, contentType: string): Promise<boolean>;
  putFile(key: string, path: string, contentType: string): Promise<string>;
  get(key: string): Promise<Uint8Array>;
  /** Downloads to a local file (ffmpeg needs paths) and returns the path. */
  download(key: string, path: string): Promise<string>;
  exists(key: string): Promise<boolean>;
  url(key: string): string;
  presign(key: string, expiresInSeconds: number): Promise<string>;
}

/**
 * Invokes another function of the stack asynchronously (Lambda `InvocationType: Event`): the call
 * returns once Lambda has queued the event; the function runs on its own, at least once, and Lambda
 * retries it when it fails. `functionName` is a function name or ARN.
 */
export interface FunctionInvoker {
  invokeAsync(functionName: string, payload: unknown): Promise<void>;
}

/** Completes a waiting `.waitForTaskToken` state (Step Functions SendTaskSuccess/Failure/Heartbeat). */
export interface TaskCallbacks {
  success(token: string, output: unknown): Promise<void>;
  failure(token: string, error: string, cause: string): Promise<void>;
  heartbeat(token: string): Promise<void>;
}

/** Campaign lifecycle events for dashboards and integrations (EventBridge on AWS and locally). */
export interface EventPublisher {
  publish(events: import('../contracts/events.js').LifecycleEvent[]): Promise<void>;
}
