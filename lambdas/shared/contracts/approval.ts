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
  'hook_review',
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

/** One scene of a video the reviewer sends back, with what to change in it. */
export const SceneRejection = z
  .object({
    scene_id: Uuid,
    feedback: z.string().trim().min(1, 'a rejected scene needs feedback').max(1000),
  })
  .strict();
export type SceneRejection = z.infer<typeof SceneRejection>;
/** A hook the reviewer can pick (hook_review: the top 3 after the regenerations). */
export const HookChoice = z.object({ hook_id: Uuid, text: z.string(), quality_score: z.number() });
export type HookChoice = z.infer<typeof HookChoice>;

/** A reviewer's own caption and hashtags for a platform of a publication (checked like generated copy). */
export const CopyEdit = z
  .object({
    caption: z.string().trim().min(1).max(2200).optional(),
    hashtags: z
      .array(z.string().regex(/^#?[\p{L}\p{N}_]+$/u, 'a hashtag is letters, digits and _'))
      .max(30)
      .optional(),
  })
  .strict();
export type CopyEdit = z.infer<typeof CopyEdit>;
export const CopyEdits = z.record(z.string().min(1).max(40), CopyEdit);
export type CopyEdits = z.infer<typeof CopyEdits>;

export const Approval = z.object({
  approval_id: z.string().min(1),
  campaign_id: Uuid,
  variant_id: Uuid.optional(),
  checkpoint: Checkpoint,
  subject_id: z.string().min(1),
  summary: z.string(),
  /** Keys, never URLs: links are presigned when a mail or a page shows them, so they never go stale in storage. */
  media: z.array(ApprovalMedia).optional(),
  /** What the reviewer may choose from (hook_review): the decision names one with `chosen_hook_id`. */
  choices: z.array(HookChoice).max(3).optional(),
  chosen_hook_id: Uuid.optional(),
  task_token: z.string().min(1),
  status: z.enum(['pending', 'approved', 'rejected', 'expired']),
  /** How the reviewer was told: `mail`, or `none` (auto-approved, or a stack without a sender: API only). */
  notified: z.enum(['mail', 'none']).optional(),
  decided_by: z.string().optional(),
  decided_at: Timestamp.optional(),
  feedback: z.string().optional(),
  /** Scenes a video rejection names: only these re-render (with their feedback); the others are reused. */
  scenes: z.array(SceneRejection).optional(),
  expires_at: Timestamp,
  created_at: Timestamp,
});
export type Approval = z.infer<typeof Approval>;

const decisionFields = {
  decision: Decision,
  feedback: z.string().trim().max(2000).optional(),
  decided_by: z.string().trim().min(1).max(200).default('reviewer'),
  /** Video checkpoint only: reject these scenes alone; each carries its own feedback. */
  scenes: z.array(SceneRejection).min(1).max(20).optional(),
  chosen_hook_id: Uuid.optional().describe(
    'hook_review: the hook the script uses (one of the approval choices)',
  ),
  edits: CopyEdits.optional().describe(
    'publication: captions and hashtags per platform that replace the generated ones (checked for restricted terms)',
  ),
  /** Publication approvals only: when the posts go out (one time, or per platform); overrides the request. */
  publish_at: PublishAt.optional(),
};
type DecisionFields = {
  decision: Decision;
  feedback?: string;
  scenes?: SceneRejection[];
  publish_at?: PublishAt;
};
/** Field-level rules every decision body shares (a refinement per rule, so each error names its field). */
const decisionRules = (b: DecisionFields, ctx: z.RefinementCtx): void => {
  if (b.decision === 'reject' && !b.feedback && !b.scenes?.length)
    ctx.addIssue({
      code: 'custom',
      path: ['feedback'],
      message: 'a rejection needs feedback so the step can be regenerated',
    });
  if (b.scenes && b.decision !== 'reject')
    ctx.addIssue({ code: 'custom', path: ['scenes'], message: 'scenes can only be rejected' });
  if (b.publish_at !== undefined && b.decision !== 'approve')
    ctx.addIssue({
      code: 'custom',
      path: ['publish_at'],
      message: 'only an approval sets publication times',
    });
  const seen = new Set<string>();
  b.scenes?.forEach((s, i) => {
    if (seen.has(s.scene_id))
      ctx.addIssue({ code: 'custom', path: ['scenes', i, 'scene_id'], message: 'scene named twice' });
    seen.add(s.scene_id);
  });
};

/**
 * What an operator, the CLI or a script sends to decide (`POST /operator/approvals/{id}/decision`,
 * IAM-authenticated; `bie approvals approve|reject`). A video rejection may name scenes
 * (`scenes: [{ scene_id, feedback }]`): only those re-render; without scenes the whole video does.
 */
export const ApprovalDecisionBody = z.object(decisionFields).strict().superRefine(decisionRules);
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
    link: z
      .enum(['decision', 'review'])
      .default('decision')
      .describe('`review`: the signature is the dashboard review link, good for either decision'),
  })
  .strict()
  .superRefine(decisionRules);
export type LinkDecisionBody = z.infer<typeof LinkDecisionBody>;

/** The output an approval task resumes the state machine with. */
export const ApprovalOutcome = z.object({
  approval_id: z.string(),
  decision: Decision,
  decided_by: z.string(),
  feedback: z.string().optional(),
  chosen_hook_id: z.string().optional(),
});
export type ApprovalOutcome = z.infer<typeof ApprovalOutcome>;
