import { describe, expect, it } from 'vitest';
import {
  type Audience,
  audienceFromDemographic,
  nextPostingSlot,
  planPublicationTime,
  planPublicationTimes,
} from '../../../lambdas/broadcaster/domain/schedule.js';
import type { Platform } from '../../../lambdas/shared/contracts/index.js';

const PLATFORMS: Platform[] = ['tiktok', 'instagram', 'youtube', 'linkedin'];
const AUDIENCES: Audience[] = ['general', 'gen_z', 'professionals', 'parents'];
// 2026-11-24 is a Tuesday.
const TUESDAY_0617 = new Date('2026-11-24T06:17:00Z');

describe('posting schedule', () => {
  it('always returns a slot in the future, at least the lead time ahead, within a week', () => {
    // Prepare: every platform and audience, from every quarter hour of a whole week, in three time zones.
    const start = Date.parse('2026-11-23T00:00:00Z');
    for (const platform of PLATFORMS) {
      for (const audience of AUDIENCES) {
        for (const utcOffsetMinutes of [-300, 0, 540]) {
          for (let t = start; t < start + 7 * 86_400_000; t += 15 * 60_000) {
            // Act
            const slot = nextPostingSlot({ platform, audience, utcOffsetMinutes, now: new Date(t) });

            // Assess
            const at = Date.parse(slot.scheduled_time);
            expect(at).toBeGreaterThanOrEqual(t + 15 * 60_000);
            expect(at - t).toBeLessThanOrEqual(4 * 86_400_000);
            expect(slot.scheduled_time.endsWith('Z')).toBe(true);
          }
        }
      }
    }
  });

  it('is deterministic for the same inputs', () => {
    const a = nextPostingSlot({ platform: 'instagram', now: TUESDAY_0617, audience: 'gen_z' });
    const b = nextPostingSlot({ platform: 'instagram', now: new Date(TUESDAY_0617), audience: 'gen_z' });
    expect(a).toEqual(b);
  });

  it('picks the next heuristic slot in UTC for known times', () => {
    // Tuesday 06:17 UTC, audience on UTC: TikTok's lunch slot the same day.
    expect(nextPostingSlot({ platform: 'tiktok', now: TUESDAY_0617 }).scheduled_time).toBe(
      '2026-11-24T12:00:00.000Z',
    );
    // Same instant, audience in New York (UTC-05:00): 12:00 local is 17:00 UTC.
    const ny = nextPostingSlot({ platform: 'tiktok', now: TUESDAY_0617, utcOffsetMinutes: -300 });
    expect(ny.scheduled_time).toBe('2026-11-24T17:00:00.000Z');
    expect(ny.local).toEqual({ day: 'Tue', time: '12:00', utc_offset_minutes: -300 });
    // Tokyo (UTC+09:00) late Tuesday UTC is Wednesday morning local: Wednesday 12:00 local = 03:00 UTC.
    expect(
      nextPostingSlot({ platform: 'tiktok', now: new Date('2026-11-24T23:30:00Z'), utcOffsetMinutes: 540 })
        .scheduled_time,
    ).toBe('2026-11-25T03:00:00.000Z');
    // YouTube publishes mid-afternoon on weekdays.
    expect(nextPostingSlot({ platform: 'youtube', now: TUESDAY_0617 }).scheduled_time).toBe(
      '2026-11-24T15:00:00.000Z',
    );
  });

  it('skips weekends on LinkedIn', () => {
    // Saturday 28 November 10:00 UTC → Monday 30 November 10:00.
    const slot = nextPostingSlot({ platform: 'linkedin', now: new Date('2026-11-28T10:00:00Z') });
    expect(slot.scheduled_time).toBe('2026-11-30T10:00:00.000Z');
    expect(slot.local.day).toBe('Mon');
  });

  it('respects the lead time before a slot', () => {
    // 11:50 is only 10 minutes before the 12:00 slot; with a 15-minute lead the 19:00 slot is next.
    const slot = nextPostingSlot({ platform: 'tiktok', now: new Date('2026-11-24T11:50:00Z') });
    expect(slot.scheduled_time).toBe('2026-11-24T19:00:00.000Z');
    const noLead = nextPostingSlot({
      platform: 'tiktok',
      now: new Date('2026-11-24T11:50:00Z'),
      minLeadMinutes: 0,
    });
    expect(noLead.scheduled_time).toBe('2026-11-24T12:00:00.000Z');
  });

  it('never returns the current instant as the next slot', () => {
    const slot = nextPostingSlot({
      platform: 'tiktok',
      now: new Date('2026-11-24T12:00:00Z'),
      minLeadMinutes: 0,
    });
    expect(slot.scheduled_time).toBe('2026-11-24T19:00:00.000Z');
  });

  it('returns no scheduled_time when the campaign publishes now, and a slot when it schedules', () => {
    expect(planPublicationTime({ platform: 'tiktok', now: TUESDAY_0617, mode: 'now' })).toEqual({
      mode: 'now',
    });
    const scheduled = planPublicationTime({ platform: 'tiktok', now: TUESDAY_0617, mode: 'optimal' });
    expect(scheduled.mode).toBe('optimal');
    expect(scheduled.scheduled_time).toBe('2026-11-24T12:00:00.000Z');
    const all = planPublicationTimes(PLATFORMS, { now: TUESDAY_0617, mode: 'optimal' });
    expect(Object.keys(all).sort()).toEqual([...PLATFORMS].sort());
  });

  it('refuses an impossible UTC offset', () => {
    expect(() => nextPostingSlot({ platform: 'tiktok', now: TUESDAY_0617, utcOffsetMinutes: 900 })).toThrow(
      /utcOffsetMinutes/,
    );
  });

  it('derives a coarse audience from the campaign demographic', () => {
    expect(audienceFromDemographic('Gen Z students who love iced coffee')).toBe('gen_z');
    expect(audienceFromDemographic('Coffee lovers 18-24')).toBe('gen_z');
    expect(audienceFromDemographic('Busy parents aged 30-45')).toBe('parents');
    expect(audienceFromDemographic('B2B marketing managers')).toBe('professionals');
    expect(audienceFromDemographic('Urban coffee drinkers 25-40')).toBe('general');
  });
});
