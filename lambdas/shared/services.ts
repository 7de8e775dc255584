import path from 'node:path';
import { PollyVoice } from './adapters/aws/polly-voice.js';
import { SesMailer } from './adapters/aws/ses-mailer.js';
import { sfnTaskCallbacks } from './adapters/aws/sfn-task-callbacks.js';
import { BedrockTextModel } from './adapters/bedrock/bedrock-text-model.js';
import { TitanEmbedder } from './adapters/bedrock/titan-embedder.js';
import { OfflineCreativeEngine } from './adapters/offline/creative-engine.js';
import { EspeakVoice } from './adapters/offline/espeak-voice.js';
import { FeedFileTrendSource } from './adapters/offline/feed-files.js';
import { HashingEmbedder } from './adapters/offline/hashing-embedder.js';
import { OutboxPublisher } from './adapters/offline/outbox-publisher.js';
import { ProceduralVideoModel } from './adapters/offline/procedural-video-model.js';
import { OpenAiEmbedder } from './adapters/openai/openai-embedder.js';
import { OpenAiTextModel } from './adapters/openai/openai-text-model.js';
import { config } from './commons.js';
import { MODELS } from './config/index.js';
import { S3BlobStore } from './data/blob-store.js';
import type { Embedder, Publisher, TextModel, TrendSource, VideoModel, Voice } from './ports/index.js';

/**
 * The composition root: which adapter serves each port is configuration (BIE_TEXT_MODEL, BIE_EMBEDDER,
 * BIE_VIDEO_PROVIDER, ...). Offline adapters serve every port; OpenAI or Bedrock serve text and
 * embeddings when chosen. Polly, fal, Veo and the platform APIs plug in here without touching domain code or handlers.
 */
function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** OpenAI serves the tasks priced as OpenAI models; tasks configured for other vendors fall back to gpt-4o. */
const openAiModelFor = (task: string): string => {
  const m = (MODELS.text_tasks as Record<string, string>)[task] ?? 'gpt-4o';
  return m.startsWith('gpt-') ? m : 'gpt-4o';
};
const bedrockModelFor = (task: string): string =>
  (MODELS.bedrock_text_tasks as Record<string, string>)[task] ?? MODELS.bedrock_text_tasks.creative_brief;
export const textModel = lazy<TextModel>(() => {
  if (config.BIE_TEXT_MODEL === 'openai') return new OpenAiTextModel(openAiModelFor);
  if (config.BIE_TEXT_MODEL === 'bedrock') return new BedrockTextModel(bedrockModelFor);
  return new OfflineCreativeEngine();
});
/** Which provider serves text (offline stand-ins cost nothing). */
export const textModelProvider = (): string =>
  config.BIE_TEXT_MODEL === 'offline' ? 'offline' : config.BIE_TEXT_MODEL;
// Switching embedders changes the vector space: re-ingest brand bibles after a switch.
export const embedder = lazy<Embedder>(() => {
  if (config.BIE_EMBEDDER === 'openai') return new OpenAiEmbedder();
  if (config.BIE_EMBEDDER === 'titan') return new TitanEmbedder();
  return new HashingEmbedder();
});
export const videoModel = lazy<VideoModel>(
  () =>
    new ProceduralVideoModel({
      outputDir: path.join(config.BIE_WORK_DIR, 'provider-renders'),
      // Interim: the renderer reads webhookSecret() (Secrets Manager) itself once it runs as its own function.
      webhookSecret: process.env.WEBHOOK_SECRET ?? '',
    }),
);
export const voice = lazy<Voice>(() => (config.BIE_VOICE === 'polly' ? new PollyVoice() : new EspeakVoice()));
export const publisher = lazy<Publisher>(() => new OutboxPublisher(config.BIE_OUTBOX_DIR));
export const trendSource = lazy<TrendSource>(() => new FeedFileTrendSource(config.BIE_TRENDS_DIR));
export const blobs = lazy(() => new S3BlobStore(config.BUCKET_NAME));
export const mailer = lazy(() => (config.MAIL_FROM ? new SesMailer(config.MAIL_FROM) : undefined));
export const taskCallbacks = () => sfnTaskCallbacks;
