import type { CampaignCard } from '../api/client';

const LABELS: Record<string, string> = {
  strategist: 'Strategist',
  copywriter: 'Copywriter',
  production: 'Production',
  campaign_manager: 'Campaign Manager',
  broadcaster: 'Broadcaster',
};

const STATE_TEXT: Record<string, string> = {
  waiting: 'waiting',
  running: 'running',
  awaiting_approval: 'needs your review',
  done: 'done',
  failed: 'failed',
};

/** The five pillars in order, each with its state in words (and an icon-free colour as a second cue). */
export function PillarStatus({ pillars }: { pillars: CampaignCard['pillars'] }) {
  return (
    <ol className="pillars" aria-label="pillars">
      {pillars.map((p) => (
        <li key={p.pillar} className={`pillar ${p.state}`}>
          <span className="pillar-name">{LABELS[p.pillar] ?? p.pillar}</span>
          <span className="pillar-state">{STATE_TEXT[p.state] ?? p.state}</span>
        </li>
      ))}
    </ol>
  );
}
