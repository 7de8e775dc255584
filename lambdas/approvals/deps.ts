import { config } from '../shared/commons.js';
import { approvals, audit, videos } from '../shared/data/repositories.js';
import { approvalEvents } from '../shared/events.js';
import { approvalSigningSecret } from '../shared/secrets.js';
import { blobs, mailer, taskCallbacks } from '../shared/services.js';
import type { ApprovalDeps } from './domain/approvals.js';

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
  };
}
