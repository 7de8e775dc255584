import { createHash } from 'node:crypto';
import type { Embedder, Usage } from '../../ports/index.js';

const DIMS = 512;

function bucket(feature: string): { index: number; sign: number } {
  const h = createHash('md5').update(feature).digest();
  return { index: h.readUInt32LE(0) % DIMS, sign: (h[4] ?? 0) & 1 ? 1 : -1 };
}

export function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter((t) => t.length > 1);
}

/**
 * OFFLINE STAND-IN for OpenAI text-embedding-3-small / Titan V2: signed feature hashing of word
 * unigrams, bigrams and character 3–5-grams into 512 dimensions, L2-normalised. Deterministic.
 */
export class HashingEmbedder implements Embedder {
  readonly model = 'offline-hashing-embedder-v1';
  readonly dimensions = DIMS;

  embedOne(text: string): Float32Array {
    const v = new Float32Array(DIMS);
    const words = tokens(text);
    const add = (f: string, w: number) => {
      const { index, sign } = bucket(f);
      v[index] = (v[index] ?? 0) + sign * w;
    };
    words.forEach((w, i) => {
      add(`w:${w}`, 1);
      if (i > 0) add(`b:${words[i - 1]} ${w}`, 0.7);
      const padded = ` ${w} `;
      for (let n = 3; n <= 5; n++)
        for (let j = 0; j + n <= padded.length; j++) add(`c:${padded.slice(j, j + n)}`, 0.25);
    });
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < DIMS; i++) v[i] = (v[i] ?? 0) / norm;
    return v;
  }

  async embed(texts: string[]): Promise<{ vectors: Float32Array[]; usage: Usage }> {
    return {
      vectors: texts.map((t) => this.embedOne(t)),
      usage: {
        model: this.model,
        provider: 'offline',
        units: texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0),
        unit: 'tokens',
      },
    };
  }
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
