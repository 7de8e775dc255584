import { PLATFORM_SPECS } from '../broadcaster/domain/platforms.js';
import { campaignCard } from '../campaign-manager/domain/campaign-cards.js';
import type { Approval, Platform, ReviewPost, ReviewScene, ReviewView } from '../shared/contracts/index.js';
import {
  brands,
  briefs,
  campaigns,
  renderJobs,
  scripts,
  videos,
  workDocs,
} from '../shared/data/repositories.js';
import type { ApprovalDeps } from './domain/approvals.js';
import { mediaLinks, presignSeconds } from './domain/approvals.js';
import { FormattedKeys, keyOfS3, PlatformCopy } from './summary.js';

/**
 * Everything a review page shows for one approval: the subject by checkpoint (brief, the variant's
 * scripts side by side, the video with its scene timeline and costs, each platform's post with its
 * limits), presigned media links that live as long as the link that asked (at most 7 days).
 */
export async function buildReview(
  deps: Pick<ApprovalDeps, 'media'>,
  approval: Approval,
  untilEpoch: number,
): Promise<ReviewView> {
  const { task_token: _t, ...view } = approval;
  const campaign = await campaigns.mustGet(approval.campaign_id);
  const brand = await brands.get(campaign.brand_id);
  const seconds = presignSeconds(untilEpoch);
  const presign = (key: string | undefined) => (key ? deps.media.presign(key, seconds) : undefined);
  const base: ReviewView = {
    approval: view,
    campaign: await campaignCard(campaign),
    media: await mediaLinks(deps, approval, untilEpoch),
    restricted_terms: brand?.restricted_keywords ?? [],
  };
  const id = approval.campaign_id;
  switch (approval.checkpoint) {
    case 'brief':
    case 'alignment_review':
      return { ...base, brief: await briefs.get(id, approval.subject_id) };
    case 'script':
    case 'compliance_review': {
      const all = await scripts.list(id);
      const subject = all.filter((s) => s.script_id === approval.subject_id).pop();
      // Side by side: the latest version of every variant's script, the one under review first.
      const latest = new Map(all.map((s) => [s.variant_id, s]));
      const others = [...latest.values()].filter((s) => s.script_id !== approval.subject_id);
      return { ...base, scripts: subject ? [subject, ...others] : others };
    }
    case 'video': {
      const assets = await videos.get(id, approval.subject_id);
      const script = await scripts.latest(id, assets.script_id);
      const jobs = await renderJobs.list(id);
      let t = 0;
      const scenes: ReviewScene[] = script.scenes.map((sc) => {
        const clip = assets.scene_clips.find((c) => c.scene_id === sc.scene_id);
        const job = jobs.find((j) => j.job_id === clip?.generation_job_id);
        const start = t;
        t += sc.duration_seconds;
        return {
          scene_id: sc.scene_id,
          sequence: sc.sequence,
          start_seconds: start,
          end_seconds: t,
          voiceover_text: sc.voiceover_text,
          visual_prompt: sc.visual_prompt,
          ...(sc.on_screen_text ? { on_screen_text: sc.on_screen_text } : {}),
          model: clip?.model_used ?? job?.model_name ?? 'unknown',
          provider: clip?.provider ?? job?.provider ?? 'unknown',
          cache_hit: clip?.cache_hit ?? false,
          cost_usd: clip?.cost_usd ?? 0,
          ...(clip?.unrendered ? { unrendered: clip.unrendered } : {}),
        };
      });
      const captions = await presign(keyOfS3(assets.captions_url));
      return {
        ...base,
        video: {
          assets,
          master_url: (await presign(keyOfS3(assets.master_mp4_url))) ?? '',
          ...(captions ? { captions_url: captions } : {}),
          quality_score: assets.metadata.quality_score,
          scenes,
        },
      };
    }
    case 'publication': {
      const copy = await workDocs.find(id, 'platform_copy', approval.subject_id, PlatformCopy);
      const posts: ReviewPost[] = [];
      for (const [platform, c] of Object.entries(copy ?? {})) {
        const spec = PLATFORM_SPECS[platform as Platform];
        if (!spec) continue;
        const f = await workDocs.find(id, 'formatted', `${approval.subject_id}:${platform}`, FormattedKeys);
        const rendition = await presign(f?.rendition_key);
        const thumbnail = await presign(f?.thumbnail_key);
        posts.push({
          platform: spec.platform,
          label: spec.label,
          aspect_ratio: spec.aspect_ratio,
          width: spec.width,
          height: spec.height,
          caption: c.caption,
          hashtags: c.hashtags,
          ...(rendition ? { rendition_url: rendition } : {}),
          ...(thumbnail ? { thumbnail_url: thumbnail } : {}),
          safe_zone: spec.safe_zone,
          caption_max: spec.caption.max,
          hashtags_max: spec.hashtags.max,
        });
      }
      return { ...base, posts };
    }
    default:
      return base;
  }
}
