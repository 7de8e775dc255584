import { z } from 'zod';
import { chargeUsage } from '../shared/charges.js';
import { brands, campaigns, workDocs } from '../shared/data/repositories.js';
import { BrandNotFoundError } from '../shared/errors.js';
import { stepHandler } from '../shared/handler.js';
import { embedder } from '../shared/providers/text.js';
import { loadChunks } from './context.js';
import { topK } from './domain/vector-search.js';

const Input = z.object({ campaign_id: z.uuid(), execution: z.string() });

/** RAG: the top-5 brand guideline chunks for the campaign context (chunks cached per container, 1 h). */
export const handler = stepHandler('LoadBrandContext', Input, async ({ campaign_id, execution }) => {
  const campaign = await campaigns.mustGet(campaign_id);
  const r = campaign.request;
  if (!(await brands.get(r.brand_id))) throw new BrandNotFoundError(r.brand_id);
  const { chunks, hit } = await loadChunks(r.brand_id);
  const query = `${r.product_category} ${r.product_name ?? ''} for ${r.target_demographic}; ${r.campaign_objective}; ${r.key_message ?? ''} tone voice visual style audience`;
  const { vectors, usage } = await embedder().embed([query]);
  const top = topK(vectors[0] as Float32Array, chunks, 5);
  await chargeUsage({
    campaignId: campaign_id,
    pillar: 'strategist',
    key: `${execution}:rag-query`,
    usage,
    description: 'brand guideline query embedding',
  });
  await workDocs.put(
    campaign_id,
    'rag',
    execution,
    top.map((t) => ({ chunk_id: t.chunk.chunk_id, score: t.score, heading: t.chunk.heading })),
  );
  return { chunk_ids: top.map((t) => t.chunk.chunk_id), cache_hit: hit };
});
