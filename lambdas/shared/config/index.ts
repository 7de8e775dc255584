import { z } from 'zod';
import type { FunctionSpec } from '../../catalog.js';
import { Email } from '../contracts/common.js';
import { parseVideoModels, type VideoModelSpec } from './models.js';
import models from './models.json' with { type: 'json' };

/**
 * The one definition of every environment variable the functions read. Handlers read them through
 * `config` (below); the CDK app sets each function's environment from the same definition
 * (`requiredEnvironment`), and the as-deployed runtime proves no handler reads a variable its function's
 * template does not set.
 *
 * - `required` variables have no default: the stack must set them on every function in `usedBy`, and a
 *   function that reads one that is missing fails naming it. A local convenience (a loopback URL, a
 *   directory on the developer's disk) is never a default: the embedded runtime sets those explicitly.
 * - Optional variables have a default that is right on Lambda too, or mean "feature off" when absent.
 */
type UsedBy = 'all' | readonly string[] | ((f: FunctionSpec) => boolean);
interface VariableDef<S extends z.ZodType = z.ZodType> {
  schema: S;
  doc: string;
  /**
   * The functions that read it: the stack sets it on exactly these (its value, or the default), so a
   * function's template declares every variable its code reads. Absent: never set on AWS (local use).
   */
  usedBy?: UsedBy;
  /** No default: the stack must supply a value. */
  required?: true;
}
/** The stack must set a value on every function that reads it. */
const required = <S extends z.ZodType>(schema: S, usedBy: UsedBy, doc: string): VariableDef<S> => ({
  schema,
  usedBy,
  doc,
  required: true,
});
/** A setting with a default that is right on Lambda; the stack sets it (or its default) on its readers. */
const setting = <S extends z.ZodType>(schema: S, usedBy: UsedBy, doc: string): VariableDef<S> => ({
  schema,
  usedBy,
  doc,
});
/** Read only where no ARN or endpoint of the real service is configured: never set by the stack. */
const localOnly = <S extends z.ZodType>(schema: S, doc: string): VariableDef<S> => ({ schema, doc });

const httpUrl = z.url({ protocol: /^https?$/ });
const arn = z.string().regex(/^arn:aws[\w-]*:[\w-]+:[\w-]*:\d*:.+$/, 'must be an ARN');
const positiveInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const media = (f: FunctionSpec) => f.ffmpeg === true;

/**
 * Functions that charge the ledger (model calls, renders, posts): they announce the budget alerts
 * (50/75/90 %) their charge crosses, as events and mail. tests/unit/budget checks the list against the code.
 */
const BUDGET_CHARGERS = [
  'LoadBrandContext',
  'SynthesizeBrief',
  'GenerateHooks',
  'OutlineScript',
  'WriteScene',
  'SubmitRender',
  'PollRenders',
  'WebhooksApi',
  'SynthesizeVoiceover',
  'PublishPost',
] as const;

/** Function ids (or predicates over catalog entries) by role; a test checks the ids exist. */
export const ENV_ROLES = {
  linkSigners: ['RequestApproval', 'ApprovalsApi'],
  budgetChargers: BUDGET_CHARGERS,
  /** Approval requests, budget checkpoints and budget alerts. */
  mailSenders: ['RequestApproval', 'RequestBudgetRaise', ...BUDGET_CHARGERS],
  webhookCallers: ['SubmitRender'],
  /** Sign (the offline video model's renderer) or verify (WebhooksApi) render callbacks. */
  webhookParties: ['RenderOfflineScene', 'WebhooksApi'],
  /** Invoke the offline video model's renderer function (ProceduralVideoModel.submit()). */
  offlineRenderInvokers: ['SubmitRender'],
  campaignStarters: ['CampaignsApi'],
  /** Functions that emit campaign lifecycle events (the campaign's own steps and the approval steps). */
  eventPublishers: [
    'PrepareCampaign',
    'RecordFailure',
    'SettleLedger',
    'CompleteCampaign',
    'RegisterVariantAssets',
    'RequestApproval',
    'ApprovalsApi',
    'RequestBudgetRaise',
    'BudgetsApi',
    ...BUDGET_CHARGERS,
  ],
  /** Call platform APIs: publish posts, read their engagement (the engagement collector joins here). */
  /** Call the platforms' APIs: publish, and read the posts' engagement. */
  platformClients: ['PublishPost', 'CollectEngagement'],
  /** Build the video model port (submit, poll). */
  videoModelUsers: ['SubmitRender', 'PollRenders'],
  /** Route scenes among the enabled video providers, submit to and poll their adapters (BIE_VIDEO_PROVIDER). */
  videoRouters: ['PlanRenders', 'SubmitRender', 'PollRenders'],
  /** Call the fal queue (submit, status, result, keyframes) with the fal key. */
  falCallers: ['SubmitRender', 'PollRenders'],
  /** Verify fal's signed webhooks against its JWKS. */
  falWebhookReceivers: ['WebhooksApi'],
  /** Master size users: routing, submission, assembly, the quality gate. */
  masterSizeUsers: ['PlanRenders', 'SubmitRender', 'AssembleMaster', 'CheckQuality'],
  /** Scratch files: every media function, and the functions that download clips or post files. */
  scratchUsers: (f: FunctionSpec) =>
    media(f) || ['SubmitRender', 'PollRenders', 'WebhooksApi', 'PublishPost'].includes(f.id),
} as const;

/** `BIE_PUBLISH_<PLATFORM>`: which publisher serves a platform. */
const publishChoice = <P extends string>(platform: P) =>
  ({
    [`BIE_PUBLISH_${platform}`]: setting(
      z.enum(['api', 'blotato', 'outbox']).default('outbox'),
      ENV_ROLES.platformClients,
      `Publisher of ${platform.toLowerCase()} posts: its API, Blotato, or the offline outbox.`,
    ),
  }) as Record<
    `BIE_PUBLISH_${P}`,
    VariableDef<z.ZodDefault<z.ZodEnum<{ api: 'api'; blotato: 'blotato'; outbox: 'outbox' }>>>
  >;
/** A platform secret: its Secrets Manager ARN (set by the stack) or, locally, the value itself. */
const platformSecret = <N extends string>(name: N, doc: string) =>
  ({
    [`${name}_ARN`]: setting(arn.optional(), ENV_ROLES.platformClients, `Secrets Manager ARN: ${doc}`),
    [name]: localOnly(z.string().min(1).optional(), doc),
  }) as Record<`${N}_ARN` | N, VariableDef<z.ZodOptional<z.ZodString>>>;

/** Call the text model or the embedder (strategist and copywriter steps, brand ingestion). */
export const modelUsers = (f: FunctionSpec): boolean =>
  f.pillar === 'strategist' || f.pillar === 'copywriter' || f.id === 'BrandsApi';

export const ENVIRONMENT = {
  TABLE_NAME: required(z.string().min(1), 'all', 'The single DynamoDB table.'),
  BUCKET_NAME: required(z.string().min(1), 'all', 'The media bucket.'),
  APPROVAL_BASE_URL: required(
    httpUrl,
    ENV_ROLES.linkSigners,
    'Base URL of the HTTP API, for mailed approval links.',
  ),
  WEBHOOK_BASE_URL: required(
    httpUrl,
    ENV_ROLES.webhookCallers,
    'Base URL of the HTTP API, for provider callback URLs.',
  ),
  CAMPAIGN_STATE_MACHINE_ARN: required(
    arn,
    ENV_ROLES.campaignStarters,
    'The orchestrator state machine that POST /campaigns starts.',
  ),
  EVENT_BUS_NAME: required(
    z.string().min(1),
    ENV_ROLES.eventPublishers,
    'EventBridge bus of campaign lifecycle events.',
  ),
  APPROVER_EMAIL: required(
    Email,
    ENV_ROLES.campaignStarters,
    'Default approver of campaigns whose request names none.',
  ),
  DASHBOARD_URL: setting(
    z.union([httpUrl, z.literal('')]).default(''),
    ENV_ROLES.linkSigners,
    'Base URL of the review dashboard (CloudFront on AWS; the API origin in the embedded runtime): approval mails link to its review page. Empty: mails carry only the approve/reject links.',
  ),
  MAIL_FROM: setting(
    Email.optional(),
    ENV_ROLES.mailSenders,
    'Sender of approval mails (an SES identity). Empty: approvals are API-only, nothing is mailed.',
  ),
  // Secrets: the stack sets the *_ARN variables; a developer may set the value instead (lambdas/shared/secrets.ts).
  APPROVAL_SIGNING_SECRET_ARN: required(
    arn,
    ENV_ROLES.linkSigners,
    'Secrets Manager ARN of the link-signing key.',
  ),
  APPROVAL_SIGNING_SECRET: localOnly(z.string().min(16).optional(), 'The link-signing key itself.'),
  WEBHOOK_SECRET_ARN: required(arn, ENV_ROLES.webhookParties, 'Secrets Manager ARN of the webhook secret.'),
  WEBHOOK_SECRET: localOnly(z.string().min(16).optional(), 'The webhook secret itself.'),
  OFFLINE_RENDERER_FUNCTION_NAME: required(
    z.string().min(1),
    ENV_ROLES.offlineRenderInvokers,
    'Name or ARN of the offline renderer function (RenderOfflineScene) that submits invoke asynchronously.',
  ),
  OPENAI_API_KEY_ARN: setting(
    arn.optional(),
    modelUsers,
    'Secrets Manager ARN of the OpenAI key (set when OpenAI is chosen).',
  ),
  OPENAI_API_KEY: localOnly(z.string().min(1).optional(), 'The OpenAI key itself.'),
  OPENAI_BASE_URL: setting(
    httpUrl.optional(),
    modelUsers,
    'OpenAI-compatible endpoint (default the public API; tests point it at a local server).',
  ),
  BIE_TEXT_MODEL: setting(
    z.enum(['offline', 'openai', 'bedrock']).default('offline'),
    modelUsers,
    'Text model provider.',
  ),
  BIE_EMBEDDER: setting(
    z.enum(['offline', 'openai', 'titan']).default('offline'),
    modelUsers,
    'Embedding provider.',
  ),
  BIE_VIDEO_PROVIDER: setting(
    z
      .string()
      .regex(
        /^(offline|fal|bedrock|gemini)(,(offline|fal|bedrock|gemini))*$/,
        'a comma list of offline, fal, bedrock, gemini',
      )
      .default('offline'),
    ENV_ROLES.videoRouters,
    'Video providers: offline (default: the procedural stand-in renders every model at its list price), or the enabled real ones, e.g. fal or fal,bedrock,gemini; the router picks only models of enabled providers.',
  ),
  FAL_KEY_ARN: setting(
    arn.optional(),
    ENV_ROLES.falCallers,
    'Secrets Manager ARN of the fal API key (set when fal is chosen).',
  ),
  FAL_KEY: localOnly(z.string().min(1).optional(), 'The fal API key itself.'),
  FAL_QUEUE_URL: setting(
    httpUrl.default('https://queue.fal.run'),
    ENV_ROLES.falCallers,
    'fal queue host (tests point it at a local server).',
  ),
  FAL_JWKS_URL: setting(
    httpUrl.default('https://rest.alpha.fal.ai/.well-known/jwks.json'),
    ENV_ROLES.falWebhookReceivers,
    "fal's webhook signing keys (JWKS, ED25519).",
  ),
  // Plain-http provider outputs are fetched only from these origins (a local fake provider's CDN).
  BIE_LOCAL_PROVIDER_ORIGINS: localOnly(
    z
      .string()
      .optional()
      .transform((v) => (v ? v.split(',').map((o) => new URL(o.trim()).origin) : [])),
    'Comma list of origins of local provider stand-ins whose http: outputs may be fetched. Never set on AWS.',
  ),
  BIE_VOICE: setting(
    z.enum(['offline', 'polly']).default('offline'),
    ['SynthesizeVoiceover'],
    'Voice provider.',
  ),
  BIE_PUBLISHER: setting(
    z.enum(['outbox']).default('outbox'),
    ['PublishPost'],
    'Publisher of platform posts.',
  ),
  // Gemini API (Veo): the stack sets the key's ARN when a Gemini model is routed to; the URL is the
  // public API unless a local protocol server stands in.
  GEMINI_API_KEY_ARN: setting(
    arn.optional(),
    ENV_ROLES.videoModelUsers,
    'Secrets Manager ARN of the Gemini API key (set when a Gemini video model is configured).',
  ),
  GEMINI_API_KEY: localOnly(z.string().min(1).optional(), 'The Gemini API key itself.'),
  GEMINI_API_URL: setting(
    httpUrl.default('https://generativelanguage.googleapis.com'),
    ENV_ROLES.videoModelUsers,
    'Gemini API base URL (Veo predictLongRunning, operations, file downloads).',
  ),
  // Platform publishing (issue 8): per platform `api` (its own API), `blotato` (the aggregator) or
  // `outbox` (the offline stand-in). Read by the publisher and the engagement fetchers.
  ...publishChoice('YOUTUBE'),
  ...publishChoice('TIKTOK'),
  ...publishChoice('INSTAGRAM'),
  ...publishChoice('LINKEDIN'),
  YOUTUBE_API_URL: setting(
    httpUrl.default('https://www.googleapis.com'),
    ENV_ROLES.platformClients,
    'YouTube Data API base, serving /youtube/v3 and /upload/youtube/v3.',
  ),
  YOUTUBE_TOKEN_URL: setting(
    httpUrl.default('https://oauth2.googleapis.com/token'),
    ENV_ROLES.platformClients,
    'Google OAuth token endpoint (refresh grant).',
  ),
  YOUTUBE_PRIVACY_STATUS: setting(
    z.enum(['public', 'unlisted', 'private']).default('public'),
    ENV_ROLES.platformClients,
    'Privacy of uploaded videos (unaudited API projects are forced to private by YouTube).',
  ),
  TIKTOK_API_URL: setting(
    httpUrl.default('https://open.tiktokapis.com'),
    ENV_ROLES.platformClients,
    'TikTok Open API base (Content Posting API, video query).',
  ),
  TIKTOK_TOKEN_URL: setting(
    httpUrl.default('https://open.tiktokapis.com/v2/oauth/token/'),
    ENV_ROLES.platformClients,
    'TikTok OAuth token endpoint (refresh grant).',
  ),
  TIKTOK_PRIVACY_LEVEL: setting(
    z
      .enum(['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'FOLLOWER_OF_CREATOR', 'SELF_ONLY'])
      .default('SELF_ONLY'),
    ENV_ROLES.platformClients,
    'Privacy of TikTok posts: SELF_ONLY until TikTok has audited the app (it forces private posts before).',
  ),
  INSTAGRAM_GRAPH_URL: setting(
    httpUrl.default('https://graph.facebook.com/v23.0'),
    ENV_ROLES.platformClients,
    'Instagram Graph API base, with its version.',
  ),
  INSTAGRAM_TOKEN_URL: setting(
    httpUrl.default('https://graph.facebook.com/v23.0/oauth/access_token'),
    ENV_ROLES.platformClients,
    'Meta token endpoint that renews the long-lived user token (fb_exchange_token).',
  ),
  INSTAGRAM_USER_ID: setting(
    z.string().regex(/^\d+$/).optional(),
    ENV_ROLES.platformClients,
    'Instagram professional account id that publishes (required for BIE_PUBLISH_INSTAGRAM=api).',
  ),
  LINKEDIN_API_URL: setting(
    httpUrl.default('https://api.linkedin.com'),
    ENV_ROLES.platformClients,
    'LinkedIn REST API base (Videos, Posts, socialMetadata, videoAnalytics).',
  ),
  LINKEDIN_TOKEN_URL: setting(
    httpUrl.default('https://www.linkedin.com/oauth/v2/accessToken'),
    ENV_ROLES.platformClients,
    'LinkedIn OAuth token endpoint (refresh grant).',
  ),
  LINKEDIN_VERSION: setting(
    z
      .string()
      .regex(/^\d{6}$/, 'YYYYMM')
      .default('202605'),
    ENV_ROLES.platformClients,
    'LinkedIn-Version header (YYYYMM; versions sunset after about a year).',
  ),
  LINKEDIN_AUTHOR_URN: setting(
    z
      .string()
      .regex(/^urn:li:(person|organization):.+$/)
      .optional(),
    ENV_ROLES.platformClients,
    'The member or organization that posts (required for BIE_PUBLISH_LINKEDIN=api).',
  ),
  BLOTATO_API_URL: setting(
    httpUrl.default('https://backend.blotato.com'),
    ENV_ROLES.platformClients,
    'Blotato API base (serving /v2).',
  ),
  BLOTATO_ACCOUNT_IDS: setting(
    z
      .string()
      .regex(/^\{.*\}$/s, 'a JSON object of platform → Blotato account id')
      .optional(),
    ENV_ROLES.platformClients,
    'Blotato account id per platform, as JSON ({"tiktok":"123",...}).',
  ),
  // OAuth clients (JSON: client_id, client_secret, refresh_token) in Secrets Manager; locally the
  // access token itself may be set instead (lambdas/shared/secrets.ts).
  ...platformSecret('YOUTUBE_OAUTH', 'Google OAuth client and refresh token of the YouTube channel.'),
  ...platformSecret('TIKTOK_OAUTH', 'TikTok client key/secret and refresh token of the creator.'),
  ...platformSecret('INSTAGRAM_OAUTH', 'Meta app id/secret and the long-lived user token.'),
  ...platformSecret('LINKEDIN_OAUTH', 'LinkedIn client and refresh token of the author.'),
  ...platformSecret('BLOTATO_API_KEY', 'Blotato API key.'),
  YOUTUBE_ACCESS_TOKEN: localOnly(z.string().min(1).optional(), 'A YouTube access token (local runs).'),
  TIKTOK_ACCESS_TOKEN: localOnly(z.string().min(1).optional(), 'A TikTok access token (local runs).'),
  INSTAGRAM_ACCESS_TOKEN: localOnly(z.string().min(1).optional(), 'An Instagram access token (local runs).'),
  LINKEDIN_ACCESS_TOKEN: localOnly(z.string().min(1).optional(), 'A LinkedIn access token (local runs).'),
  // Scheduled posts (issue 8): one-time EventBridge Scheduler schedules that invoke PublishPost.
  POST_SCHEDULE_GROUP: required(
    z.string().min(1),
    ['PublishPost', 'SchedulesApi'],
    'EventBridge Scheduler group of the one-time schedules of scheduled posts.',
  ),
  POST_SCHEDULER_ROLE_ARN: required(
    arn,
    ['PublishPost'],
    'Role EventBridge Scheduler assumes to invoke PublishPost (the target is PublishPost itself).',
  ),
  POST_SCHEDULE_DEAD_LETTER_ARN: setting(
    arn.optional(),
    ['PublishPost'],
    'SQS queue of scheduled posts that still failed after the Scheduler retries.',
  ),
  BIE_WORK_DIR: setting(
    z.string().min(1).default('/tmp/bie-work'),
    ENV_ROLES.scratchUsers,
    'Scratch space (Lambda: /tmp).',
  ),
  BIE_MASTER_WIDTH: setting(
    positiveInt(64, 4096).default(1080),
    ENV_ROLES.masterSizeUsers,
    'Master width in pixels.',
  ),
  BIE_MASTER_HEIGHT: setting(
    positiveInt(64, 4096).default(1920),
    ENV_ROLES.masterSizeUsers,
    'Master height in pixels.',
  ),
  BIE_FPS: setting(
    positiveInt(1, 60).default(30),
    ENV_ROLES.masterSizeUsers,
    'Frames per second of renders and the master.',
  ),
  BIE_RENDITION_SCALE: setting(
    z.coerce.number().min(0.05).max(1).default(1),
    ['FormatRendition'],
    'Renditions are platform size times this (tests render small).',
  ),
  BIE_X264_PRESET: setting(z.string().min(1).default('veryfast'), media, 'x264 preset of every encode.'),
  BIE_PROVIDER_AUDIO: setting(
    z.enum(['keep', 'mute']).default('mute'),
    ['AssembleMaster'],
    "A clip's own audio (Veo): `keep` mixes it under the voice (ducked), `mute` drops it for the music bed.",
  ),
  // The SDK reads these itself; the render webhook allows plain-http outputs from them only (presigned
  // URLs of a local S3 emulator). Never set on AWS.
  AWS_ENDPOINT_URL_S3: localOnly(httpUrl.optional(), 'S3 endpoint of a local emulator.'),
  AWS_ENDPOINT_URL: localOnly(httpUrl.optional(), 'Endpoint of a local emulator of every AWS service.'),
  BIE_FFMPEG_PATH: setting(
    z.string().min(1).optional(),
    media,
    'ffmpeg binary (the stack: the layer binary in /opt/bin; locally the npm package binary).',
  ),
  BIE_FFPROBE_PATH: setting(z.string().min(1).optional(), media, 'ffprobe binary.'),
  BIE_FONT_PATH: setting(
    z.string().min(1).optional(),
    (f) => (f.packages ?? []).includes('fonts'),
    'Font file for drawn text (default: DejaVu Sans Bold from the dejavu-fonts-ttf package).',
  ),
} as const satisfies Record<string, VariableDef>;

export type EnvName = keyof typeof ENVIRONMENT;

export type MediaProfile = 'full' | 'preview';
/**
 * Media settings by profile (CDK context `mediaProfile`; tests set them in the embedded runtime):
 * `full` is the defaults; `preview` renders 180×320 masters and quarter-size renditions, fast.
 */
export const MEDIA_PROFILES: Record<MediaProfile, Partial<Record<EnvName, string>>> = {
  full: {},
  preview: {
    BIE_MASTER_WIDTH: '180',
    BIE_MASTER_HEIGHT: '320',
    BIE_RENDITION_SCALE: '0.25',
    BIE_X264_PRESET: 'ultrafast',
  },
};
export type AppConfig = { readonly [K in EnvName]: z.infer<(typeof ENVIRONMENT)[K]['schema']> };

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

const usedByFn = (def: VariableDef, spec: FunctionSpec): boolean => {
  const u = def.usedBy;
  if (!u) return false;
  if (u === 'all') return true;
  if (typeof u === 'function') return u(spec);
  return (u as readonly string[]).includes(spec.id);
};

/** The variables one function reads: the stack sets exactly these on it. */
export function declaredEnvironment(spec: FunctionSpec): EnvName[] {
  return (Object.keys(ENVIRONMENT) as EnvName[]).filter((k) => usedByFn(ENVIRONMENT[k], spec));
}

/** The variables one function reads that have no default: the stack must supply their values. */
export function requiredEnvironment(spec: FunctionSpec): EnvName[] {
  return declaredEnvironment(spec).filter((k) => (ENVIRONMENT[k] as VariableDef).required);
}

/** The value the stack sets for a setting it was given no value for: its default ('' for none). */
export function defaultValue(name: EnvName): string {
  const parsed = (ENVIRONMENT[name] as VariableDef).schema.safeParse(undefined);
  return parsed.success && parsed.data !== undefined ? String(parsed.data) : '';
}

/** Whether a variable has a value (without parsing it): which of two alternatives is configured. */
export const isSet = (name: EnvName, env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env[name]);

export function readVariable<K extends EnvName>(name: K, env: NodeJS.ProcessEnv = process.env): AppConfig[K] {
  const def = ENVIRONMENT[name] as VariableDef;
  const raw = env[name] === '' ? undefined : env[name];
  if (raw === undefined && def.required) {
    const fn = env.AWS_LAMBDA_FUNCTION_NAME ? ` of function ${env.AWS_LAMBDA_FUNCTION_NAME}` : '';
    throw new ConfigurationError(`${name} is not set in the environment${fn}: ${def.doc}`);
  }
  const parsed = def.schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigurationError(
      `${name}=${JSON.stringify(raw)} is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
  }
  return parsed.data as AppConfig[K];
}

/**
 * Parses every variable at once (CLI checks and tests). Handlers use `config`, which reads a variable
 * only when it is used, so a function never touches the variables of another function.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(ENVIRONMENT) as EnvName[]) out[k] = readVariable(k, env);
  return out as AppConfig;
}

/** Lazily read, cached per raw value (tests change the environment between cases). */
export function lazyConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const cache = new Map<string, { raw: string | undefined; value: unknown }>();
  const out = {};
  for (const k of Object.keys(ENVIRONMENT) as EnvName[]) {
    Object.defineProperty(out, k, {
      enumerable: true,
      get() {
        const raw = env[k];
        const hit = cache.get(k);
        if (hit && hit.raw === raw) return hit.value;
        const value = readVariable(k, env);
        cache.set(k, { raw, value });
        return value;
      },
    });
  }
  return out as AppConfig;
}

const video = parseVideoModels(models);
/** models.json; its video and keyframe sections parsed (lambdas/shared/config/models.ts). */
export const MODELS = {
  ...models,
  video_models: video.video_models,
  keyframe_models: video.keyframe_models,
  keyframe_default: video.keyframe_default,
  routing: video.routing,
};
export type VideoModelConfig = VideoModelSpec;
