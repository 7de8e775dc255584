import { z } from 'zod';
import { findRestrictedTerms } from '../shared/brand-safety/restricted-terms.js';
import { brands, briefs, campaigns, scripts, workDocs } from '../shared/data/repositories.js';
import { BrandNotFoundError } from '../shared/errors.js';
import { stepHandler } from '../shared/handler.js';
import { stableUuid } from '../shared/ids.js';
import { loadPackage } from './context.js';
import { writePlatformCopy } from './domain/captions.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  revision: z.object({ attempt: z.number().int().min(1), feedback: z.string().default('') }),
  execution: z.string(),
});

/** Platforms of the variant and their captions and hashtags (rewritten with reviewer feedback). */
export const handler = stepHandler(
  'PlanDistribution',
  Input,
  async ({ campaign_id, variant_id, revision }) => {
    const [campaign, pkg] = await Promise.all([
      campaigns.mustGet(campaign_id),
      loadPackage(campaign_id, variant_id),
    ]);
    const brand = await brands.get(campaign.brand_id);
    if (!brand) throw new BrandNotFoundError(campaign.brand_id);
    const script = await scripts.latest(campaign_id, pkg.script_id);
    const brief = await briefs.get(campaign_id, script.brief_id);
    const publicationId = stableUuid('publication', campaign_id, variant_id, revision.attempt);
    const copies = Object.fromEntries(
      pkg.metadata.target_platforms.map((platform) => [
        platform,
        writePlatformCopy({
          platform,
          script,
          brand,
          trendingTopics: brief.trending_insights.trending_topics,
          callToAction: brief.core_message.call_to_action,
          feedback: revision.feedback || undefined,
          restrictedCheck: (t) => findRestrictedTerms(t, brand.restricted_keywords),
        }),
      ]),
    );
    await workDocs.put(campaign_id, 'platform_copy', publicationId, copies);
    return { publication_id: publicationId, platforms: pkg.metadata.target_platforms };
  },
);
