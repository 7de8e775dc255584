import { useCallback } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Api } from '../api/client';
import { BudgetMeter, ErrorNotice, money, Placeholder, Section } from '../components/common';
import { PillarStatus } from '../components/PillarStatus';
import { href } from '../router';
import { usePolling } from '../usePolling';
import { PerformanceSection } from './Performance';

/** One campaign: pillars, cost per pillar and per scene against the budget, approvals and posts. */
export function CampaignDetailPage({ api, id }: { api: Api; id: string }) {
  const load = useCallback(() => api.campaign(id), [api, id]);
  const { data, error } = usePolling(load, 3000);
  if (!data)
    return (
      <Section title="Campaign">
        <ErrorNotice error={error} />
        <Placeholder height={480} label="Loading the campaign" />
      </Section>
    );
  const chart = data.pillars.map((p) => ({
    pillar: p.pillar.replace('_', ' '),
    charged: p.cost_usd,
    'list price': p.list_price_usd,
  }));
  return (
    <>
      <Section title={data.campaign_name} actions={<a href={href.campaigns()}>All campaigns</a>}>
        <ErrorNotice error={error} />
        <p>
          Status <span className={`status ${data.status}`}>{data.status.replace('_', ' ')}</span>
          {data.failure ? ` — ${data.failure.error}: ${data.failure.cause}` : ''}
        </p>
        <PillarStatus pillars={data.pillars} />
        <BudgetMeter spent={data.spent_usd} budget={data.budget_usd} />
      </Section>
      <Section title="Cost per pillar">
        <div className="chart" style={{ height: 260 }}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={chart} margin={{ left: 8, right: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="pillar" />
              <YAxis tickFormatter={(v: number) => `$${v}`} />
              <Tooltip formatter={(v) => money(Number(v))} />
              <Legend />
              <Bar dataKey="charged" fill="#1f5fbf" />
              <Bar dataKey="list price" fill="#8a6d00" />
            </BarChart>
          </ResponsiveContainer>
        </div>
        <table>
          <caption className="visually-hidden">Cost per pillar</caption>
          <thead>
            <tr>
              <th scope="col">Pillar</th>
              <th scope="col">Charged</th>
              <th scope="col">List price</th>
            </tr>
          </thead>
          <tbody>
            {data.pillars.map((p) => (
              <tr key={p.pillar}>
                <th scope="row">{p.pillar.replace('_', ' ')}</th>
                <td>{money(p.cost_usd)}</td>
                <td>{money(p.list_price_usd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Cost per scene">
        {data.scene_costs.length === 0 ? (
          <p>No scene rendered yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Variant</th>
                <th scope="col">Scene</th>
                <th scope="col">Models</th>
                <th scope="col">Attempts</th>
                <th scope="col">Charged</th>
              </tr>
            </thead>
            <tbody>
              {data.scene_costs.map((s) => (
                <tr key={`${s.variant_id}${s.scene_id}`}>
                  <td>{s.variant_id.slice(0, 8)}</td>
                  <td>{s.sequence}</td>
                  <td>{s.models.join(', ')}</td>
                  <td>{s.attempts}</td>
                  <td>{money(s.amount_usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Approvals">
        <ul>
          {data.approvals.map((a) => (
            <li key={a.approval_id}>
              {a.status === 'pending' ? (
                <a href={href.approval(a.approval_id)}>Review the {a.checkpoint.replace('_', ' ')}</a>
              ) : (
                <span>
                  {a.checkpoint.replace('_', ' ')}: {a.status}
                  {a.decided_by ? ` by ${a.decided_by}` : ''}
                  {a.feedback ? ` — “${a.feedback}”` : ''}
                </span>
              )}
            </li>
          ))}
        </ul>
      </Section>
      {data.publications.length ? <PerformanceSection api={api} id={id} /> : null}
      {data.publications.length ? (
        <Section title="Posts">
          <ul>
            {data.publications.flatMap((p) =>
              p.platform_posts.map((post) => (
                <li key={`${p.publication_id}${post.platform}`}>
                  {post.platform}: {post.publication_status}
                  {post.published_at ? ` at ${new Date(post.published_at).toLocaleString()}` : ''} —{' '}
                  {post.post_id}
                </li>
              )),
            )}
          </ul>
        </Section>
      ) : null}
    </>
  );
}
