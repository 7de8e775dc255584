import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { doubleCharges, exampleRun, inspect, PLATFORMS, startBie } from '../reliability/harness.js';

describe('bie resume', () => {
  it('redrives a campaign that failed at a step; it publishes with one ledger row per charged step', async () => {
    // Prepare: the publication package step fails every attempt (its retries too), after the posts
    // are published and charged: the campaign fails.
    const work = mkdtempSync(path.join(tmpdir(), 'bie-resume-'));
    const { args, data, out } = exampleRun(work);
    const failing = startBie(args, { BIE_INJECT_FAULTS: 'AssemblePublication:3' });
    const failedExit = await failing.exited;
    const failed = JSON.parse(failing.stdout()) as { campaign_id: string; status: string; failure?: unknown };
    expect(failedExit.code, failing.stderr()).toBe(1);
    expect(failed.status).toBe('failed');
    expect(failing.stderr()).toContain(`bie resume ${failed.campaign_id}`);

    // Act
    const resumed = startBie(['resume', failed.campaign_id, '--json', '--data', data, '--out', out]);
    const resumedExit = await resumed.exited;
    const state = await inspect(data);
    const again = startBie(['resume', failed.campaign_id, '--data', data]);
    const againExit = await again.exited;

    // Assess
    expect(resumedExit.code, resumed.stderr()).toBe(0);
    expect(JSON.parse(resumed.stdout())).toMatchObject({
      campaign_id: failed.campaign_id,
      status: 'published',
      run: { outcome: 'redriven' },
    });
    expect(JSON.parse(resumed.stdout()).failure).toBeUndefined();
    // Steps that had finished answer from the journal: every rendition and post is replayed, not run.
    const replayed = (state: string) =>
      resumed.stderr().match(new RegExp(`${state}\\s+replayed from the journal`, 'g'))?.length ?? 0;
    expect(replayed('FormatRendition')).toBe(1); // one step renders every platform of the variant
    expect(replayed('PublishPost')).toBe(PLATFORMS.length);
    expect(resumed.stderr()).toMatch(/Broadcaster\s+AssemblePublication\s+[\d.]+s/);
    expect(state.campaigns).toHaveLength(1);
    const [campaign] = state.campaigns;
    expect(campaign?.status).toBe('published');
    expect(campaign?.publications).toBe(1);
    for (const p of PLATFORMS) expect(state.posts[p], p).toHaveLength(1);
    expect(doubleCharges(campaign?.ledger ?? [])).toEqual([]);
    expect(campaign?.ledger.filter((e) => e.pillar === 'production' && e.unit === 'seconds')).toHaveLength(
      campaign?.scenes ?? -1,
    );
    // A published campaign is not redriven.
    expect(againExit.code).toBe(2);
    expect(again.stderr()).toContain('only a failed campaign can be redriven');
  }, 400_000);
});
