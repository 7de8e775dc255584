import { z } from 'zod';
import { CampaignPackage } from '../shared/contracts/index.js';
import { campaigns, scripts, videos, workDocs } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variants: z.array(
    z.object({ variant_id: z.uuid(), variant_type: z.string(), script_id: z.uuid(), video_id: z.uuid() }),
  ),
  execution: z.string(),
});

/** The seed's campaign_package per variant: what the Broadcaster formats and publishes. */
export const handler = stepHandler('PackageCampaign', Input, async ({ campaign_id, variants }) => {
  const campaign = await campaigns.mustGet(campaign_id);
  for (const v of variants) {
    const [script, video] = await Promise.all([
      scripts.latest(campaign_id, v.script_id),
      videos.get(campaign_id, v.video_id),
    ]);
    const pkg = CampaignPackage.parse({
      campaign_id,
      variant_id: v.variant_id,
      master_video_url: video.master_mp4_url,
      script: { voiceover_full_text: script.voiceover_full_text, scenes: script.scenes },
      metadata: {
        variant_type: v.variant_type,
        target_platforms: campaign.request.target_platforms ?? ['tiktok', 'instagram', 'youtube', 'linkedin'],
      },
    });
    await workDocs.put(campaign_id, 'campaign_package', v.variant_id, {
      ...pkg,
      video_id: v.video_id,
      script_id: v.script_id,
    });
  }
  return { variant_ids: variants.map((v) => v.variant_id) };
});
