import { preferredPostingHours } from '../../campaign-manager/domain/priors.js';
import {
  type BrandPriors,
  type Platform,
  type PublishAt,
  type PublishMode,
  publishAtFor,
  SCHEDULE_MIN_LEAD_SECONDS,
} from '../../shared/contracts/index.js';
import { audienceFromDemographic, nextPostingSlot } from './schedule.js';

/**
 * When one post goes out. Pure: the caller passes the clock, and stores the answer so a replayed step
 * (or a restart) never decides again.
 *
 * Precedence: a time the publication approval set > the request's `publish_at` (mode `scheduled`) >
 * `best_time` (the brand's winning posting hours from past A/B tests, else the audience heuristics of
 * schedule.ts) > now. A time that has passed by the approval means now: the post is already late.
 */
export type PublishTiming =
  | { kind: 'now'; rationale: string }
  | { kind: 'at'; at: string; source: 'request' | 'approval' | 'best_time'; rationale: string };

export interface TimingInput {
  platform: Platform;
  now: Date;
  mode: PublishMode;
  requested?: PublishAt;
  /** `publish_at` of the publication approval's decision. */
  approved?: PublishAt;
  demographic: string;
  priors?: BrandPriors;
}

const LEAD_MS = SCHEDULE_MIN_LEAD_SECONDS * 1000;
const HOUR = 3_600_000;

export function decidePublishTime(input: TimingInput): PublishTiming {
  const now = input.now.getTime();
  const explicit: [string | undefined, 'approval' | 'request'][] = [
    [publishAtFor(input.approved, input.platform), 'approval'],
    [input.mode === 'scheduled' ? publishAtFor(input.requested, input.platform) : undefined, 'request'],
  ];
  for (const [at, source] of explicit) {
    if (at === undefined) continue;
    if (Date.parse(at) <= now)
      return { kind: 'now', rationale: `the ${source} time ${at} has passed: published at once` };
    return {
      kind: 'at',
      at: new Date(Date.parse(at)).toISOString(),
      source,
      rationale: `set by the ${source}`,
    };
  }
  if (input.mode !== 'best_time') return { kind: 'now', rationale: 'published at the publication approval' };
  const learned = nextLearnedSlot(input.platform, now, input.priors);
  if (learned) return learned;
  const slot = nextPostingSlot({
    platform: input.platform,
    now: input.now,
    audience: audienceFromDemographic(input.demographic),
    minLeadMinutes: Math.ceil(LEAD_MS / 60_000),
  });
  return { kind: 'at', at: slot.scheduled_time, source: 'best_time', rationale: slot.rationale };
}

/** The next whole hour (UTC) among the brand's winning posting hours for the platform, within a day. */
function nextLearnedSlot(
  platform: Platform,
  now: number,
  priors: BrandPriors | undefined,
): PublishTiming | undefined {
  const hours = priors ? preferredPostingHours(priors, platform) : [];
  if (!hours.length) return undefined;
  const first = Math.ceil((now + LEAD_MS) / HOUR) * HOUR;
  for (let t = first; t < first + 24 * HOUR; t += HOUR) {
    const hour = new Date(t).getUTCHours();
    const pref = hours.find((h) => h.hour === hour);
    if (pref)
      return {
        kind: 'at',
        at: new Date(t).toISOString(),
        source: 'best_time',
        rationale: `brand priors: ${platform} posts at ${String(hour).padStart(2, '0')}:00 UTC won ${pref.wins} of ${pref.trials} A/B tests`,
      };
  }
  return undefined;
}

/** EventBridge Scheduler's one-time expression: `at(yyyy-mm-ddThh:mm:ss)`, in UTC (no zone set). */
export function atExpression(at: string): string {
  const t = Date.parse(at);
  if (!Number.isFinite(t)) throw new Error(`not a timestamp: ${at}`);
  return `at(${new Date(t).toISOString().slice(0, 19)})`;
}

/** The instant an `at(...)` expression (UTC) names. */
export function parseAtExpression(expression: string): number | undefined {
  const m = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression);
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}Z`);
  return Number.isFinite(t) ? t : undefined;
}
