import { z } from 'zod';
import { PublicationPackage } from '../shared/contracts/index.js';
import { assets, publications } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { nowIso } from '../shared/ids.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  publication_id: z.uuid(),
  execution: z.string(),
});

/** The seed's publication_package of a variant, registered as an asset. */
export const handler = stepHandler(
  'AssemblePublication',
  Input,
  async ({ campaign_id, variant_id, publication_id }) => {
    const posts = await publications.posts(campaign_id, publication_id);
    const pkg = PublicationPackage.parse({
      publication_id,
      campaign_id,
      variant_id,
      platform_posts: posts,
      scheduled_posts: posts
        .filter((p) => p.publication_status === 'scheduled')
        .map((p) => ({
          platform: p.platform,
          scheduled_time: p.published_at ?? nowIso(),
          status: 'pending',
        })),
      created_at: nowIso(),
    });
    await publications.put(pkg);
    await assets.register({
      asset_id: publication_id,
      campaign_id,
      variant_id,
      asset_type: 'publication',
      subject_id: publication_id,
      asset_metadata: { platforms: posts.map((p) => p.platform) },
      created_at: nowIso(),
    });
    return { publication_id, posts: posts.length };
  },
);
