import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import type { Embedder, Usage } from '../../ports/index.js';

const client = new BedrockRuntimeClient({});

/** Titan Text Embeddings V2 through InvokeModel (one text per call, normalised vectors). */
export class TitanEmbedder implements Embedder {
  readonly model = 'amazon.titan-embed-text-v2:0';

  constructor(
    readonly dimensions: 256 | 512 | 1024 = 1024,
    private readonly bedrock: BedrockRuntimeClient = client,
  ) {}

  async embed(texts: string[]): Promise<{ vectors: Float32Array[]; usage: Usage }> {
    const vectors: Float32Array[] = [];
    let tokens = 0;
    for (const inputText of texts) {
      const res = await this.bedrock.send(
        new InvokeModelCommand({
          modelId: this.model,
          contentType: 'application/json',
          accept: 'application/json',
          body: JSON.stringify({ inputText, dimensions: this.dimensions, normalize: true }),
        }),
      );
      const body = JSON.parse(new TextDecoder().decode(res.body)) as {
        embedding: number[];
        inputTextTokenCount: number;
      };
      vectors.push(Float32Array.from(body.embedding));
      tokens += body.inputTextTokenCount;
    }
    return { vectors, usage: { model: this.model, provider: 'bedrock', units: tokens, unit: 'tokens' } };
  }
}
