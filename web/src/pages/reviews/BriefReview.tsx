import { Score, Section } from '../../components/common';
import { DecisionBar, type ReviewProps } from '../Review';

/** The creative brief, its alignment score with the breakdown, and the trends it rests on. */
export function BriefReview({ review, decide, busy, pending }: ReviewProps) {
  const b = review.brief;
  if (!b)
    return (
      <Section title="Brief">
        <p>The brief is not available.</p>
      </Section>
    );
  return (
    <Section title="Creative brief">
      <dl className="facts">
        <dt>Hook</dt>
        <dd>{b.core_message.primary_hook}</dd>
        <dt>Value proposition</dt>
        <dd>{b.core_message.value_proposition}</dd>
        <dt>Call to action</dt>
        <dd>{b.core_message.call_to_action}</dd>
        <dt>Audience</dt>
        <dd>
          {b.target_audience.psychographics.join('; ')}
          {b.target_audience.pain_points.length
            ? ` — pain points: ${b.target_audience.pain_points.join('; ')}`
            : ''}
        </dd>
        <dt>Tone</dt>
        <dd>{b.brand_guidelines_ref.tone}</dd>
      </dl>
      <h3>Brand alignment</h3>
      <p>
        <Score label="Alignment" value={b.brand_alignment_score} gate={0.85} />
      </p>
      {b.alignment_breakdown ? (
        <table>
          <caption className="visually-hidden">Alignment breakdown</caption>
          <tbody>
            {Object.entries(b.alignment_breakdown).map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k.replaceAll('_', ' ')}</th>
                <td>{Number(v).toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h3>Trend insights</h3>
      {b.trend_coverage ? <p className="note">{b.trend_coverage.note}</p> : null}
      <ul>
        {b.trending_insights.trending_topics.map((t) => (
          <li key={t}>{t}</li>
        ))}
      </ul>
      <h3>Suggested variants</h3>
      <ul>
        {b.variant_suggestions.map((v) => (
          <li key={v.variant_type}>
            <strong>{v.variant_type}</strong>: {v.rationale}
          </li>
        ))}
      </ul>
      <DecisionBar
        decide={decide}
        busy={busy}
        pending={pending}
        approveLabel="Approve the brief"
        rejectLabel="Request a revision"
      />
    </Section>
  );
}
