import { useCallback, useMemo, useState } from 'react';
import type { Api, DecisionBody, ReviewView } from '../api/client';
import { ErrorNotice, Placeholder, Section } from '../components/common';
import { href } from '../router';
import { usePolling } from '../usePolling';
import { BriefReview } from './reviews/BriefReview';
import { HookReview } from './reviews/HookReview';
import { PublicationReview } from './reviews/PublicationReview';
import { ScriptReview } from './reviews/ScriptReview';
import { VideoReview } from './reviews/VideoReview';

/**
 * What the reviewer may add to a decision beyond approve/reject and feedback: the hook they chose, the
 * scenes to regenerate, their caption edits and schedule. The API validates each field.
 */
export type Decision = DecisionBody;
export type Decide = (body: Decision) => Promise<void>;

const TITLES: Record<string, string> = {
  brief: 'Brief review',
  alignment_review: 'Brief review (below the alignment gate)',
  script: 'Script review',
  compliance_review: 'Script review (below the compliance gate)',
  hook_review: 'Hook review (below the hook quality gate)',
  video: 'Video review',
  publication: 'Publication review',
  budget: 'Budget review',
};

type Source = { kind: 'user'; id: string } | { kind: 'link'; id: string; exp: number; sig: string };

/** One approval's review page, opened by a signed-in user or from a mailed review link. */
export function ReviewPage({ api, source: given }: { api: Api; source: Source }) {
  // The same link on every render (the parent builds a new object each time).
  const sourceKey = JSON.stringify(given);
  const source = useMemo(() => JSON.parse(sourceKey) as Source, [sourceKey]);
  const load = useCallback(
    () => (source.kind === 'link' ? api.reviewByLink(source.id, source) : api.review(source.id)),
    [api, source],
  );
  const { data, error, reload } = usePolling<ReviewView>(load, 0);
  const [decideError, setDecideError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const decide: Decide = async (body) => {
    setBusy(true);
    setDecideError(undefined);
    try {
      if (source.kind === 'link') await api.decideByLink(source.id, body, source);
      else await api.decide(source.id, body);
      reload();
    } catch (e) {
      setDecideError(e);
    } finally {
      setBusy(false);
    }
  };
  if (!data)
    return (
      <Section title="Review">
        <ErrorNotice error={error} />
        {error ? null : <Placeholder height={520} label="Loading the review" />}
      </Section>
    );
  const a = data.approval;
  const pending = a.status === 'pending';
  const props = { review: data, decide, busy, pending };
  return (
    <>
      <Section
        title={TITLES[a.checkpoint] ?? a.checkpoint}
        actions={source.kind === 'user' ? <a href={href.campaign(a.campaign_id)}>Campaign</a> : null}
      >
        <p>
          Campaign <strong>{data.campaign.campaign_name}</strong>
          {' · '}
          {pending ? (
            <span className="status awaiting_approval">waiting for your decision</span>
          ) : (
            <span className={`status ${a.status}`} role="status">
              {a.status}
              {a.decided_by ? ` by ${a.decided_by}` : ''}
            </span>
          )}
        </p>
        <ErrorNotice error={decideError ?? error} />
      </Section>
      {a.checkpoint === 'brief' || a.checkpoint === 'alignment_review' ? <BriefReview {...props} /> : null}
      {a.checkpoint === 'script' || a.checkpoint === 'compliance_review' ? <ScriptReview {...props} /> : null}
      {a.checkpoint === 'hook_review' ? <HookReview {...props} /> : null}
      {a.checkpoint === 'video' ? <VideoReview {...props} /> : null}
      {a.checkpoint === 'publication' ? <PublicationReview {...props} /> : null}
      {a.checkpoint === 'budget' ? (
        <Section title="Budget">
          <pre className="summary">{a.summary}</pre>
          <DecisionBar decide={decide} busy={busy} pending={pending} />
        </Section>
      ) : null}
    </>
  );
}

export interface ReviewProps {
  review: ReviewView;
  decide: Decide;
  busy: boolean;
  pending: boolean;
}

/** Approve, or reject with feedback (required, so the step can be regenerated). */
export function DecisionBar({
  decide,
  busy,
  pending,
  approveLabel = 'Approve',
  rejectLabel = 'Request changes',
  extra,
  approveBlocked,
}: {
  decide: Decide;
  busy: boolean;
  pending: boolean;
  approveLabel?: string;
  rejectLabel?: string;
  extra?: () => Partial<Decision> | undefined;
  /** Why approving is not possible here (the button is disabled and this is shown). */
  approveBlocked?: string;
}) {
  const [feedback, setFeedback] = useState('');
  const [missing, setMissing] = useState(false);
  if (!pending) return null;
  return (
    <div className="decision">
      <label htmlFor="feedback">Feedback (required to request changes)</label>
      <textarea
        id="feedback"
        rows={3}
        value={feedback}
        aria-invalid={missing}
        aria-describedby={missing ? 'feedback-error' : undefined}
        onChange={(e) => {
          setFeedback(e.target.value);
          setMissing(false);
        }}
      />
      {missing ? (
        <p id="feedback-error" className="field-error">
          Say what should change, so the step can be regenerated.
        </p>
      ) : null}
      <div className="buttons">
        <button
          type="button"
          className="primary"
          disabled={busy || !!approveBlocked}
          aria-describedby={approveBlocked ? 'approve-blocked' : undefined}
          onClick={() => {
            const more = extra?.();
            if (more === undefined && extra) return;
            void decide({
              decision: 'approve',
              decided_by: 'reviewer',
              ...(more ?? {}),
              ...(feedback.trim() ? { feedback } : {}),
            });
          }}
        >
          {approveLabel}
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            if (!feedback.trim()) return setMissing(true);
            void decide({ decision: 'reject', decided_by: 'reviewer', feedback });
          }}
        >
          {rejectLabel}
        </button>
      </div>
      {approveBlocked ? (
        <p id="approve-blocked" className="field-error">
          {approveBlocked}
        </p>
      ) : null}
    </div>
  );
}
