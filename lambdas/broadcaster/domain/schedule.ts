import type { Platform } from '../../shared/contracts/index.js';

/**
 * When to post. A documented heuristic, not a measurement: the platforms publish no official "best time",
 * so these slots follow the patterns the industry's annual best-time studies keep finding (lunch and
 * early-evening peaks on consumer apps, office hours mid-week on LinkedIn, YouTube published a few hours
 * before the evening viewing peak so it is processed and indexed when people arrive). Once a campaign has
 * engagement data of its own, that should replace this table.
 *
 * Times are the audience's LOCAL clock; the result is always UTC. The audience's UTC offset is a fixed
 * number of minutes (pass the offset in force on the posting day; no time-zone database here, so the
 * functions stay pure and deterministic).
 */

export type Audience = 'general' | 'gen_z' | 'professionals' | 'parents';
export type PublishMode = 'now' | 'optimal';

type Day = 0 | 1 | 2 | 3 | 4 | 5 | 6;
/** Local clock times ("HH:MM") per day of the week, 0 = Sunday … 6 = Saturday. */
export type WeekPlan = Readonly<Record<Day, readonly string[]>>;

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** Weekdays (Mon–Fri) share one list, weekends another; `days` overrides single days. */
function week(weekday: string[], weekend: string[], days: Partial<Record<Day, string[]>> = {}): WeekPlan {
  const plan: Record<Day, readonly string[]> = {
    0: weekend,
    1: weekday,
    2: weekday,
    3: weekday,
    4: weekday,
    5: weekday,
    6: weekend,
  };
  for (const [d, times] of Object.entries(days)) plan[Number(d) as Day] = times ?? [];
  return plan;
}

/**
 * The slots (audience-local time). Per platform:
 * - TikTok: lunch (12:00) and evening (19:00) scroll peaks; Gen Z later (after school/work, 16:00 and
 *   21:00); professionals commute and lunch; parents nap-time and after bedtime.
 * - Instagram: late morning / lunch (11:00, 13:00) and evening (19:00); weekends mid-morning.
 * - YouTube: mid-afternoon on weekdays (15:00), so the video is processed before the 17:00–21:00 peak;
 *   weekend mornings.
 * - LinkedIn: working hours Tuesday–Thursday (08:00, 10:00, 12:00), one slot Monday/Friday, no weekends.
 */
export const POSTING_HEURISTICS: Readonly<Record<Platform, Readonly<Record<Audience, WeekPlan>>>> = {
  tiktok: {
    general: week(['12:00', '19:00'], ['11:00', '20:00']),
    gen_z: week(['16:00', '21:00'], ['13:00', '21:00']),
    professionals: week(['07:30', '12:30', '18:30'], ['10:00']),
    parents: week(['13:00', '20:30'], ['09:00']),
  },
  instagram: {
    general: week(['11:00', '13:00', '19:00'], ['10:00']),
    gen_z: week(['15:00', '20:00'], ['12:00', '20:00']),
    professionals: week(['08:00', '12:00', '18:00'], ['10:00']),
    parents: week(['09:30', '20:30'], ['09:00']),
  },
  youtube: {
    general: week(['15:00'], ['10:00']),
    gen_z: week(['16:00'], ['12:00']),
    professionals: week(['17:00'], ['09:00']),
    parents: week(['14:00'], ['09:00']),
  },
  linkedin: {
    general: week(['08:00', '10:00', '12:00'], [], { 1: ['10:00'], 5: ['09:00'] }),
    gen_z: week(['12:00', '17:00'], [], { 1: ['12:00'], 5: ['12:00'] }),
    professionals: week(['07:30', '12:00', '17:30'], [], { 1: ['09:00'], 5: ['09:00'] }),
    parents: week(['10:00', '13:00'], [], { 1: ['10:00'], 5: ['10:00'] }),
  },
};

/** A coarse audience from the campaign's free-text demographic (first match wins). */
export function audienceFromDemographic(demographic: string): Audience {
  const t = demographic.toLowerCase();
  if (/\b(?:gen(?:eration)?[\s-]?z|teens?|teenagers?|students?|college|university|zoomers?)\b/.test(t)) {
    return 'gen_z';
  }
  const ages = /\b(\d{2})\s*(?:-|–|to)\s*(\d{2})\b/.exec(t);
  if (ages && Number(ages[2]) <= 27) return 'gen_z';
  if (/\b(?:parents?|moms?|mums?|mothers?|dads?|fathers?|famil(?:y|ies))\b/.test(t)) return 'parents';
  if (
    /\b(?:b2b|professionals?|executives?|managers?|founders?|decision[\s-]makers?|marketers?|engineers?|office|workers?|enterprise|smb|it\s+leaders?)\b/.test(
      t,
    )
  ) {
    return 'professionals';
  }
  return 'general';
}

export interface PostingSlotRequest {
  platform: Platform;
  now: Date;
  audience?: Audience;
  /** The audience's offset from UTC in minutes (e.g. -300 for New York in winter, 60 for Paris). */
  utcOffsetMinutes?: number;
  /** Platforms refuse schedule times too close to now; the slot is at least this far ahead (default 15). */
  minLeadMinutes?: number;
}

export interface PostingSlot {
  scheduled_time: string;
  platform: Platform;
  audience: Audience;
  local: { day: (typeof DAY_NAMES)[number]; time: string; utc_offset_minutes: number };
  rationale: string;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const SEARCH_DAYS = 14;

function parseClock(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new Error(`invalid clock time "${hhmm}"`);
  return (Number(m[1]) * 60 + Number(m[2])) * MINUTE;
}

const formatOffset = (minutes: number) => {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

/** The first heuristic slot strictly after `now` and at least the lead time ahead, as a UTC timestamp. */
export function nextPostingSlot(req: PostingSlotRequest): PostingSlot {
  const audience = req.audience ?? 'general';
  const offset = req.utcOffsetMinutes ?? 0;
  const lead = req.minLeadMinutes ?? 15;
  const now = req.now.getTime();
  if (!Number.isFinite(now)) throw new Error('now must be a valid date');
  if (!Number.isInteger(offset) || offset < -720 || offset > 840) {
    throw new Error(`utcOffsetMinutes must be an integer in [-720, 840], got ${offset}`);
  }
  if (!(lead >= 0)) throw new Error(`minLeadMinutes must be >= 0, got ${lead}`);
  const plan = POSTING_HEURISTICS[req.platform][audience];
  const earliest = now + lead * MINUTE;
  // Midnight of the audience's local day, on the shifted axis (local wall clock read as UTC).
  const localMidnight = Math.floor((now + offset * MINUTE) / DAY) * DAY;
  for (let d = 0; d <= SEARCH_DAYS; d++) {
    const localDay = localMidnight + d * DAY;
    const weekday = new Date(localDay).getUTCDay() as Day;
    for (const time of [...plan[weekday]].sort()) {
      const at = localDay + parseClock(time) - offset * MINUTE;
      if (at > now && at >= earliest) {
        return {
          scheduled_time: new Date(at).toISOString(),
          platform: req.platform,
          audience,
          local: { day: DAY_NAMES[weekday], time, utc_offset_minutes: offset },
          rationale: `${req.platform} ${audience} heuristic: ${DAY_NAMES[weekday]} ${time} local (UTC${formatOffset(offset)})`,
        };
      }
    }
  }
  throw new Error(`no ${req.platform} posting slot within ${SEARCH_DAYS} days`);
}

export type PublicationTiming =
  | { mode: 'now'; scheduled_time?: undefined }
  | ({ mode: 'optimal' } & PostingSlot);

/**
 * Publish now (no `scheduled_time`), or at the next optimal slot when the campaign asks to schedule.
 * `scheduled_time` goes straight into `PublishRequest.scheduled_time`.
 */
export function planPublicationTime(req: PostingSlotRequest & { mode: PublishMode }): PublicationTiming {
  if (req.mode === 'now') return { mode: 'now' };
  return { mode: 'optimal', ...nextPostingSlot(req) };
}

/** One timing per platform, all from the same `now` (deterministic for a replayed step). */
export function planPublicationTimes(
  platforms: readonly Platform[],
  req: Omit<PostingSlotRequest, 'platform'> & { mode: PublishMode },
): Partial<Record<Platform, PublicationTiming>> {
  const out: Partial<Record<Platform, PublicationTiming>> = {};
  for (const platform of platforms) out[platform] = planPublicationTime({ ...req, platform });
  return out;
}
