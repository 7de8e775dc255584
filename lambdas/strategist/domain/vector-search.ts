import { cosine } from '../../shared/adapters/offline/hashing-embedder.js';
import type { GuidelineChunk } from '../../shared/contracts/index.js';

export interface IndexedChunk {
  chunk: GuidelineChunk;
  embedding: Float32Array;
}

export function topK(
  query: Float32Array,
  chunks: IndexedChunk[],
  k = 5,
): { chunk: GuidelineChunk; score: number }[] {
  return chunks
    .map((c) => ({ chunk: c.chunk, score: cosine(query, c.embedding) }))
    .sort((a, b) => b.score - a.score || a.chunk.chunk_id.localeCompare(b.chunk.chunk_id))
    .slice(0, k);
}

/**
 * Brand guideline chunks loaded once per container and kept for an hour (the seed: cache brand
 * queries 1 h; guidelines change rarely). Re-ingesting a brand invalidates through `invalidate`.
 */
export class BrandChunkCache {
  private readonly entries = new Map<string, { at: number; chunks: IndexedChunk[] }>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly ttlMs = 3_600_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(
    brandId: string,
    load: () => Promise<IndexedChunk[]>,
  ): Promise<{ chunks: IndexedChunk[]; hit: boolean }> {
    const e = this.entries.get(brandId);
    if (e && this.now() - e.at < this.ttlMs) {
      this.hits++;
      return { chunks: e.chunks, hit: true };
    }
    this.misses++;
    const chunks = await load();
    this.entries.set(brandId, { at: this.now(), chunks });
    return { chunks, hit: false };
  }

  invalidate(brandId: string): void {
    this.entries.delete(brandId);
  }
}
