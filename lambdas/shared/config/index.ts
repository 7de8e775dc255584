import { z } from 'zod';
import type { FunctionSpec } from '../../catalog.js';
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
  /** Functions that must have it (required variables only). */
  usedBy?: UsedBy;
}
const required = <S extends z.ZodType>(schema: S, usedBy: UsedBy, doc: string): VariableDef<S> => ({
  schema,
  usedBy,
  doc,
});
const optional = <S extends z.ZodType>(schema: S, doc: string): VariableDef<S> => ({ schema, doc });

const httpUrl = z.url({ protocol: /^https?$/ });
const arn = z.string().regex(/^arn:aws[\w-]*:[\w-]+:[\w-]*:\d*:.+$/, 'must be an ARN');
const positiveInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Function ids by role (catalog ids; a test checks they exist). */
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

export const ENV_ROLES = {
  linkSigners: ['RequestApproval', 'ApprovalsApi'],
  budgetChargers: BUDGET_CHARGERS,
  /** Approval requests, budget checkpoints and budget alerts. */
  mailSenders: ['RequestApproval', 'RequestBudgetRaise', ...BUDGET_CHARGERS],
  webhookCallers: ['SubmitRender'],
  webhookParties: ['SubmitRender', 'PollRenders', 'WebhooksApi'],
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
} as const;

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
    z.email().max(254),
    ENV_ROLES.campaignStarters,
    'Default approver of campaigns whose request names none.',
  ),
  MAIL_FROM: optional(
    z.email().max(254).optional(),
    'Sender of approval mails (an SES identity). Absent: approvals are API-only, nothing is mailed.',
  ),
  // Secrets: the stack sets the *_ARN variables; a developer may set the value instead (lambdas/shared/secrets.ts).
  APPROVAL_SIGNING_SECRET_ARN: required(
    arn,
    ENV_ROLES.linkSigners,
    'Secrets Manager ARN of the link-signing key.',
  ),
  APPROVAL_SIGNING_SECRET: optional(
    z.string().min(16).optional(),
    'The link-signing key itself (local use).',
  ),
  WEBHOOK_SECRET_ARN: required(arn, ENV_ROLES.webhookParties, 'Secrets Manager ARN of the webhook secret.'),
  WEBHOOK_SECRET: optional(z.string().min(16).optional(), 'The webhook secret itself (local use).'),
  OPENAI_API_KEY_ARN: optional(
    arn.optional(),
    'Secrets Manager ARN of the OpenAI key (when OpenAI is chosen).',
  ),
  OPENAI_API_KEY: optional(z.string().min(1).optional(), 'The OpenAI key itself (local use).'),
  OPENAI_BASE_URL: optional(
    httpUrl.optional(),
    'OpenAI-compatible endpoint (tests point it at a local server).',
  ),
  BIE_TEXT_MODEL: optional(
    z.enum(['offline', 'openai', 'bedrock']).default('offline'),
    'Text model provider.',
  ),
  BIE_EMBEDDER: optional(z.enum(['offline', 'openai', 'titan']).default('offline'), 'Embedding provider.'),
  BIE_VIDEO_PROVIDER: optional(z.enum(['offline']).default('offline'), 'Video model provider.'),
  BIE_VOICE: optional(z.enum(['offline', 'polly']).default('offline'), 'Voice provider.'),
  BIE_PUBLISHER: optional(z.enum(['outbox']).default('outbox'), 'Publisher of platform posts.'),
  BIE_WORK_DIR: optional(z.string().min(1).default('/tmp/bie-work'), 'Scratch space (Lambda: /tmp).'),
  BIE_OUTBOX_DIR: optional(z.string().min(1).default('/tmp/bie-outbox'), 'Local outbox folder.'),
  BIE_MASTER_WIDTH: optional(positiveInt(64, 4096).default(1080), 'Master width in pixels.'),
  BIE_MASTER_HEIGHT: optional(positiveInt(64, 4096).default(1920), 'Master height in pixels.'),
  BIE_FPS: optional(positiveInt(1, 60).default(30), 'Frames per second of renders and the master.'),
  BIE_RENDITION_SCALE: optional(
    z.coerce.number().min(0.05).max(1).default(1),
    'Renditions are platform size times this (tests render small).',
  ),
  BIE_X264_PRESET: optional(z.string().min(1).default('veryfast'), 'x264 preset of every encode.'),
  BIE_FFMPEG_PATH: optional(z.string().min(1).optional(), 'ffmpeg binary (the layer sets /opt/bin/ffmpeg).'),
  BIE_FFPROBE_PATH: optional(z.string().min(1).optional(), 'ffprobe binary.'),
  BIE_FONT_PATH: optional(
    z.string().min(1).optional(),
    'Font file for drawn text (default: DejaVu Sans Bold).',
  ),
} as const satisfies Record<string, VariableDef>;

export type EnvName = keyof typeof ENVIRONMENT;
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

/** The required variables of one function: the stack must set exactly these (plus the optional ones it chooses). */
export function requiredEnvironment(spec: FunctionSpec): EnvName[] {
  return (Object.keys(ENVIRONMENT) as EnvName[]).filter((k) => usedByFn(ENVIRONMENT[k], spec));
}

/** Whether a variable has a value (without parsing it): which of two alternatives is configured. */
export const isSet = (name: EnvName, env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env[name]);

export function readVariable<K extends EnvName>(name: K, env: NodeJS.ProcessEnv = process.env): AppConfig[K] {
  const def = ENVIRONMENT[name] as VariableDef;
  const raw = env[name] === '' ? undefined : env[name];
  if (raw === undefined && def.usedBy) {
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
