import { describe, expect, it } from 'vitest';
import {
  atExpression,
  decidePublishTime,
  parseAtExpression,
} from '../../../lambdas/broadcaster/domain/publish-timing.js';
import { emptyPriors, updatePriors } from '../../../lambdas/campaign-manager/domain/priors.js';
import { CampaignRequest, publishTimeProblem } from '../../../lambdas/shared/contracts/index.js';

const NOW = new Date('2026-03-04T10:00:00.000Z'); // a Wednesday
const base = { platform: 'tiktok' as const, now: NOW, demographic: 'adults' };
const BRAND = '11111111-1111-4111-8111-111111111111';

describe('when a post goes out', () => {
  it('goes out at the approval in immediate mode', () => {
    expect(decidePublishTime({ ...base, mode: 'immediate' })).toMatchObject({ kind: 'now' });
  });

  it('goes out at the requested time in scheduled mode, one time or per platform', () => {
    expect(decidePublishTime({ ...base, mode: 'scheduled', requested: '2026-03-05T09:30:00Z' })).toEqual({
      kind: 'at',
      at: '2026-03-05T09:30:00.000Z',
      source: 'request',
      rationale: 'set by the request',
    });
    const perPlatform = { youtube: '2026-03-06T15:00:00Z' };
    expect(decidePublishTime({ ...base, mode: 'scheduled', requested: perPlatform })).toMatchObject({
      kind: 'now',
    });
    expect(
      decidePublishTime({ ...base, platform: 'youtube', mode: 'scheduled', requested: perPlatform }),
    ).toMatchObject({ kind: 'at', at: '2026-03-06T15:00:00.000Z' });
  });

  it('lets the publication approval set or change the time, over the request and best_time', () => {
    const approved = { tiktok: '2026-03-07T12:00:00+01:00' };
    for (const mode of ['immediate', 'scheduled', 'best_time'] as const)
      expect(decidePublishTime({ ...base, mode, requested: '2026-03-05T09:30:00Z', approved })).toMatchObject(
        { kind: 'at', at: '2026-03-07T11:00:00.000Z', source: 'approval' },
      );
  });

  it('publishes at once when the requested time passed before the approval', () => {
    const t = decidePublishTime({ ...base, mode: 'scheduled', requested: '2026-03-04T09:00:00Z' });
    expect(t.kind).toBe('now');
    expect(t.rationale).toContain('has passed');
  });

  it('uses the audience heuristics of schedule.ts for best_time without priors', () => {
    const t = decidePublishTime({ ...base, mode: 'best_time', demographic: 'Gen Z students' });
    // TikTok gen_z weekdays: 16:00 and 21:00 (UTC, no offset known).
    expect(t).toMatchObject({ kind: 'at', at: '2026-03-04T16:00:00.000Z', source: 'best_time' });
  });

  it('uses the brand’s winning posting hour for best_time once a test has been decided', () => {
    const priors = updatePriors(
      emptyPriors(BRAND, NOW.toISOString()),
      BRAND,
      {
        campaign_id: '22222222-2222-4222-8222-222222222222',
        winner_variant_id: '33333333-3333-4333-8333-333333333333',
        decided_at: NOW.toISOString(),
        p_value: 0.001,
        winner: { posting_hours: { tiktok: 7 } },
        losers: [{ posting_hours: { tiktok: 19 } }],
      },
      NOW.toISOString(),
    );
    const t = decidePublishTime({ ...base, mode: 'best_time', priors });
    expect(t).toMatchObject({ kind: 'at', at: '2026-03-05T07:00:00.000Z', source: 'best_time' });
    expect(t.rationale).toContain('brand priors');
    // Another platform has no evidence: the heuristics still decide.
    expect(
      decidePublishTime({ ...base, platform: 'linkedin', mode: 'best_time', priors }).rationale,
    ).toContain('heuristic');
  });
});

describe('EventBridge Scheduler expressions', () => {
  it('writes one-time schedules as at(yyyy-mm-ddThh:mm:ss) in UTC and reads them back', () => {
    expect(atExpression('2026-03-05T10:30:15+02:00')).toBe('at(2026-03-05T08:30:15)');
    expect(parseAtExpression('at(2026-03-05T08:30:15)')).toBe(Date.parse('2026-03-05T08:30:15Z'));
    expect(parseAtExpression('rate(1 hour)')).toBeUndefined();
    expect(() => atExpression('tomorrow')).toThrow();
  });
});

describe('a scheduled campaign request', () => {
  const request = {
    product_category: 'cold brew',
    target_demographic: 'urban professionals',
    campaign_objective: 'awareness',
    budget_tier: 'standard',
    brand_id: BRAND,
  };
  const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

  it('accepts one future time or a time per platform', () => {
    expect(
      CampaignRequest.safeParse({ ...request, publish_mode: 'scheduled', publish_at: inHours(2) }).success,
    ).toBe(true);
    expect(
      CampaignRequest.safeParse({
        ...request,
        publish_mode: 'scheduled',
        publish_at: { tiktok: inHours(2), youtube: inHours(30) },
      }).success,
    ).toBe(true);
    expect(CampaignRequest.safeParse({ ...request, publish_mode: 'best_time' }).success).toBe(true);
  });

  it('refuses a past time, a time beyond the horizon, a missing time and a time without scheduled mode, by field', () => {
    const paths = (body: unknown) => {
      const r = CampaignRequest.safeParse(body);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(paths({ ...request, publish_mode: 'scheduled', publish_at: inHours(-1) })).toEqual([
      'publish_at: must be at least 60 s in the future',
    ]);
    expect(
      paths({ ...request, publish_mode: 'scheduled', publish_at: { youtube: inHours(24 * 61) } }),
    ).toEqual(['publish_at.youtube: must be within 60 days from now']);
    expect(paths({ ...request, publish_mode: 'scheduled' })).toEqual([
      'publish_at: publish_mode scheduled needs publish_at',
    ]);
    expect(paths({ ...request, publish_at: inHours(2) })).toEqual([
      'publish_at: publish_at is only for publish_mode scheduled',
    ]);
    expect(paths({ ...request, publish_mode: 'scheduled', publish_at: { mars: inHours(2) } })).not.toEqual(
      [],
    );
  });

  it('checks a time against the clock of the request', () => {
    const now = Date.parse('2026-03-04T10:00:00Z');
    expect(publishTimeProblem('2026-03-04T10:00:30Z', now)).toContain('60 s');
    expect(publishTimeProblem('2026-03-04T10:01:00Z', now)).toBeUndefined();
    expect(publishTimeProblem('not a time', now)).toBe('is not a timestamp');
  });
});
