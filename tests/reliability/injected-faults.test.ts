import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BRAND,
  doubleCharges,
  inspect,
  PLATFORMS,
  startBie,
  TRANSIENT_FAULTS,
  writeRequest,
} from './harness.js';

/**
 * Provider and media faults injected into a whole campaign (BIE_INJECT_FAULTS: the next N attempts of
 * a Task state fail as a Lambda error would). Transient faults in every pillar are absorbed by the
 * retries; a persistent one ends the campaign with a reason that names the step, redrivable.
 */

function run(env: Record<string, string>) {
  const work = mkdtempSync(path.join(tmpdir(), 'bie-faults-'));
  const data = path.join(work, 'data');
  const bie = startBie(
    ['run', '--request', writeRequest(work), '--brand', BRAND, '--auto-approve', '--json', '--data', data],
    env,
  );
  return { bie, data };
}

describe('injected faults', () => {
  it(`absorbs one transient fault in each of ${TRANSIENT_FAULTS.length} steps across the pillars: published, nothing twice`, async () => {
    // Act
    const { bie, data } = run({ BIE_INJECT_FAULTS: TRANSIENT_FAULTS.join(',') });
    const exit = await bie.exited;
    const state = await inspect(data);

    // Assess
    expect(exit.code, bie.stderr()).toBe(0);
    for (const fault of TRANSIENT_FAULTS)
      expect(bie.stderr(), fault).toContain(`BIE_INJECT_FAULTS: ${fault.split(':')[0]} fails`);
    expect(state.campaigns).toHaveLength(1);
    const [campaign] = state.campaigns;
    expect(campaign?.status).toBe('published');
    for (const p of PLATFORMS) expect(state.posts[p], p).toHaveLength(1);
    expect(doubleCharges(campaign?.ledger ?? [])).toEqual([]);
  }, 400_000);

  it('ends a campaign whose step keeps failing with a reason naming the step, ready to resume', async () => {
    // Act: publishing fails every attempt (its retries included).
    const { bie } = run({ BIE_INJECT_FAULTS: 'PublishPost:20' });
    const exit = await bie.exited;
    const result = JSON.parse(bie.stdout()) as { status: string; failure?: { error: string; cause: string } };

    // Assess
    expect(exit.code).toBe(1);
    expect(result.status).toBe('failed');
    expect(`${result.failure?.error} ${result.failure?.cause}`).toMatch(/PublishPost/);
    expect(bie.stderr()).toMatch(/bie resume [0-9a-f-]{36}/);
  }, 400_000);
});
