import OpenAI from 'openai';
import { BedrockTextModel } from '../adapters/bedrock/bedrock-text-model.js';
import { TitanEmbedder } from '../adapters/bedrock/titan-embedder.js';
import { OfflineCreativeEngine } from '../adapters/offline/creative-engine.js';
import { HashingEmbedder } from '../adapters/offline/hashing-embedder.js';
import { OpenAiEmbedder } from '../adapters/openai/openai-embedder.js';
import { OpenAiTextModel } from '../adapters/openai/openai-text-model.js';
import { config } from '../commons.js';
import { MODELS } from '../config/index.js';
import type { Embedder, TextModel } from '../ports/index.js';
import { readSecret } from '../secrets.js';
import { lazy } from './lazy.js';

/**
 * Text and embedding providers (BIE_TEXT_MODEL, BIE_EMBEDDER). Only the functions that write or score
 * copy import this module, so the others' bundles carry none of these adapters.
 */

/** OpenAI serves the tasks priced as OpenAI models; tasks configured for other vendors fall back to gpt-4o. */
const openAiModelFor = (task: string): string => {
  const m = (MODELS.text_tasks as Record<string, string>)[task] ?? 'gpt-4o';
  return m.startsWith('gpt-') ? m : 'gpt-4o';
};
const bedrockModelFor = (task: string): string =>
  (MODELS.bedrock_text_tasks as Record<string, string>)[task] ?? MODELS.bedrock_text_tasks.creative_brief;

/**
 * One OpenAI client per container. The key comes from Secrets Manager (OPENAI_API_KEY_ARN) or the
 * environment, through the secrets module, on the first call; nothing is read from the environment by
 * the SDK itself (it would default to variables the stack does not set).
 */
const openAi = lazy(
  () =>
    new OpenAI({
      apiKey: () => readSecret('openAiApiKey'),
      baseURL: config.OPENAI_BASE_URL ?? null,
      organization: null,
      project: null,
      webhookSecret: null,
      maxRetries: 2,
    }),
);

export const textModel = lazy<TextModel>(() => {
  if (config.BIE_TEXT_MODEL === 'openai') return new OpenAiTextModel(openAiModelFor, openAi());
  if (config.BIE_TEXT_MODEL === 'bedrock') return new BedrockTextModel(bedrockModelFor);
  return new OfflineCreativeEngine();
});

/** Which provider serves text (offline stand-ins cost nothing). */
export const textModelProvider = (): string => config.BIE_TEXT_MODEL;

// Switching embedders changes the vector space: re-ingest brand bibles after a switch.
export const embedder = lazy<Embedder>(() => {
  if (config.BIE_EMBEDDER === 'openai') return new OpenAiEmbedder(undefined, undefined, openAi());
  if (config.BIE_EMBEDDER === 'titan') return new TitanEmbedder();
  return new HashingEmbedder();
});
