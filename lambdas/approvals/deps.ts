import { Formatted, PlatformCopies } from '../broadcaster/context.js';
import { checkCopyEdits } from '../shared/brand-safety/human-edits.js';
import { config } from '../shared/commons.js';
import { approvals, audit, brands, campaigns, videos, workDocs } from '../shared/data/repositories.js';
import { approvalEvents } from '../shared/events.js';
import { approvalSigningSecret } from '../shared/secrets.js';
import { blobs, mailer, taskCallbacks } from '../shared/services.js';
import type { ApprovalDeps, CopyEditor } from './domain/approvals.js';

/**
 * A reviewer's captions and hashtags at the publication checkpoint: checked against the brand's
 * restricted terms like generated copy, then written where PublishPost reads them (the formatted post
 * of each platform, and its caption file) and into the publication's platform copy (what the summary shows).
 */
const copyEditor: CopyEditor = {
  async check(a, edits) {
    const campaign = await campaigns.mustGet(a.campaign_id);
    const brand = await brands.get(campaign.brand_id);
    const issues = checkCopyEdits(edits, brand?.restricted_keywords ?? []);
    const copies = await workDocs.find(a.campaign_id, 'platform_copy', a.subject_id, PlatformCopies);
    for (const platform of Object.keys(edits))
      if (!copies?.[platform])
        issues.push({ path: `edits.${platform}`, message: 'this publication has no post for that platform' });
    return issues;
  },
  async apply(a, edits) {
    const copies = await workDocs.get(a.campaign_id, 'platform_copy', a.subject_id, PlatformCopies);
    for (const [platform, edit] of Object.entries(edits)) {
      const key = `${a.subject_id}:${platform}`;
      const f = await workDocs.find(a.campaign_id, 'formatted', key, Formatted);
      if (f) {
        const next = { ...f, ...edit };
        await workDocs.put(a.campaign_id, 'formatted', key, next);
        // The caption file next to the rendition (FormatRendition's `<base>.caption.txt`) says the same.
        await blobs().put(
          f.rendition_key.replace(/\.mp4$/, '.caption.txt'),
          `${next.title ? `${next.title}\n\n` : ''}${next.caption}\n`,
          'text/plain',
        );
      }
      const copy = copies[platform];
      if (copy) copies[platform] = { ...copy, ...edit };
    }
    await workDocs.put(a.campaign_id, 'platform_copy', a.subject_id, copies);
  },
};

export async function approvalDeps(): Promise<ApprovalDeps> {
  return {
    store: approvals,
    mailer: mailer(),
    media: blobs(),
    callbacks: taskCallbacks(),
    secret: await approvalSigningSecret(),
    baseUrl: config.APPROVAL_BASE_URL,
    dashboardUrl: config.DASHBOARD_URL || undefined,
    audit: (campaignId, action, actor, details) => audit.append(campaignId, action, actor, details),
    events: approvalEvents,
    videoScenes: async (campaignId, videoId) =>
      (await videos.get(campaignId, videoId)).scene_clips.map((c) => c.scene_id),
    unrenderedScenes: async (campaignId, videoId) =>
      (await videos.get(campaignId, videoId)).scene_clips.flatMap((c) =>
        c.unrendered ? [{ scene_id: c.scene_id, sequence: c.sequence, reason: c.unrendered.reason }] : [],
      ),
    edits: copyEditor,
  };
}
