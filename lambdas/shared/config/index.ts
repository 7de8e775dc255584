import { z } from 'zod';
import type { FunctionSpec } from '../../catalog.js';
import { Email } from '../contracts/common.js';
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
  /** Build the video model port (submit, poll). */
  videoModelUsers: ['SubmitRender', 'PollRenders'],
  /** Master size users: routing, submission, assembly, the quality gate. */
  masterSizeUsers: ['PlanRenders', 'SubmitRender', 'AssembleMaster', 'CheckQuality'],
  /** Scratch files: every media function, and the functions that download clips or post files. */
  scratchUsers: (f: FunctionSpec) =>
    media(f) || ['SubmitRender', 'PollRenders', 'WebhooksApi', 'PublishPost'].includes(f.id),
} as const;

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
    z.enum(['offline']).default('offline'),
    ENV_ROLES.videoModelUsers,
    'Video model provider.',
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

export const MODELS = models;
export type VideoModelConfig = (typeof models.video_models)[keyof typeof models.video_models];
