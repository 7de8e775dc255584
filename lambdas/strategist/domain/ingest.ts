import { brands } from '../../shared/data/repositories.js';
import { stableUuid } from '../../shared/ids.js';
import { embedder } from '../../shared/providers/text.js';
import { chunkGuidelines, loadBrandBible } from './brand-bible.js';

/** Parses, embeds and stores a brand bible; returns the profile summary. */
export async function ingestBrand(text: string, brandId?: string) {
  const profile = loadBrandBible(text, brandId);
  const chunks = chunkGuidelines(profile);
  const e = embedder();
  const { vectors } = await e.embed(chunks.map((c) => `${c.heading}\n${c.content}`));
  await brands.put({ ...profile, updated_at: new Date().toISOString() });
  await brands.putChunks(
    profile.brand_id,
    chunks.map((c, i) => ({
      chunk: {
        chunk_id: stableUuid('chunk', profile.brand_id, i, c.content),
        brand_id: profile.brand_id,
        category: c.category,
        heading: c.heading,
        content: c.content,
        embedding_model: e.model,
      },
      embedding: vectors[i] as Float32Array,
    })),
  );
  return {
    brand_id: profile.brand_id,
    name: profile.name,
    chunks: chunks.length,
    color_palette: profile.color_palette,
    restricted_keywords: profile.restricted_keywords,
  };
}
