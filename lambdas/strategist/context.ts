import { brands } from '../shared/data/repositories.js';
import { BrandChunkCache } from './domain/vector-search.js';

/** One cache per container: brand chunks are loaded once and kept an hour. */
export const chunkCache = new BrandChunkCache();
export const loadChunks = (brandId: string) => chunkCache.get(brandId, () => brands.chunks(brandId));
