import { z } from 'zod';
import { approvalDeps } from '../approvals/deps.js';
import { assertLink, assertReviewLink, decideApproval, mediaLinks } from '../approvals/domain/approvals.js';
import { ApprovalLinkError } from '../approvals/domain/links.js';
import { buildReview } from '../approvals/review.js';
import { recordDecisionTimes } from '../broadcaster/post-scheduling.js';
import {
  Approval,
  ApprovalDecisionBody,
  Decision,
  LinkDecisionBody,
  ReviewLinkQuery,
} from '../shared/contracts/index.js';
import { approvals } from '../shared/data/repositories.js';
import { NotFoundError } from '../shared/errors.js';
import { parseOrThrow } from '../shared/validation.js';
import {
  type ApiEvent,
  apiHandler,
  html,
  json,
  MEDIA_TYPES,
  parseBody,
  pathUuid,
  queryParam,
  readBody,
} from './http.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const LinkQuery = z.object({ d: Decision, exp: z.coerce.number().int(), sig: z.string().min(1) });
const MISSING_LINK =
  'this needs the signed link from the approval mail (d, exp and sig); operators use /operator/approvals';

/** The task token never leaves the store: whoever holds it could resume the state machine. */
const view = ({ task_token: _t, ...rest }: Approval) => rest;

async function mustGet(id: string): Promise<Approval> {
  const a = await approvals.get(id);
  if (!a) throw new NotFoundError('approval', id);
  return a;
}

/** The link of a mailed approval, from the page's query or the form it posts; refused before any read. */
function requireLink(fields: Record<string, unknown> | undefined, decisionKey: 'd' | 'decision') {
  const f = fields ?? {};
  if (!f.sig || f.exp === undefined || f.exp === '' || !f[decisionKey])
    throw new ApprovalLinkError('missing', MISSING_LINK);
}

/** The dashboard user API Gateway's JWT authorizer authenticated (Cognito claims; absent locally). */
function userName(event: ApiEvent): string | undefined {
  const ctx = event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
  const claims = ctx.authorizer?.jwt?.claims ?? {};
  const name = claims.email ?? claims['cognito:username'] ?? claims.username ?? claims.sub;
  return typeof name === 'string' ? name : undefined;
}

/** The IAM principal API Gateway authenticated on an operator route (absent in the embedded runtime). */
function callerArn(event: ApiEvent): string | undefined {
  const ctx = event.requestContext as { authorizer?: { iam?: { userArn?: string } } };
  return ctx.authorizer?.iam?.userArn;
}

function page(a: Approval, q: z.infer<typeof LinkQuery>, media: { label: string; url: string }[]): string {
  const verb = q.d === 'approve' ? 'Approve' : 'Reject';
  const links = media.length
    ? `<ul>${media.map((m) => `<li><a href="${esc(m.url)}">${esc(m.label)}</a></li>`).join('')}</ul>`
    : '';
  return (
    `<!doctype html><meta charset="utf-8"><title>${verb} ${esc(a.checkpoint)}</title><h1>${verb} the ${esc(a.checkpoint)}?</h1><pre>${esc(a.summary)}</pre>${links}` +
    (a.status !== 'pending'
      ? `<p>This approval was already ${esc(a.status)}.</p>`
      : `<form method="post"><input type="hidden" name="decision" value="${q.d}">${q.d === 'approve' && a.choices?.length ? `<fieldset><legend>Hook the script uses</legend>${a.choices.map((c, i) => `<p><label><input type="radio" name="chosen_hook_id" value="${esc(c.hook_id)}"${i === 0 ? ' checked' : ''}> ${esc(c.text)} (${c.quality_score})</label></p>`).join('')}</fieldset>` : ''}<input type="hidden" name="exp" value="${q.exp}"><input type="hidden" name="sig" value="${esc(q.sig)}">${q.d === 'reject' ? '<p><label>Feedback (required)<br><textarea name="feedback" rows="4" cols="60" required></textarea></label></p>' : ''}<p><label>Your name <input name="decided_by" value="reviewer"></label></p><button type="submit">${verb}</button></form>`)
  );
}

/**
 * Two doors to the same approvals. `/approvals/{id}` is public (a browser from a mailed link, no AWS
 * credentials): everything there needs the link's signature, checked before the approval is even read,
 * so without one nothing is revealed, not even whether the id exists. `/operator/...` is for operators,
 * the CLI and scripts, and API Gateway lets only IAM-authenticated callers reach it (catalog `auth`).
 */
export const handler = apiHandler({
  /** A mailed link lands here: a confirmation page (GET never decides; mail scanners follow links). */
  'GET /approvals/{id}': async (event) => {
    requireLink(event.queryStringParameters, 'd');
    const id = pathUuid(event);
    const parsed = LinkQuery.safeParse(event.queryStringParameters);
    if (!parsed.success) throw new ApprovalLinkError('invalid', 'the approval link is malformed');
    const q = parsed.data;
    const deps = await approvalDeps();
    assertLink(deps.secret, id, q.d, { sig: q.sig, exp: q.exp });
    const a = await mustGet(id);
    return html(200, page(a, q, await mediaLinks(deps, a, q.exp)));
  },
  /** The confirmation page posts here: decides once, with the link's signature and before its expiry. */
  'POST /approvals/{id}': async (event) => {
    const raw = readBody(event, 'approval decision', MEDIA_TYPES.jsonOrForm);
    requireLink(raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : undefined, 'decision');
    const id = pathUuid(event);
    const body = parseOrThrow(LinkDecisionBody, raw, 'approval decision');
    const deps = await approvalDeps();
    if (body.publish_at !== undefined) {
      // The link first: nothing is written for a caller without a valid one.
      const link = { sig: body.sig, exp: body.exp };
      if (body.link === 'review') assertReviewLink(deps.secret, id, link);
      else assertLink(deps.secret, id, body.decision, link);
      await recordDecisionTimes(await mustGet(id), body.publish_at);
    }
    const result = await decideApproval(deps, {
      approval_id: id,
      decision: body.decision,
      decided_by: body.decided_by,
      feedback: body.feedback,
      scenes: body.scenes,
      chosen_hook_id: body.chosen_hook_id,
      edits: body.edits,
      authority:
        body.link === 'review'
          ? { via: 'review', sig: body.sig, exp: body.exp }
          : { via: 'link', sig: body.sig, exp: body.exp },
    });
    return (event.headers?.['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
      ? html(
          200,
          `<!doctype html><meta charset="utf-8"><h1>Thank you</h1><p>The ${esc(result.approval.checkpoint)} was ${esc(result.approval.status)}.</p>`,
        )
      : json(200, { ...view(result.approval), resumed: result.resumed });
  },
  /** The dashboard's review page opened from a mailed review link: the signature first, then the data. */
  'GET /approvals/{id}/review': async (event) => {
    const q = event.queryStringParameters ?? {};
    if (!q.sig || !q.exp) throw new ApprovalLinkError('missing', MISSING_LINK);
    const id = pathUuid(event);
    const parsed = ReviewLinkQuery.safeParse(q);
    if (!parsed.success) throw new ApprovalLinkError('invalid', 'the review link is malformed');
    const deps = await approvalDeps();
    assertReviewLink(deps.secret, id, parsed.data);
    return json(200, await buildReview(deps, await mustGet(id), parsed.data.exp));
  },
  'GET /dashboard/approvals': async () => json(200, { approvals: (await approvals.listPending()).map(view) }),
  'GET /dashboard/approvals/{id}': async (event) => {
    const a = await mustGet(pathUuid(event));
    return json(200, await buildReview(await approvalDeps(), a, Math.floor(Date.parse(a.expires_at) / 1000)));
  },
  'POST /dashboard/approvals/{id}/decision': async (event) => {
    const id = pathUuid(event);
    const body = parseBody(event, ApprovalDecisionBody, 'approval decision');
    const user = userName(event);
    // Times go in before the decision resumes the Broadcaster, which reads them (issue 8).
    if (body.publish_at !== undefined) await recordDecisionTimes(await mustGet(id), body.publish_at);
    const result = await decideApproval(await approvalDeps(), {
      approval_id: id,
      decision: body.decision,
      decided_by: user ? `${body.decided_by} (${user})` : body.decided_by,
      feedback: body.feedback,
      scenes: body.scenes,
      chosen_hook_id: body.chosen_hook_id,
      edits: body.edits,
      authority: { via: 'user' },
    });
    return json(200, { ...view(result.approval), resumed: result.resumed });
  },
  'GET /operator/approvals': async (event) => {
    const status = queryParam(event, 'status', Approval.shape.status.default('pending'));
    const list = status === 'pending' ? await approvals.listPending() : [];
    return json(200, { approvals: list.map(view) });
  },
  'GET /operator/approvals/{id}': async (event) => {
    const a = await mustGet(pathUuid(event));
    return json(200, { ...view(a), media_links: await mediaLinks(await approvalDeps(), a) });
  },
  'POST /operator/approvals/{id}/decision': async (event) => {
    const id = pathUuid(event);
    const body = parseBody(event, ApprovalDecisionBody, 'approval decision');
    // Times go in before the decision resumes the Broadcaster, which reads them (issue 8).
    if (body.publish_at !== undefined) await recordDecisionTimes(await mustGet(id), body.publish_at);
    const arn = callerArn(event);
    const result = await decideApproval(await approvalDeps(), {
      approval_id: id,
      decision: body.decision,
      decided_by: arn ? `${body.decided_by} (${arn})` : body.decided_by,
      feedback: body.feedback,
      scenes: body.scenes,
      chosen_hook_id: body.chosen_hook_id,
      edits: body.edits,
      authority: { via: 'operator' },
    });
    return json(200, { ...view(result.approval), resumed: result.resumed });
  },
});
