/**
 * Kills `bie run` again and again and checks what a user who re-runs the same command ends with.
 * Round 1 kills at each named point of the pipeline (tests/reliability/harness.ts KILL_POINTS); the
 * other rounds kill at random moments with a random way of dying (crash of the whole process group,
 * SIGTERM, SIGINT, the launcher alone killed -9). Every round ends with the same command run to the
 * end on the same data directory, then counts campaigns, posts and ledger rows.
 *
 * Run: node --openssl-legacy-provider --import tsx bench/reliability-kills.bench.ts
 *   BIE_BENCH_ROUNDS (default 4), BIE_BENCH_KILLS per random round (default 4),
 *   BIE_BENCH_MAX_KILL_S latest random kill, seconds after a run starts (default 12: a campaign takes about 15 s here). Prints figures; asserts nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  doubleCharges,
  exampleRun,
  inspect,
  KILL_POINTS,
  type KillHow,
  type KillOutcome,
  type KillPoint,
  killAndRerun,
  PLATFORMS,
} from '../tests/reliability/harness.js';

const rounds = Number(process.env.BIE_BENCH_ROUNDS ?? 4);
const randomKills = Number(process.env.BIE_BENCH_KILLS ?? 4);
const maxKillMs = Number(process.env.BIE_BENCH_MAX_KILL_S ?? 12) * 1000;
const HOWS: KillHow[] = [
  'SIGKILL (process group)',
  'SIGKILL (process group)',
  'SIGTERM',
  'SIGINT',
  'SIGKILL (launcher only)',
];

/** A kill at a random moment: `at` ms after that run started. */
function randomPoint(): KillPoint {
  const at = 1000 + Math.floor(Math.random() * (maxKillMs - 1000));
  const how = HOWS[Math.floor(Math.random() * HOWS.length)] as KillHow;
  return {
    point: `random, ${(at / 1000).toFixed(1)}s after start`,
    how,
    reached: (_d, bie) => Date.now() - bie.startedAt >= at,
  };
}

interface Round {
  round: number;
  kills: KillOutcome[];
  finalExit: number | null;
  campaigns: number;
  published: number;
  postsPerPlatform: string;
  doubleCharges: string[];
  ms: number;
}

const results: Round[] = [];
const log = (l: string) => process.stdout.write(`${l}\n`);
for (let round = 1; round <= rounds; round++) {
  const work = mkdtempSync(path.join(tmpdir(), 'bie-bench-kills-'));
  const { args, data } = exampleRun(work);
  const points = round === 1 ? KILL_POINTS : Array.from({ length: randomKills }, randomPoint);
  log(`round ${round} (${data})`);
  const t0 = Date.now();
  const { kills, final } = await killAndRerun(data, args, points, { log, logDir: work });
  const state = await inspect(data);
  results.push({
    round,
    kills,
    finalExit: final.code,
    campaigns: state.campaigns.length,
    published: state.campaigns.filter((c) => c.status === 'published').length,
    postsPerPlatform: PLATFORMS.map((p) => `${p} ${state.posts[p]?.length ?? 0}`).join(', '),
    doubleCharges: state.campaigns.flatMap((c) => doubleCharges(c.ledger)),
    ms: Date.now() - t0,
  });
  log(
    `  → exit ${final.code}; ${results.at(-1)?.campaigns} campaign(s), ${results.at(-1)?.published} published; posts: ${results.at(-1)?.postsPerPlatform}; double charges: ${results.at(-1)?.doubleCharges.length}`,
  );
}

const all = results.flatMap((r) => r.kills);
const delivered = all.filter((k) => k.trigger !== 'exited');
const byHow = new Map<string, number>();
for (const k of delivered) byHow.set(k.how, (byHow.get(k.how) ?? 0) + 1);
const good = results.filter(
  (r) =>
    r.finalExit === 0 &&
    r.campaigns === 1 &&
    r.published === 1 &&
    PLATFORMS.every((p) => r.postsPerPlatform.includes(`${p} 1`)) &&
    r.doubleCharges.length === 0,
);
log('\nkill-and-rerun of bie run');
log(
  `  rounds                ${results.length} (${(results.reduce((n, r) => n + r.ms, 0) / 1000).toFixed(0)} s)`,
);
log(`  kills delivered       ${delivered.length} (${[...byHow].map(([h, n]) => `${n} × ${h}`).join(', ')})`);
log(`  runs that ended first ${all.length - delivered.length}`);
log('  kill points:');
for (const k of all)
  log(
    `    ${k.point.padEnd(55)} ${k.how.padEnd(24)} ${k.trigger.padEnd(8)} ${(k.atMs / 1000).toFixed(1).padStart(5)}s  exit ${k.exit.code ?? k.exit.signal}`,
  );
log(
  `  rounds ending with exactly one published campaign, one post per platform, no double charge: ${good.length} of ${results.length}`,
);
for (const r of results.filter((x) => !good.includes(x)))
  log(
    `    round ${r.round}: exit ${r.finalExit}, ${r.campaigns} campaigns, ${r.published} published, posts ${r.postsPerPlatform}, double charges ${r.doubleCharges.join('; ') || 'none'}`,
  );
