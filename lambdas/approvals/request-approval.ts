import { z } from 'zod';
import { config, logger } from '../shared/commons.js';
import { Checkpoint } from '../shared/contracts/index.js';
import { campaigns } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { approvalDeps } from './deps.js';
import { requestApproval } from './domain/approvals.js';
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
  quality_issues: z
    .array(z.object({ scene_id: z.string(), sequence: z.number().int(), issues: z.array(z.string()) }))
    .default([]),
});

/** The reason a human must look, first in the summary: every failing scene and what is wrong with it. */
const qualityNote = (issues: z.infer<typeof Input>['quality_issues']): string =>
  issues.length
    ? `NEEDS HUMAN REVIEW: ${issues.length} scene(s) failed the clip check after two re-renders.\n${issues
        .map((i) => `- scene ${i.sequence} (${i.scene_id}): ${i.issues.join('; ')}`)
        .join('\n')}\nApprove to ship as is, or reject the scenes (scenes: [{ scene_id, feedback }]).\n\n`
    : '';

/** A `.waitForTaskToken` checkpoint: parks the token on an Approval and mails signed links. */
export const handler = stepHandler('RequestApproval', Input, async (input) => {
  const campaign = await campaigns.mustGet(input.campaign_id);
  const subject = await describeSubject(input.campaign_id, input.checkpoint, input.subject_id);
  const deps = await approvalDeps();
  const { quality_issues, ...request } = input;
  const { approval, alreadyDecided } = await requestApproval(deps, {
    ...request,
    summary: `${qualityNote(quality_issues)}${subject.summary}`,
    media: subject.media,
    approver_email: campaign.approver_email ?? config.APPROVER_EMAIL,
    // A video with known quality issues is never shipped by policy alone.
    auto_approve: campaign.auto_approve && quality_issues.length === 0,
  });
  if (approval.notified === 'none' && approval.decided_by !== 'auto-approve policy' && !alreadyDecided)
    logger.warn('approvals are API-only: no sender is configured (MAIL_FROM), so no mail was sent', {
      approval_id: approval.approval_id,
      checkpoint: approval.checkpoint,
      decide_with: `POST /operator/approvals/${approval.approval_id}/decision or bie approvals`,
    });
  return { approval_id: approval.approval_id, already_decided: alreadyDecided };
});
