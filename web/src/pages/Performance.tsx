import { useCallback } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AbReport, Api, PerformanceReport } from '../api/client';
import { ErrorNotice, Placeholder, Section } from '../components/common';
import { usePolling } from '../usePolling';

const COLOURS = ['#1f5fbf', '#8a6d00', '#1e6b3a', '#9b001c', '#5b2a86', '#00606b'];
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

const DECISION_TEXT: Record<AbReport['decision'], string> = {
  winner: 'a winner at significance',
  not_significant: 'no significant difference yet',
  insufficient_sample: 'not enough views yet for a verdict',
  insufficient_variants: 'one variant: nothing to compare',
};

/** Views of every post over time, one line per post (collected hourly for 48 h, then daily). */
export function viewsSeries(report: PerformanceReport) {
  const times = [...new Set(report.posts.flatMap((p) => p.series.map((s) => s.collected_at)))].sort();
  return times.map((t) => ({
    time: new Date(t).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit' }),
    ...Object.fromEntries(
      report.posts.map((p) => [
        `${p.platform} ${p.post_id.slice(-6)}`,
        p.series.find((s) => s.collected_at === t)?.views,
      ]),
    ),
  }));
}

export function PerformanceSection({ api, id }: { api: Api; id: string }) {
  const load = useCallback(
    async () => ({ perf: await api.performance(id), ab: await api.abReport(id) }),
    [api, id],
  );
  const { data, error } = usePolling(load, 60_000);
  if (!data)
    return (
      <Section title="Performance">
        <ErrorNotice error={error} />
        <Placeholder height={320} label="Loading performance" />
      </Section>
    );
  const { perf, ab } = data;
  const series = viewsSeries(perf);
  const lines = perf.posts.map((p) => `${p.platform} ${p.post_id.slice(-6)}`);
  return (
    <Section title="Performance">
      <ErrorNotice error={error} />
      {perf.posts.length === 0 ? (
        <p>Nothing published yet.</p>
      ) : (
        <>
          <p>
            {perf.totals.views} views, {perf.totals.likes} likes, {perf.totals.comments} comments,{' '}
            {perf.totals.shares} shares — engagement rate {pct(perf.totals.engagement_rate)}
          </p>
          <div className="chart" style={{ height: 280 }}>
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={series} margin={{ left: 8, right: 8 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="time" />
                <YAxis />
                <Tooltip />
                <Legend />
                {lines.map((l, i) => (
                  <Line
                    key={l}
                    type="monotone"
                    dataKey={l}
                    stroke={COLOURS[i % COLOURS.length]}
                    dot={false}
                    connectNulls
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
        </>
      )}
      <h3>A/B report</h3>
      <p>
        Verdict: <strong>{DECISION_TEXT[ab.decision]}</strong> (α = {ab.alpha}, at least {ab.min_views} views
        per variant)
        {ab.comparison
          ? ` — p = ${ab.comparison.p_value.toFixed(4)}, lift ${pct(ab.comparison.absolute_lift)}`
          : ''}
      </p>
      <table>
        <caption className="visually-hidden">Engagement rate per variant with 95 % Wilson intervals</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">Views</th>
            <th scope="col">Engagement rate</th>
            <th scope="col">95 % interval (Wilson)</th>
          </tr>
        </thead>
        <tbody>
          {ab.variants.map((v) => (
            <tr key={v.variant_id}>
              <th scope="row">
                {v.variant_type ?? v.variant_id.slice(0, 8)}
                {ab.winner === v.variant_id ? ' (winner)' : ''}
              </th>
              <td>{v.views}</td>
              <td>{pct(v.engagement_rate)}</td>
              <td>
                {pct(v.ci95.low)} – {pct(v.ci95.high)}
                {v.meets_min_sample ? '' : ' (too few views)'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
