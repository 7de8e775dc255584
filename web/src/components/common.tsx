import type { ReactNode } from 'react';
import { ApiProblem } from '../api/client';

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });
export const money = (n: number) => usd.format(n);

/** What the API refused, with every field it named, announced to screen readers. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const p = error instanceof ApiProblem ? error : undefined;
  return (
    <div role="alert" className="notice error">
      <strong>{p ? p.title : 'Something went wrong'}</strong>
      <p>{p ? p.detail : String((error as Error).message ?? error)}</p>
      {p?.errors.length ? (
        <ul>
          {p.errors.map((e) => (
            <li key={`${e.pointer}${e.detail}`}>
              {e.pointer ? <code>{e.pointer}</code> : null} {e.detail}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** Reserves the space of what is loading, so nothing jumps when it arrives. */
export function Placeholder({ height, label }: { height: number; label: string }) {
  return (
    <div
      className="placeholder"
      style={{ minHeight: height }}
      role="status"
      aria-busy="true"
      aria-label={label}
    >
      <span className="visually-hidden">{label}</span>
    </div>
  );
}

export function Section({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="card" aria-label={title}>
      <header className="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function Score({ label, value, gate }: { label: string; value: number; gate?: number }) {
  const passed = gate === undefined || value >= gate;
  return (
    <span className={`score ${passed ? 'ok' : 'low'}`}>
      {label} <strong>{value.toFixed(2)}</strong>
      {gate !== undefined ? (
        <span className="gate">
          {' '}
          (gate {gate.toFixed(2)}
          {passed ? ', passed' : ', below'})
        </span>
      ) : null}
    </span>
  );
}

/** Spend against a budget as a labelled meter (colour is never the only signal: the text says it). */
export function BudgetMeter({ spent, budget }: { spent: number; budget: number }) {
  const pct = budget > 0 ? Math.min(100, (spent / budget) * 100) : 0;
  return (
    <div className="budget">
      <meter
        min={0}
        max={budget || 1}
        value={spent}
        low={budget * 0.75}
        high={budget * 0.9}
        optimum={0}
        aria-label="spent of budget"
      />
      <span>
        {money(spent)} of {money(budget)} ({pct.toFixed(0)} %)
      </span>
    </div>
  );
}
