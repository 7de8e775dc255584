import { config } from '../shared/commons.js';
import { approvals, audit } from '../shared/data/repositories.js';
import { emitEvent } from '../shared/events.js';
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
    audit: (campaignId, action, actor, details) => audit.append(campaignId, action, actor, details),
    events: {
      requested: (a, approver) =>
        emitEvent('Approval Requested', a.approval_id, {
          campaign_id: a.campaign_id,
          approval_id: a.approval_id,
          checkpoint: a.checkpoint,
          variant_id: a.variant_id,
          approver,
        }),
      decided: (a) =>
        emitEvent('Approval Decided', a.approval_id, {
          campaign_id: a.campaign_id,
          approval_id: a.approval_id,
          checkpoint: a.checkpoint,
          decision: a.status === 'approved' ? 'approved' : 'rejected',
          decided_by: a.decided_by ?? 'unknown',
          at: a.decided_at,
        }),
    },
  };
}
