import OpenAI from 'openai';
import type { Embedder, Usage } from '../../ports/index.js';

/** OpenAI embeddings (text-embedding-3-small by default), batched within the API's 2,048 inputs. */
export class OpenAiEmbedder implements Embedder {
  readonly dimensions: number;
  private readonly client: OpenAI;

  constructor(
    readonly model = 'text-embedding-3-small',
    dimensions = 1536,
    client?: OpenAI,
  ) {
    this.dimensions = dimensions;
    this.client = client ?? new OpenAI({ maxRetries: 2 });
  }

  async embed(texts: string[]): Promise<{ vectors: Float32Array[]; usage: Usage }> {
    const vectors: Float32Array[] = [];
    let tokens = 0;
    for (let i = 0; i < texts.length; i += 2048) {
      const res = await this.client.embeddings.create({
        model: this.model,
        input: texts.slice(i, i + 2048),
        dimensions: this.dimensions,
      });
      for (const d of [...res.data].sort((a, b) => a.index - b.index))
        vectors.push(Float32Array.from(d.embedding));
      tokens += res.usage?.total_tokens ?? 0;
    }
    return { vectors, usage: { model: this.model, provider: 'openai', units: tokens, unit: 'tokens' } };
  }
}
