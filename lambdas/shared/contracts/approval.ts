import { z } from 'zod';
import { Timestamp, Uuid } from './common.js';
import { PublishAt } from './distribution.js';

/** The four human checkpoints, plus the gates that fall back to human review. */
export const Checkpoint = z.enum([
  'brief',
  'script',
  'video',
  'publication',
  'alignment_review',
  'compliance_review',
  'budget',
]);
export type Checkpoint = z.infer<typeof Checkpoint>;

export const Decision = z.enum(['approve', 'reject']);
export type Decision = z.infer<typeof Decision>;

/** A medium the reviewer should look at: an object key of the media bucket, shown as a presigned link. */
export const ApprovalMedia = z.object({
  label: z.string().min(1),
  key: z.string().min(1),
  content_type: z.string().optional(),
});
export type ApprovalMedia = z.infer<typeof ApprovalMedia>;

export const Approval = z.object({
  approval_id: z.string().min(1),
  campaign_id: Uuid,
  variant_id: Uuid.optional(),
  checkpoint: Checkpoint,
  subject_id: z.string().min(1),
  summary: z.string(),
  /** Keys, never URLs: links are presigned when a mail or a page shows them, so they never go stale in storage. */
  media: z.array(ApprovalMedia).optional(),
  task_token: z.string().min(1),
  status: z.enum(['pending', 'approved', 'rejected', 'expired']),
  /** How the reviewer was told: `mail`, or `none` (auto-approved, or a stack without a sender: API only). */
  notified: z.enum(['mail', 'none']).optional(),
  decided_by: z.string().optional(),
  decided_at: Timestamp.optional(),
  feedback: z.string().optional(),
  expires_at: Timestamp,
  created_at: Timestamp,
});
export type Approval = z.infer<typeof Approval>;

const decisionFields = {
  decision: Decision,
  feedback: z.string().trim().max(2000).optional(),
  decided_by: z.string().trim().min(1).max(200).default('reviewer'),
};
const feedbackOnReject = {
  check: (b: { decision: Decision; feedback?: string }) =>
    b.decision === 'approve' || (b.feedback !== undefined && b.feedback.length > 0),
  params: { path: ['feedback'], message: 'a rejection needs feedback so the step can be regenerated' },
};

/**
 * What an operator, the CLI or a script sends to decide (`POST /operator/approvals/{id}/decision`,
 * IAM-authenticated; `bie approvals approve|reject`).
 */
export const ApprovalDecisionBody = z
  .object({
    ...decisionFields,
    /** Publication approvals only: when the posts go out (one time, or per platform); overrides the request. */
    publish_at: PublishAt.optional(),
  })
  .strict()
  .refine(feedbackOnReject.check, feedbackOnReject.params)
  .refine((b) => b.publish_at === undefined || b.decision === 'approve', {
    path: ['publish_at'],
    message: 'only an approval sets publication times',
  });
export type ApprovalDecisionBody = z.infer<typeof ApprovalDecisionBody>;

/**
 * What the confirmation page of a mailed link posts (`POST /approvals/{id}`, no AWS credentials):
 * the decision with the link's expiry and signature, which sign the approval id, decision and expiry.
 */
export const LinkDecisionBody = z
  .object({
    ...decisionFields,
    exp: z.coerce.number().int().describe('the link expiry (epoch seconds) from the mailed link'),
    sig: z.string().min(1).describe('the link signature from the mailed link'),
  })
  .strict()
  .refine(feedbackOnReject.check, feedbackOnReject.params);
export type LinkDecisionBody = z.infer<typeof LinkDecisionBody>;

/** The output an approval task resumes the state machine with. */
export const ApprovalOutcome = z.object({
  approval_id: z.string(),
  decision: Decision,
  decided_by: z.string(),
  feedback: z.string().optional(),
});
export type ApprovalOutcome = z.infer<typeof ApprovalOutcome>;
