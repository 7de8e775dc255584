import { z } from 'zod';
import { config, logger } from '../shared/commons.js';
import { Checkpoint } from '../shared/contracts/index.js';
import { campaigns } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { approvalDeps } from './deps.js';
import { requestApproval } from './domain/approvals.js';
import { QualityIssue, qualityReview } from './domain/quality-review.js';
import { describeSubject } from './summary.js';

const Input = z.object({
  token: z.string().min(1),
  execution: z.string().min(1),
  state: z.string().min(1),
  campaign_id: z.uuid(),
  variant_id: z.uuid().optional(),
  checkpoint: Checkpoint,
  subject_id: z.string().min(1),
  attempt: z.number().int().min(1),
  /** Video checkpoint: scenes still failing the clip check after their reworks (production VideoReady). */
  quality_issues: z.array(QualityIssue).default([]),
});

/** A `.waitForTaskToken` checkpoint: parks the token on an Approval and mails signed links. */
export const handler = stepHandler('RequestApproval', Input, async (input) => {
  const campaign = await campaigns.mustGet(input.campaign_id);
  const subject = await describeSubject(input.campaign_id, input.checkpoint, input.subject_id);
  const deps = await approvalDeps();
  const { quality_issues, ...request } = input;
  const review = qualityReview(quality_issues, campaign.auto_approve);
  const { approval, alreadyDecided } = await requestApproval(deps, {
    ...request,
    summary: `${review.summaryPrefix}${subject.summary}`,
    media: subject.media,
    choices: subject.choices,
    approver_email: campaign.approver_email ?? config.APPROVER_EMAIL,
    auto_approve: review.autoApprove,
  });
  if (approval.notified === 'none' && approval.decided_by !== 'auto-approve policy' && !alreadyDecided)
    logger.warn('approvals are API-only: no sender is configured (MAIL_FROM), so no mail was sent', {
      approval_id: approval.approval_id,
      checkpoint: approval.checkpoint,
      decide_with: `POST /operator/approvals/${approval.approval_id}/decision or bie approvals`,
    });
  return { approval_id: approval.approval_id, already_decided: alreadyDecided };
});
