import { z } from 'zod';
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
});

/** A `.waitForTaskToken` checkpoint: parks the token on an Approval and mails signed links. */
export const handler = stepHandler('RequestApproval', Input, async (input) => {
  const campaign = await campaigns.mustGet(input.campaign_id);
  const summary = await describeSubject(input.campaign_id, input.checkpoint, input.subject_id);
  const { approval, alreadyDecided } = await requestApproval(await approvalDeps(), {
    ...input,
    summary,
    approver_email: campaign.approver_email ?? 'brand-manager@example.com',
    auto_approve: campaign.auto_approve,
  });
  return { approval_id: approval.approval_id, already_decided: alreadyDecided };
});
