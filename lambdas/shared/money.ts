/**
 * Money is stored, compared and summed as integer micro-dollars (1 USD = 1,000,000 µ$): exact to the
 * millionth of a dollar, so ten thousand $0.000001 charges add up to exactly $0.01 and a budget check
 * never drifts by a rounding error. Dollars (numbers) appear only at the edges: requests, API views,
 * events and the price table, converted here.
 */

export const MICROS_PER_USD = 1_000_000;

/** Dollars → micro-dollars, rounded to the nearest micro-dollar (0.07 → 70000, not 70000.00000000001). */
export function toMicros(usd: number): number {
  if (!Number.isFinite(usd)) throw new RangeError(`not an amount of money: ${usd}`);
  const micros = Math.round(usd * MICROS_PER_USD);
  if (!Number.isSafeInteger(micros)) throw new RangeError(`amount out of range: ${usd}`);
  return micros;
}

/** Micro-dollars → dollars (exact for every amount below $9 billion). */
export const toUsd = (micros: number): number => micros / MICROS_PER_USD;

/** `$5.00`, `$4.93`, `$0.0125`, `$0.000001`: two decimals, more only when the cents do not say it all. */
export function formatUsd(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICROS_PER_USD);
  const fraction = String(abs % MICROS_PER_USD)
    .padStart(6, '0')
    .replace(/0+$/, '')
    .padEnd(2, '0');
  return `${sign}$${whole.toLocaleString('en-US')}.${fraction}`;
}

/** Parses what formatUsd wrote (`$1,234.5678`) back to micro-dollars, exactly (no floating point). */
export function parseUsd(text: string): number | undefined {
  const m = /^(-?)\$([\d,]+)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) return undefined;
  const whole = Number((m[2] as string).replaceAll(',', ''));
  const fraction = Number((m[3] ?? '').padEnd(6, '0'));
  const micros = whole * MICROS_PER_USD + fraction;
  return m[1] ? -micros : micros;
}

/** What a budget refusal says, and what the budget checkpoint reads back from it. */
export interface BudgetRefusal {
  limitMicros: number;
  spentMicros: number;
  needMicros: number;
  /** `Production/SubmitRender (scene 3)`: the pillar, the step and what it was about to pay for. */
  step: string;
}

/** "budget of $5.00 exceeded at Production/SubmitRender (scene 3): $4.93 spent, this step needs $0.50" */
export const describeBudgetRefusal = (r: BudgetRefusal): string =>
  `budget of ${formatUsd(r.limitMicros)} exceeded at ${r.step}: ${formatUsd(r.spentMicros)} spent, this step needs ${formatUsd(r.needMicros)}`;

const REFUSAL = /budget of (\$[\d,.]+) exceeded at (.+): (\$[\d,.]+) spent, this step needs (\$[\d,.]+)/;

/** Reads a refusal back from an error message (or a Step Functions Cause that contains it). */
export function parseBudgetRefusal(text: string): BudgetRefusal | undefined {
  const m = REFUSAL.exec(text);
  if (!m) return undefined;
  const [limit, spent, need] = [m[1], m[3], m[4]].map((s) => parseUsd(s as string));
  if (limit === undefined || spent === undefined || need === undefined) return undefined;
  return { limitMicros: limit, spentMicros: spent, needMicros: need, step: m[2] as string };
}
