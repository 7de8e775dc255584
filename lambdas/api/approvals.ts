import { z } from 'zod';
import { approvalDeps } from '../approvals/deps.js';
import { decideApproval } from '../approvals/domain/approvals.js';
import { ApprovalDecisionBody, Decision } from '../shared/contracts/index.js';
import { approvals } from '../shared/data/repositories.js';
import { NotFoundError } from '../shared/errors.js';
import { parseOrThrow } from '../shared/validation.js';
import { type ApiEvent, apiHandler, html, json, parseBody } from './http.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const LinkQuery = z.object({ d: Decision, exp: z.coerce.number().int(), sig: z.string().min(10) });

async function getApproval(event: ApiEvent) {
  const id = event.pathParameters?.id ?? '';
  const a = await approvals.get(id);
  if (!a) throw new NotFoundError('approval', id);
  return a;
}

const view = ({ task_token: _t, ...rest }: { task_token: string; [k: string]: unknown }) => rest;

export const handler = apiHandler({
  'GET /approvals': async (event) => {
    const status = event.queryStringParameters?.status ?? 'pending';
    const list = status === 'pending' ? await approvals.listPending() : [];
    return json(200, { approvals: list.map(view) });
  },
  /** A mailed link lands here: a confirmation page (GET never decides; mail scanners follow links). */
  'GET /approvals/{id}': async (event) => {
    const a = await getApproval(event);
    if (!event.queryStringParameters?.sig) return json(200, view(a));
    const q = parseOrThrow(LinkQuery, event.queryStringParameters, 'approval link');
    const verb = q.d === 'approve' ? 'Approve' : 'Reject';
    return html(
      200,
      `<!doctype html><meta charset="utf-8"><title>${verb} ${esc(a.checkpoint)}</title><h1>${verb} the ${esc(a.checkpoint)}?</h1><pre>${esc(a.summary)}</pre>` +
        (a.status !== 'pending'
          ? `<p>This approval was already ${esc(a.status)}.</p>`
          : `<form method="post"><input type="hidden" name="decision" value="${q.d}"><input type="hidden" name="exp" value="${q.exp}"><input type="hidden" name="sig" value="${esc(q.sig)}">${q.d === 'reject' ? '<p><label>Feedback (required)<br><textarea name="feedback" rows="4" cols="60" required></textarea></label></p>' : ''}<p><label>Your name <input name="decided_by" value="reviewer"></label></p><button type="submit">${verb}</button></form>`),
    );
  },
  'POST /approvals/{id}': async (event) => {
    const a = await getApproval(event);
    const body = parseBody(event, ApprovalDecisionBody, 'approval decision');
    const result = await decideApproval(await approvalDeps(), {
      approval_id: a.approval_id,
      decision: body.decision,
      decided_by: body.decided_by,
      feedback: body.feedback,
      link: body.sig ? { sig: body.sig, exp: body.exp ?? 0 } : undefined,
    });
    const out = { ...view(result.approval), resumed: result.resumed };
    return (event.headers?.['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
      ? html(
          200,
          `<!doctype html><meta charset="utf-8"><h1>Thank you</h1><p>The ${esc(a.checkpoint)} was ${esc(result.approval.status)}.</p>`,
        )
      : json(200, out);
  },
});
