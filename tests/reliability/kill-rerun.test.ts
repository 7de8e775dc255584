import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunRecords } from '../../cli/run-records.js';
import {
  BRAND,
  doubleCharges,
  exampleRun,
  inspect,
  KILL_POINTS,
  kill,
  killAndRerun,
  PLATFORMS,
  startBie,
  waitFor,
  writeRequest,
} from './harness.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'bie-kills-'));

describe('bie run killed and run again', () => {
  it('ends with one published campaign, one post per platform and one ledger row per charged step', async () => {
    // Prepare
    const work = dir();
    const { args, data } = exampleRun(work);

    // Act: the same command, killed at each point in turn (crash, Ctrl-C, closed terminal), then to the end.
    const { kills, final } = await killAndRerun(data, args, KILL_POINTS, {
      log: (l) => process.stdout.write(`${l}\n`),
      logDir: work,
    });
    const state = await inspect(data);
    const again = startBie(args);
    const againExit = await again.exited;

    // Assess
    expect(state.campaigns).toHaveLength(1);
    const [campaign] = state.campaigns;
    expect(campaign?.status).toBe('published');
    expect(campaign?.publications).toBe(1);
    for (const p of PLATFORMS) expect(state.posts[p], p).toHaveLength(1);
    expect(doubleCharges(campaign?.ledger ?? [])).toEqual([]);
    const renders = campaign?.ledger.filter((e) => e.pillar === 'production' && e.unit === 'seconds') ?? [];
    expect(renders).toHaveLength(campaign?.scenes ?? -1);
    const publishes = campaign?.ledger.filter((e) => e.pillar === 'broadcaster') ?? [];
    expect(publishes.map((e) => e.description).sort()).toEqual(PLATFORMS.map((p) => `publish to ${p}`));
    expect(final.code, final.stderr).toBe(0);
    expect(final.result).toMatchObject({ status: 'published', run: { outcome: 'resumed' } });
    // The kills happened where they were meant to (a run that ends before its point is not killed).
    expect(kills[0]).toMatchObject({ trigger: 'fired', how: 'SIGKILL (process group)' });
    expect(kills.filter((k) => k.trigger === 'fired').length).toBeGreaterThanOrEqual(4);
    expect(kills.some((k) => k.point.startsWith('production') && k.trigger === 'fired')).toBe(true);
    const sigterm = kills.find((k) => k.how === 'SIGTERM' && k.trigger === 'fired');
    if (sigterm) expect(sigterm.exit.code).toBe(143);
    // The same command once more: the finished campaign, printed, nothing started.
    expect(againExit.code, again.stderr()).toBe(0);
    expect(JSON.parse(again.stdout())).toMatchObject({
      campaign_id: campaign?.campaign_id,
      status: 'published',
      run: { outcome: 'already_finished' },
    });
  }, 600_000);

  it('starts a second campaign of the same request only with --new; a plain run resumes the first', async () => {
    // Prepare
    const work = dir();
    const data = path.join(work, 'data');
    const args = ['run', '--request', writeRequest(work), '--brand', BRAND, '--auto-approve', '--data', data];
    const records = new RunRecords(data);
    const created = (n: number) => () => records.all().filter((r) => r.campaign_id).length >= n;
    const first = startBie(args);
    expect(await waitFor(first, created(1), 120_000), first.stderr()).toBe('fired');
    kill(first, 'SIGTERM');
    await first.exited;
    const firstId = records.all()[0]?.campaign_id;

    // Act
    const fresh = startBie([...args, '--new']);
    const freshCreated = await waitFor(fresh, created(2), 120_000);
    kill(fresh, 'SIGTERM');
    await fresh.exited;
    const plain = startBie(args);
    const resumed = await waitFor(plain, () => plain.stdout().includes('resuming campaign'), 120_000);
    kill(plain, 'SIGTERM');
    await plain.exited;

    // Assess
    expect(freshCreated, fresh.stderr()).toBe('fired');
    const ids = records.all().map((r) => r.campaign_id);
    expect(new Set(ids).size).toBe(2);
    expect(records.all().filter((r) => r.fresh)).toHaveLength(1);
    expect(resumed, plain.stderr()).toBe('fired');
    expect(plain.stdout()).toContain(`resuming campaign ${firstId}`);
  }, 400_000);
});

describe('bie serve and the data directory lock', () => {
  it('stops cleanly on SIGTERM and starts again at once', async () => {
    // Prepare
    const data = path.join(dir(), 'data');
    const args = ['serve', '--port', '0', '--data', data];
    const first = startBie(args);
    expect(await waitFor(first, () => /API on/.test(first.stdout()), 90_000), first.stderr()).toBe('fired');

    // Act
    kill(first, 'SIGTERM');
    const stopped = await first.exited;
    const second = startBie(args);
    const up = await waitFor(second, () => /API on/.test(second.stdout()), 90_000);
    kill(second, 'SIGINT');
    const again = await second.exited;

    // Assess
    expect(stopped.code).toBe(0);
    expect(first.stderr()).toContain('stopping (SIGTERM)');
    expect(up, second.stderr()).toBe('fired');
    expect(again.code).toBe(0);
    expect(existsSync(path.join(data, 'runtime.json'))).toBe(false);
  }, 240_000);

  it('lets exactly one of two runs started at once use a data directory; the other is told it is busy', async () => {
    // Prepare
    const work = dir();
    const data = path.join(work, 'data');
    const args = ['run', '--request', writeRequest(work), '--brand', BRAND, '--auto-approve', '--data', data];

    // Act
    const runs = [startBie(args), startBie(args)];
    const first = await Promise.race(runs.map((r) => r.exited.then(() => r)));
    const winner = runs.find((r) => r !== first) as (typeof runs)[number];
    kill(winner, 'SIGTERM');
    const winnerExit = await winner.exited;

    // Assess
    expect((await first.exited).code, first.stderr()).toBe(3);
    expect(first.stderr()).toMatch(/already uses .*; use it, stop it, or pass another --data/);
    for (const r of runs) expect(r.output()).not.toMatch(/Database is (closed|not open)/);
    expect(winnerExit.code, winner.stderr()).toBe(143);
  }, 240_000);
});
