import { z } from 'zod';
import models from './models.json' with { type: 'json' };

/**
 * Runtime configuration, read once from the environment. The embedded runtime and AWS differ only
 * here (endpoints come from the standard AWS_ENDPOINT_URL_* variables, which the SDK reads itself).
 */
const Env = z.object({
  TABLE_NAME: z.string().min(1).default('bie'),
  BUCKET_NAME: z.string().min(1).default('bie-media'),
  APPROVAL_BASE_URL: z.string().default('http://127.0.0.1:8787'),
  APPROVAL_SIGNING_SECRET: z.string().optional(),
  APPROVAL_SIGNING_SECRET_ARN: z.string().optional(),
  APPROVER_EMAIL: z.string().default('brand-manager@example.com'),
  /** Sender of approval mails; unset (a stack without a sender) means approvals are API-only. */
  MAIL_FROM: z.string().optional(),
  CAMPAIGN_STATE_MACHINE_ARN: z.string().default(''),
  WEBHOOK_BASE_URL: z.string().default('http://127.0.0.1:8787'),
  EVENT_BUS_NAME: z.string().default(''),
  BIE_TEXT_MODEL: z.enum(['offline', 'openai', 'bedrock']).default('offline'),
  BIE_EMBEDDER: z.enum(['offline', 'openai', 'titan']).default('offline'),
  BIE_VIDEO_PROVIDER: z.enum(['offline']).default('offline'),
  BIE_VOICE: z.enum(['offline', 'polly']).default('offline'),
  BIE_PUBLISHER: z.enum(['outbox']).default('outbox'),
  BIE_OUTBOX_DIR: z.string().default('/tmp/bie-outbox'),
  BIE_WORK_DIR: z.string().default('/tmp/bie-work'),
  BIE_TRENDS_DIR: z.string().default(''),
  /** Output size of the master; renditions are always at platform size times BIE_RENDITION_SCALE. */
  BIE_MASTER_WIDTH: z.coerce.number().int().min(64).default(1080),
  BIE_MASTER_HEIGHT: z.coerce.number().int().min(64).default(1920),
  BIE_FPS: z.coerce.number().int().min(1).max(60).default(30),
  BIE_RENDITION_SCALE: z.coerce.number().min(0.05).max(1).default(1),
  BIE_X264_PRESET: z.string().default('veryfast'),
});

export type AppConfig = z.infer<typeof Env>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return Env.parse(env);
}

export const MODELS = models;
export type VideoModelConfig = (typeof models.video_models)[keyof typeof models.video_models];
