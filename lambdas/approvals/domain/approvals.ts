import {
  type Approval,
  type ApprovalMedia,
  ApprovalOutcome,
  type Checkpoint,
  type CopyEdits,
  type Decision,
  type HookChoice,
  type SceneRejection,
} from '../../shared/contracts/index.js';
import {
  ConflictError,
  type FieldIssue,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../../shared/errors.js';
import { nowIso, stableUuid } from '../../shared/ids.js';
import type { Mailer, TaskCallbacks } from '../../shared/ports/index.js';
import {
  ApprovalExpiredError,
  ApprovalLinkError,
  decisionLink,
  reviewLink,
  verifyDecision,
  verifyReview,
} from './links.js';

/** A week: matches the checkpoint TimeoutSeconds in the ASL and the seed's "< 24 h target, human-dependent". */
export const APPROVAL_TTL_SECONDS = 7 * 24 * 3600;
/** The longest a SigV4 presigned URL can live. */
export const PRESIGN_MAX_SECONDS = 7 * 24 * 3600;

/** Presigned HTTPS links to media objects (S3BlobStore.presign). */
export interface MediaLinks {
  presign(key: string, expiresInSeconds: number): Promise<string>;
}

export interface ApprovalStore {
  get(id: string): Promise<Approval | undefined>;
  create(a: Approval): Promise<boolean>;
  setToken(a: Approval, token: string): Promise<void>;
  decide(
    a: Approval,
    d: Pick<Approval, 'status' | 'decided_by' | 'decided_at' | 'feedback' | 'scenes' | 'chosen_hook_id'>,
  ): Promise<Approval>;
}

export interface ApprovalDeps {
  store: ApprovalStore;
  /** Absent when the stack has no sender (approvals API-only): the approval waits without a mail. */
  mailer?: Mailer;
  media: MediaLinks;
  callbacks: TaskCallbacks;
  secret: string;
  baseUrl: string;
  /** The review dashboard: mails carry a link to the approval's review page there. */
  dashboardUrl?: string;
  audit(campaignId: string, action: string, actor: string, details?: { new_state?: unknown }): Promise<void>;
  /** Lifecycle events (approval requested/decided) for dashboards and integrations. */
  events?: ApprovalEvents;
  /** The scene ids of a video (the subject of a video approval): scenes a rejection names must be among them. */
  videoScenes?(campaignId: string, videoId: string): Promise<string[]>;
  /** The scenes of a video no model rendered (a slate holds their seconds): such a video is never approved. */
  unrenderedScenes?(campaignId: string, videoId: string): Promise<UnrenderedSceneRef[]>;
  /** Reviewer edits of a publication's captions and hashtags: checked like generated copy, then applied. */
  edits?: CopyEditor;
}

/** A scene of a video under review that no model could render, and why. */
export interface UnrenderedSceneRef {
  scene_id: string;
  sequence: number;
  reason: string;
}

/**
 * Approving a video with an unrendered scene would publish a slate: refused, one field-level issue per
 * scene telling the reviewer what to do instead (reject that scene with feedback: only it renders again).
 */
export function unrenderedApprovalIssues(scenes: readonly UnrenderedSceneRef[]): FieldIssue[] {
  return [...scenes]
    .sort((a, b) => a.sequence - b.sequence)
    .map((s) => ({
      path: 'decision',
      message: `scene ${s.sequence} (${s.scene_id}) was not rendered (${s.reason}): the video cannot be approved with a slate in its place; reject that scene with feedback (scenes: [{ scene_id: "${s.scene_id}", feedback }], bie approvals reject --scene ${s.scene_id}=TEXT) and only it renders again`,
    }));
}

export interface CopyEditor {
  /** Field-level issues (restricted terms with the rule that fired); empty when the edits may go out. */
  check(a: Approval, edits: CopyEdits): Promise<FieldIssue[]>;
  apply(a: Approval, edits: CopyEdits): Promise<void>;
}

export interface ApprovalEvents {
  requested(a: Approval, approver: string): Promise<void>;
  decided(a: Approval): Promise<void>;
}

export interface ApprovalRequest {
  execution: string;
  state: string;
  token: string;
  campaign_id: string;
  variant_id?: string;
  checkpoint: Checkpoint;
  subject_id: string;
  attempt: number;
  summary: string;
  media?: ApprovalMedia[];
  choices?: HookChoice[];
  approver_email: string;
  auto_approve: boolean;
}

/** The same checkpoint visit of the same execution always maps to the same approval. */
export const approvalIdFor = (
  r: Pick<ApprovalRequest, 'execution' | 'state' | 'variant_id' | 'attempt'>,
): string => stableUuid('approval', r.execution, r.state, r.variant_id, r.attempt);

const outcomeOf = (a: Approval) =>
  ApprovalOutcome.parse({
    approval_id: a.approval_id,
    decision: a.status === 'approved' ? 'approve' : 'reject',
    decided_by: a.decided_by ?? 'unknown',
    feedback: a.feedback || undefined,
    chosen_hook_id: a.chosen_hook_id,
  });

/** The error a rejection of named scenes fails the waiting state with (its Cause is {@link ScenesRejectedCause} JSON). */
export const SCENES_REJECTED = 'ScenesRejected';

/** What the video checkpoint's state reads from a `ScenesRejected` Cause (`States.StringToJson`). */
export interface ScenesRejectedCause {
  feedback: string;
  video_id: string;
  scenes: SceneRejection[];
}

/**
 * Hands the decision to the waiting state: success carries the outcome, a rejection its feedback as the
 * Cause. A rejection of named scenes fails with `ScenesRejected` and a JSON Cause naming the scenes and
 * the video they come from, so the state machine re-renders only those and reuses the others.
 */
async function resume(deps: ApprovalDeps, a: Approval, token: string): Promise<void> {
  if (a.status === 'approved') await deps.callbacks.success(token, outcomeOf(a));
  else if (a.scenes?.length) {
    const cause: ScenesRejectedCause = {
      feedback: a.feedback ?? '',
      video_id: a.subject_id,
      scenes: a.scenes,
    };
    await deps.callbacks.failure(token, SCENES_REJECTED, JSON.stringify(cause));
  } else await deps.callbacks.failure(token, 'ApprovalRejected', a.feedback || 'rejected without feedback');
}

/**
 * Stores (or finds) the approval of a checkpoint visit and parks the task token on it. A replayed visit
 * finds the same approval: if it was decided meanwhile the decision is handed back at once, and no
 * second mail is sent. With the campaign's auto-approve policy the approval is recorded as decided by it.
 */
export async function requestApproval(
  deps: ApprovalDeps,
  req: ApprovalRequest,
): Promise<{ approval: Approval; alreadyDecided: boolean }> {
  const approvalId = approvalIdFor(req);
  const existing = await deps.store.get(approvalId);
  if (existing && existing.status !== 'pending') {
    await resume(deps, existing, req.token);
    return { approval: existing, alreadyDecided: true };
  }
  const created = nowIso();
  const approval: Approval = existing ?? {
    approval_id: approvalId,
    campaign_id: req.campaign_id,
    variant_id: req.variant_id,
    checkpoint: req.checkpoint,
    subject_id: req.subject_id,
    summary: req.summary,
    ...(req.media?.length ? { media: req.media } : {}),
    ...(req.choices?.length ? { choices: req.choices } : {}),
    task_token: req.token,
    status: 'pending',
    notified: deps.mailer && !req.auto_approve ? 'mail' : 'none',
    expires_at: new Date(Date.now() + APPROVAL_TTL_SECONDS * 1000).toISOString(),
    created_at: created,
  };
  if (existing) {
    await deps.store.setToken(existing, req.token);
    approval.task_token = req.token;
  } else if (await deps.store.create(approval)) {
    await deps.audit(req.campaign_id, `approval_requested_${req.checkpoint}`, 'workflow', {
      new_state: { approval_id: approvalId, subject_id: req.subject_id },
    });
    if (deps.mailer && !req.auto_approve) await mailApproval(deps, deps.mailer, approval, req.approver_email);
  }
  // On every (re)visit of a pending approval: the event id is stable, so a replay is a duplicate consumers drop.
  await deps.events?.requested(approval, req.approver_email);
  if (req.auto_approve) {
    const decided = await decideApproval(deps, {
      approval_id: approvalId,
      decision: 'approve',
      decided_by: 'auto-approve policy',
      authority: { via: 'policy' },
    });
    return { approval: decided.approval, alreadyDecided: false };
  }
  return { approval, alreadyDecided: false };
}

/** Seconds a media link shown until `untilEpoch` should live: as long as the approval link, at most 7 days. */
export const presignSeconds = (untilEpoch: number, now = Date.now()): number =>
  Math.max(60, Math.min(PRESIGN_MAX_SECONDS, untilEpoch - Math.floor(now / 1000)));

/** The approval's media as presigned HTTPS links that live as long as its decision links (at most 7 days). */
export async function mediaLinks(
  deps: Pick<ApprovalDeps, 'media'>,
  a: Approval,
  untilEpoch = Math.floor(Date.parse(a.expires_at) / 1000),
): Promise<{ label: string; url: string }[]> {
  const seconds = presignSeconds(untilEpoch);
  return Promise.all(
    (a.media ?? []).map(async (m) => ({ label: m.label, url: await deps.media.presign(m.key, seconds) })),
  );
}

async function mailApproval(deps: ApprovalDeps, mailer: Mailer, a: Approval, to: string): Promise<void> {
  const exp = Math.floor(Date.parse(a.expires_at) / 1000);
  const approve = decisionLink(deps.baseUrl, deps.secret, a.approval_id, 'approve', exp);
  const reject = decisionLink(deps.baseUrl, deps.secret, a.approval_id, 'reject', exp);
  const media = await mediaLinks(deps, a, exp);
  const review = deps.dashboardUrl ? reviewLink(deps.dashboardUrl, deps.secret, a.approval_id, exp) : '';
  const title = `Approval needed: ${a.checkpoint.replace('_', ' ')} of campaign ${a.campaign_id.slice(0, 8)}`;
  const mediaText = media.map((m) => `${m.label}: ${m.url}`).join('\n');
  const mediaHtml = media.length
    ? `<ul>${media.map((m) => `<li><a href="${escapeHtml(m.url)}">${escapeHtml(m.label)}</a></li>`).join('')}</ul>`
    : '';
  await mailer.send({
    to: [to],
    subject: title,
    text: `${a.summary}\n${mediaText ? `\n${mediaText}\n` : ''}${review ? `\nReview in the dashboard: ${review}\n` : ''}\nApprove: ${approve}\nReject (with feedback): ${reject}\n\nThe links expire ${a.expires_at} and work once. The approval page always has fresh media links.\nApproval id: ${a.approval_id}\n`,
    html: `<h2>${escapeHtml(title)}</h2><pre>${escapeHtml(a.summary)}</pre>${mediaHtml}${review ? `<p><a href="${escapeHtml(review)}"><strong>Review in the dashboard</strong></a></p>` : ''}<p><a href="${escapeHtml(approve)}">Approve</a> · <a href="${escapeHtml(reject)}">Reject with feedback</a></p><p>The links expire ${a.expires_at} and work once. The approval page always has fresh media links.</p>`,
  });
}

/**
 * Who may decide: the holder of a mailed link (its signature and expiry, checked here), an operator the
 * API has authenticated (IAM on its own route), or the campaign's auto-approve policy.
 */
export type DecisionAuthority =
  | { via: 'link'; sig: string; exp: number }
  /** The dashboard's review link (either decision, once). */
  | { via: 'review'; sig: string; exp: number }
  /** A dashboard user the API authenticated (Cognito JWT on AWS). */
  | { via: 'user' }
  | { via: 'operator' }
  | { via: 'policy' };

/** Throws ApprovalLinkError unless the link signs this approval and decision and has not expired. */
export function assertLink(
  secret: string,
  approvalId: string,
  decision: Decision,
  link: { sig: string; exp: number },
): void {
  const check = verifyDecision(secret, approvalId, decision, link.exp, link.sig);
  if (!check.ok) throw new ApprovalLinkError(check.reason, check.message);
}

/** Throws ApprovalLinkError unless the review link signs this approval and has not expired. */
export function assertReviewLink(
  secret: string,
  approvalId: string,
  link: { sig: string; exp: number },
): void {
  const check = verifyReview(secret, approvalId, link.exp, link.sig);
  if (!check.ok) throw new ApprovalLinkError(check.reason, check.message);
}

export interface DecisionInput {
  approval_id: string;
  decision: Decision;
  decided_by: string;
  feedback?: string;
  /** Video checkpoint: reject only these scenes (each with its feedback). */
  scenes?: SceneRejection[];
  /** hook_review: one of the approval's choices; approving without one takes the first (the best). */
  chosen_hook_id?: string;
  /** publication: the reviewer's captions and hashtags per platform. */
  edits?: CopyEdits;
  authority: DecisionAuthority;
}

/** A choice or edit the checkpoint does not offer, or edits that fail the brand check: field-level issues. */
async function choiceIssues(deps: ApprovalDeps, a: Approval, input: DecisionInput): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  if (input.chosen_hook_id !== undefined) {
    if (!a.choices?.length)
      issues.push({
        path: 'chosen_hook_id',
        message: `the ${a.checkpoint} checkpoint offers no hooks to choose`,
      });
    else if (!a.choices.some((c) => c.hook_id === input.chosen_hook_id))
      issues.push({
        path: 'chosen_hook_id',
        message: `not one of the offered hooks (${a.choices.map((c) => c.hook_id).join(', ')})`,
      });
    else if (a.checkpoint === 'script' && input.decision !== 'reject')
      issues.push({
        path: 'chosen_hook_id',
        message: 'another hook rewrites the script: send it with a rejection (approving keeps the script)',
      });
    else if (a.checkpoint !== 'script' && input.decision !== 'approve')
      issues.push({ path: 'chosen_hook_id', message: 'a hook is chosen by approving' });
  }
  if (input.edits && Object.keys(input.edits).length) {
    if (a.checkpoint !== 'publication')
      issues.push({
        path: 'edits',
        message: 'captions and hashtags are edited at the publication checkpoint',
      });
    else if (input.decision !== 'approve')
      issues.push({ path: 'edits', message: 'edits are given with an approval (a rejection regenerates)' });
    else if (!deps.edits) issues.push({ path: 'edits', message: 'edits are not accepted here' });
    else issues.push(...(await deps.edits.check(a, input.edits)));
  }
  return issues;
}

/**
 * Decides once (a conditional write makes a second decision a conflict) and resumes the state machine.
 * When the task token is gone (the runtime restarted), the recorded decision is applied on replay.
 */
export async function decideApproval(
  deps: ApprovalDeps,
  input: DecisionInput,
): Promise<{ approval: Approval; resumed: boolean }> {
  // The link is checked before the approval is read: a caller without a valid one learns nothing.
  if (input.authority.via === 'link')
    assertLink(deps.secret, input.approval_id, input.decision, input.authority);
  if (input.authority.via === 'review') assertReviewLink(deps.secret, input.approval_id, input.authority);
  const current = await deps.store.get(input.approval_id);
  if (!current) throw new NotFoundError('approval', input.approval_id);
  if (current.status !== 'pending')
    throw new ConflictError(`approval ${input.approval_id} was already ${current.status}`);
  if (Date.parse(current.expires_at) < Date.now()) throw new ApprovalExpiredError(input.approval_id);
  const scenes = input.scenes?.length ? input.scenes : undefined;
  if (input.decision === 'reject' && !input.feedback?.trim() && !scenes) {
    throw new ValidationError('invalid decision', [
      { path: 'feedback', message: 'a rejection needs feedback so the step can be regenerated' },
    ]);
  }
  if (scenes) await assertScenesOfVideo(deps, current, input.decision, scenes);
  if (input.decision === 'approve' && current.checkpoint === 'video' && deps.unrenderedScenes) {
    const unrendered = await deps.unrenderedScenes(current.campaign_id, current.subject_id);
    // 422: a well-formed decision the stored video refuses.
    if (unrendered.length)
      throw new UnprocessableError(
        'Video has unrendered scenes',
        `this video cannot be approved: scene ${unrendered
          .map((u) => u.sequence)
          .sort((a, b) => a - b)
          .join(', ')} could not be rendered and a slate holds its seconds; reject it with feedback`,
        unrenderedApprovalIssues(unrendered),
      );
  }
  const issues = await choiceIssues(deps, current, input);
  if (issues.length) throw new ValidationError('invalid decision', issues);
  // hook_review: approving picks a hook (the best by default); script: a rejection naming a hook has the
  // Copywriter rewrite the script around it (GenerateHooks pins it).
  const chosen =
    current.checkpoint === 'script'
      ? input.decision === 'reject'
        ? input.chosen_hook_id
        : undefined
      : input.decision === 'approve' && current.choices?.length
        ? (input.chosen_hook_id ?? current.choices[0]?.hook_id)
        : undefined;
  const decided = await deps.store.decide(current, {
    status: input.decision === 'approve' ? 'approved' : 'rejected',
    decided_by: input.decided_by,
    decided_at: nowIso(),
    feedback: input.feedback?.trim() || undefined,
    ...(scenes && { scenes }),
    ...(chosen ? { chosen_hook_id: chosen } : {}),
  });
  if (input.edits && Object.keys(input.edits).length) await deps.edits?.apply(decided, input.edits);
  await deps.audit(
    decided.campaign_id,
    `approval_${decided.status}_${decided.checkpoint}`,
    input.decided_by,
    {
      new_state: {
        approval_id: decided.approval_id,
        feedback: decided.feedback,
        ...(decided.scenes && { scenes: decided.scenes }),
        ...(chosen ? { chosen_hook_id: chosen } : {}),
        ...(input.edits ? { edits: input.edits } : {}),
      },
    },
  );
  // Announced before the token is sent: if the event cannot be put, the caller retries the whole
  // decision and the approval is not left decided without its event.
  await deps.events?.decided(decided);
  try {
    await resume(deps, decided, decided.task_token);
    return { approval: decided, resumed: true };
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'TaskDoesNotExist' || name === 'TaskTimedOut' || name === 'InvalidToken')
      return { approval: decided, resumed: false };
    throw error;
  }
}

/** Scenes can be rejected only at the video checkpoint, and only scenes of the video under review. */
async function assertScenesOfVideo(
  deps: ApprovalDeps,
  a: Approval,
  decision: Decision,
  scenes: SceneRejection[],
): Promise<void> {
  if (decision !== 'reject')
    throw new ValidationError('invalid decision', [
      { path: 'scenes', message: 'scenes can only be rejected' },
    ]);
  if (a.checkpoint !== 'video')
    throw new ValidationError('invalid decision', [
      { path: 'scenes', message: `scenes can be rejected at the video checkpoint, not at ${a.checkpoint}` },
    ]);
  if (!deps.videoScenes) return;
  const known = new Set(await deps.videoScenes(a.campaign_id, a.subject_id));
  const issues = scenes.flatMap((s, i) =>
    known.has(s.scene_id)
      ? []
      : [
          {
            path: `scenes.${i}.scene_id`,
            message: `scene ${s.scene_id} is not a scene of video ${a.subject_id}`,
          },
        ],
  );
  if (issues.length) throw new ValidationError('invalid decision', issues);
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
