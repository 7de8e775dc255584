import type { BrandProfile, Campaign, CreativeBrief } from '../shared/contracts/index.js';
import { brands, briefs, campaigns } from '../shared/data/repositories.js';
import { BrandNotFoundError } from '../shared/errors.js';
import { type BrandContext, brandContext } from '../shared/prompts/creative.js';

export interface CreativeContext {
  campaign: Campaign;
  brief: CreativeBrief;
  brand: BrandProfile;
}

export async function loadCreativeContext(campaignId: string, briefId?: string): Promise<CreativeContext> {
  const campaign = await campaigns.mustGet(campaignId);
  const brand = await brands.get(campaign.brand_id);
  if (!brand) throw new BrandNotFoundError(campaign.brand_id);
  const brief = briefId
    ? await briefs.get(campaignId, briefId)
    : ((await briefs.list(campaignId)).pop() as CreativeBrief);
  return { campaign, brief, brand };
}

/** The structured facts a creative model gets with every prompt (the offline engine writes from these). */
export function modelContext(c: CreativeContext, extra: Record<string, unknown>): Record<string, unknown> {
  const r = c.campaign.request;
  return {
    brand_name: c.brand.name,
    product: r.product_name ?? r.product_category,
    category: r.product_category,
    product_description: r.product_description,
    audience: r.target_demographic,
    brand_audience: c.brand.audience,
    claims_policy: c.brand.claims_policy,
    objective: r.campaign_objective,
    key_message: r.key_message,
    call_to_action: c.brief.core_message.call_to_action,
    voice_tone: c.brand.voice_tone,
    visual_style: c.brand.visual_style,
    palette: c.brand.color_palette,
    trends: c.brief.trending_insights.trending_topics.map((title) => ({ title })),
    primary_hook: c.brief.core_message.primary_hook,
    value_proposition: c.brief.core_message.value_proposition,
    target_seconds: r.target_duration_seconds ?? 30,
    ...extra,
  };
}

/** The brand facts every prompt template carries. */
export const promptBrand = (c: CreativeContext): BrandContext => brandContext(c.brand, c.campaign.request);
