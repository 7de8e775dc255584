import { useCallback } from 'react';
import type { Api } from '../api/client';
import { BudgetMeter, ErrorNotice, Placeholder, Section } from '../components/common';
import { PillarStatus } from '../components/PillarStatus';
import { href } from '../router';
import { usePolling } from '../usePolling';

const CHECKPOINT_TEXT: Record<string, string> = {
  brief: 'brief',
  alignment_review: 'brief (alignment review)',
  script: 'script',
  compliance_review: 'script (compliance review)',
  hook_review: 'hooks',
  video: 'video',
  publication: 'publication',
  budget: 'budget',
};

/** Every campaign with live status per pillar and its cost against the budget, refreshed every few seconds. */
export function CampaignsPage({ api }: { api: Api }) {
  const load = useCallback(() => api.campaigns(), [api]);
  const { data, error } = usePolling(load, 3000);
  return (
    <Section title="Campaigns">
      <ErrorNotice error={error} />
      {!data ? (
        <Placeholder height={240} label="Loading campaigns" />
      ) : data.campaigns.length === 0 ? (
        <p>
          No campaigns yet. Start one with <code>bie run</code> or <code>POST /campaigns</code>.
        </p>
      ) : (
        <ul className="campaign-list">
          {data.campaigns.map((c) => (
            <li key={c.campaign_id} className="campaign-row">
              <div className="campaign-title">
                <a href={href.campaign(c.campaign_id)}>{c.campaign_name}</a>
                <span className={`status ${c.status}`}>{c.status.replace('_', ' ')}</span>
              </div>
              <PillarStatus pillars={c.pillars} />
              <BudgetMeter spent={c.spent_usd} budget={c.budget_usd} />
              {c.pending_approvals.length ? (
                <p className="pending">
                  Waiting for you:{' '}
                  {c.pending_approvals.map((a, i) => (
                    <span key={a.approval_id}>
                      {i ? ', ' : ''}
                      <a href={href.approval(a.approval_id)}>
                        review the {CHECKPOINT_TEXT[a.checkpoint] ?? a.checkpoint}
                      </a>
                    </span>
                  ))}
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
