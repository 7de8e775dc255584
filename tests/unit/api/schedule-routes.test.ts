import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApi } from './harness.js';

/**
 * The routes of issue 8 refuse bad input with a field-level problem and store nothing: the schedule
 * routes, the performance and A/B report of an unknown campaign, and decision times where they do not
 * belong.
 */
let api: ApiHarness;

beforeAll(async () => {
  api = await startApi('schedule-routes');
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

const CAMPAIGN = '0b7c3a4e-5d6f-4a1b-9c2d-3e4f5a6b7c8d';
const POST = 'tiktok_s0123456789abcdef';

async function refused(status: number, method: string, route: string, body?: unknown) {
  const before = await api.snapshot();
  const res = await fetch(`${api.url}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await res.json()) as { errors?: { pointer: string }[]; detail?: string };
  expect(res.status, `${method} ${route}: ${JSON.stringify(answer)}`).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(await api.snapshot()).toEqual(before);
  return [...new Set((answer.errors ?? []).map((e) => e.pointer))];
}

const future = () => new Date(Date.now() + 3_600_000).toISOString();

describe('schedule routes', () => {
  it('refuse a campaign id or post id that names nothing', async () => {
    expect(await refused(400, 'DELETE', `/campaigns/nope/posts/${POST}/schedule`)).toEqual(['path.id']);
    expect(await refused(400, 'DELETE', `/campaigns/${CAMPAIGN}/posts/..%2Fx/schedule`)).toEqual([
      'path.post_id',
    ]);
  });

  it('refuse a time in the past, beyond the horizon, or an unknown field, by field', async () => {
    const route = `/campaigns/${CAMPAIGN}/posts/${POST}/schedule`;
    expect(await refused(400, 'PATCH', route, { publish_at: '2020-01-01T00:00:00Z' })).toEqual([
      'publish_at',
    ]);
    const far = new Date(Date.now() + 90 * 86_400_000).toISOString();
    expect(await refused(400, 'PATCH', route, { publish_at: far })).toEqual(['publish_at']);
    expect(await refused(400, 'PATCH', route, { publish_at: future(), extra: 1 })).toEqual(['']);
    expect(await refused(400, 'PATCH', route, {})).toEqual(['publish_at']);
  });

  it('answer 404 for a post that was never scheduled', async () => {
    await refused(404, 'DELETE', `/campaigns/${CAMPAIGN}/posts/${POST}/schedule`);
    await refused(404, 'PATCH', `/campaigns/${CAMPAIGN}/posts/${POST}/schedule`, { publish_at: future() });
  });
});

describe('performance and A/B report', () => {
  it('answer 404 for an unknown campaign and 400 for a malformed id', async () => {
    await refused(404, 'GET', `/campaigns/${CAMPAIGN}/performance`);
    await refused(404, 'GET', `/campaigns/${CAMPAIGN}/ab-report`);
    expect(await refused(400, 'GET', '/campaigns/x/ab-report')).toEqual(['path.id']);
  });
});

describe('publication times in an approval decision', () => {
  const route = `/operator/approvals/${CAMPAIGN}/decision`;

  it('are refused on a rejection and for an unknown platform', async () => {
    expect(
      await refused(400, 'POST', route, { decision: 'reject', feedback: 'no', publish_at: future() }),
    ).toEqual(['publish_at']);
    expect(
      await refused(400, 'POST', route, { decision: 'approve', publish_at: { mars: future() } }),
    ).toEqual(['publish_at']);
  });

  it('need an approval that exists', async () => {
    await refused(404, 'POST', route, { decision: 'approve', publish_at: future() });
  });

  it('are refused in the past, and on any approval but the publication’s', async () => {
    const { approvals } = await import('../../../lambdas/shared/data/repositories.js');
    const approval = (id: string, checkpoint: 'publication' | 'brief') => ({
      approval_id: id,
      campaign_id: CAMPAIGN,
      checkpoint,
      subject_id: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
      summary: 'test',
      task_token: 'token',
      status: 'pending' as const,
      expires_at: future(),
      created_at: new Date().toISOString(),
    });
    const pub = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    const brief = '2a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    await approvals.create(approval(pub, 'publication'));
    await approvals.create(approval(brief, 'brief'));
    const past = new Date(Date.now() - 60_000).toISOString();
    expect(
      await refused(400, 'POST', `/operator/approvals/${pub}/decision`, {
        decision: 'approve',
        publish_at: { tiktok: past },
      }),
    ).toEqual(['publish_at.tiktok']);
    expect(
      await refused(400, 'POST', `/operator/approvals/${brief}/decision`, {
        decision: 'approve',
        publish_at: future(),
      }),
    ).toEqual(['publish_at']);
  });
});
