/**
 * Runs the example campaign with one transient fault injected into each of several steps across the
 * pillars (BIE_INJECT_FAULTS), then with a step that keeps failing, and prints what a user ends with.
 *
 * Run: npm run bench:reliability-faults   (BIE_BENCH_ROUNDS, default 2). Prints figures; asserts nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BRAND,
  doubleCharges,
  inspect,
  PLATFORMS,
  startBie,
  TRANSIENT_FAULTS,
  writeRequest,
} from '../tests/reliability/harness.js';

const rounds = Number(process.env.BIE_BENCH_ROUNDS ?? 2);

async function campaignWith(faults: string) {
  const work = mkdtempSync(path.join(tmpdir(), 'bie-bench-faults-'));
  const data = path.join(work, 'data');
  const started = Date.now();
  const bie = startBie(
    ['run', '--request', writeRequest(work), '--brand', BRAND, '--auto-approve', '--json', '--data', data],
    { BIE_INJECT_FAULTS: faults },
  );
  const exit = await bie.exited;
  const state = await inspect(data);
  const campaign = state.campaigns[0];
  const injected = bie.stderr().match(/BIE_INJECT_FAULTS: \w+ fails/g)?.length ?? 0;
  const posts = PLATFORMS.map((p) => state.posts[p]?.length ?? 0);
  return {
    seconds: (Date.now() - started) / 1000,
    exit: exit.code,
    status: campaign?.status ?? 'none',
    injected,
    campaigns: state.campaigns.length,
    posts: posts.join('/'),
    double_charges: doubleCharges(campaign?.ledger ?? []).length,
  };
}

let faultsTried = 0;
for (let round = 1; round <= rounds; round++) {
  const absorbed = await campaignWith(TRANSIENT_FAULTS.join(','));
  faultsTried += absorbed.injected;
  console.log(`round ${round} transient (${TRANSIENT_FAULTS.length} steps):`, absorbed);
}
const persistent = await campaignWith('PublishPost:20');
faultsTried += persistent.injected;
console.log('persistent (PublishPost keeps failing):', persistent);
console.log(`faults injected in all: ${faultsTried}`);
