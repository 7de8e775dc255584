import { z } from 'zod';
import { Timestamp, Uuid } from './common.js';

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

export const Approval = z.object({
  approval_id: z.string().min(1),
  campaign_id: Uuid,
  variant_id: Uuid.optional(),
  checkpoint: Checkpoint,
  subject_id: z.string().min(1),
  summary: z.string(),
  task_token: z.string().min(1),
  status: z.enum(['pending', 'approved', 'rejected', 'expired']),
  decided_by: z.string().optional(),
  decided_at: Timestamp.optional(),
  feedback: z.string().optional(),
  expires_at: Timestamp,
  created_at: Timestamp,
});
export type Approval = z.infer<typeof Approval>;

/** What a reviewer sends to decide (`POST /approvals/{id}` or `bie approvals approve|reject`). */
export const ApprovalDecisionBody = z
  .object({
    decision: Decision,
    feedback: z.string().trim().max(2000).optional(),
    decided_by: z.string().trim().min(1).max(200).default('reviewer'),
    sig: z.string().optional(),
    exp: z.coerce.number().int().optional(),
  })
  .strict()
  .refine((b) => b.decision === 'approve' || (b.feedback && b.feedback.length > 0), {
    path: ['feedback'],
    message: 'a rejection needs feedback so the step can be regenerated',
  });
export type ApprovalDecisionBody = z.infer<typeof ApprovalDecisionBody>;

/** The output an approval task resumes the state machine with. */
export const ApprovalOutcome = z.object({
  approval_id: z.string(),
  decision: Decision,
  decided_by: z.string(),
  feedback: z.string().optional(),
});
export type ApprovalOutcome = z.infer<typeof ApprovalOutcome>;
