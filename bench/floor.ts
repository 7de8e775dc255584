/**
 * Media at the floor (issue 11): the single-pass floor F — one ffmpeg encoding the three distinct 30 s
 * renditions (1080×1920, 1920×1080, 1080×1080) of one source through `split` — and a 30 s, one-variant,
 * four-platform campaign on the embedded default, in the same run, median of N.
 *
 * Run: npm run bench:floor [-- --runs 3 --seconds 30 --preset superfast]   (prints figures; asserts nothing)
 *
 * Prints per run and as medians: campaign wall, F, their ratio, the time inside ffmpeg/ffprobe (the
 * union of the intervals when at least one ran, and the sum of their process times), the provider time
 * (render jobs waiting at the video provider, outside ffmpeg), the orchestration overhead
 * (wall − ffmpeg ∪ provider), and an estimate of Lambda GB-seconds and dollars per campaign: every
 * handler call timed here × the memory its function has in lambdas/catalog.ts.
 *
 * Companions: npm run bench:retrieval (brand top-5 over 10,000 chunks, state update p99) and
 * npm run bench:cold-starts (each function's cold start in the as-deployed mode).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '30' },
    preset: { type: 'string', default: 'superfast' },
    /** Also print the last run's handler calls on a timeline (start offset, duration). */
    timeline: { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(1, Number(values.runs));
const SECONDS = Number(values.seconds);
// The same x264 preset for the floor and every encode of the campaign.
process.env.BIE_X264_PRESET = values.preset;

const ROOT = path.resolve(import.meta.dirname, '..');
const { FUNCTIONS } = await import('../lambdas/catalog.js');
const { onToolRun, runFfmpeg } = await import('../lambdas/shared/media/tools.js');
const { readRequestFile, runCampaign } = await import('../cli/run.js');
const { startEmbedded } = await import('../local/embedded.js');
const { localFunctionArn } = await import('../local/engine/asl-runner.js');

type Interval = [number, number];
/** Total length covered by a set of intervals (overlaps counted once). */
const unionMs = (list: Interval[]): number => {
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [a, b] of [...list].sort((x, y) => x[0] - y[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
};
const clip = (list: Interval[], from: number, to: number): Interval[] =>
  list.map(([a, b]): Interval => [Math.max(a, from), Math.min(b, to)]).filter(([a, b]) => b > a);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

// Lambda list prices (us-east-1): per GB-second by architecture, per request.
const PRICE = { x86_64: 0.0000166667, arm64: 0.0000133334, request: 0.2 / 1e6 };

const ffmpegRuns: { interval: Interval; tool: string; what: string }[] = [];
/** Enough of a tool run's arguments to tell runs apart on the timeline: its filters and outputs. */
const describeRun = (args: readonly string[]): string => {
  const graph = args[args.indexOf('-filter_complex') + 1] ?? args[args.indexOf('-af') + 1] ?? '';
  const outputs = args.filter(
    (a) => /\.(mp4|m4a|wav|jpg|png|json)$/.test(a) && !args[args.indexOf(a) - 1]?.startsWith('-i'),
  );
  return `${graph.slice(0, 60)} → ${outputs.map((o) => path.basename(o)).join(', ')}`;
};
onToolRun((r) =>
  ffmpegRuns.push({ interval: [r.startedAt, r.endedAt], tool: r.tool, what: describeRun(r.args) }),
);

const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-floor-'));
const app = await startEmbedded({ dataDir });

// Every handler call timed (state machine tasks, API routes and asynchronous invocations alike).
const calls: { id: string; ms: number; at: number }[] = [];
const byArn = new Map<string, string>();
for (const f of FUNCTIONS) {
  byArn.set(localFunctionArn(`bie-${f.id}`), f.id);
}
type Handler = (event: unknown, context?: unknown) => Promise<unknown>;
const timed =
  (id: string, h: Handler): Handler =>
  async (event, context) => {
    const t = Date.now();
    try {
      return await h(event, context);
    } finally {
      calls.push({ id, ms: Date.now() - t, at: t });
    }
  };
const wrapped = new Map<string, Handler>();
for (const [arn, id] of byArn) {
  const h = timed(id, app.functions[arn] as Handler);
  wrapped.set(id, h);
  (app.functions as Record<string, Handler>)[arn] = h;
}
// Asynchronous invocations (the offline renderer) go through the local Lambda endpoint.
app.lambda?.bind(
  FUNCTIONS.map((f) => ({
    name: `bie-${f.id}`,
    arn: localFunctionArn(`bie-${f.id}`),
    handler: wrapped.get(f.id) as never,
    timeoutSeconds: f.timeoutSeconds,
    memoryMb: f.memoryMb,
  })),
);

const brandText = readFileSync(path.join(ROOT, 'examples/brands/lumen-coffee.md'), 'utf8');
const base = readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json'));
const request = {
  ...base,
  variants: [base.variants?.[0] ?? 'emotional'],
  target_platforms: ['tiktok', 'instagram', 'youtube', 'linkedin'],
  target_duration_seconds: SECONDS,
} as typeof base;

/** The floor: one ffmpeg, one decode, `split` into the three distinct renditions. */
async function floor(source: string, dir: string): Promise<number> {
  const x264 = ['-c:v', 'libx264', '-preset', values.preset as string, '-crf', '21', '-pix_fmt', 'yuv420p'];
  const t = Date.now();
  await runFfmpeg([
    '-i',
    source,
    '-filter_complex',
    [
      '[0:v]split=3[a][b][c]',
      '[a]scale=1080:1920,setsar=1[v1]',
      '[b]scale=1920:1080:force_original_aspect_ratio=increase,crop=1920:1080,setsar=1[v2]',
      '[c]scale=1080:1080:force_original_aspect_ratio=increase,crop=1080:1080,setsar=1[v3]',
    ].join(';'),
    ...[1, 2, 3].flatMap((i) => [
      '-map',
      `[v${i}]`,
      '-map',
      '0:a?',
      ...x264,
      '-c:a',
      'copy',
      path.join(dir, `floor-${i}.mp4`),
    ]),
  ]);
  return Date.now() - t;
}

interface Run {
  wallMs: number;
  floorMs: number;
  ffmpegMs: number;
  ffmpegSumMs: number;
  providerMs: number;
  overheadMs: number;
  gbSeconds: number;
  usd: number;
  steps: Map<string, { ms: number; n: number }>;
  timeline: { id: string; at: number; ms: number }[];
  tools: { tool: string; what: string; at: number; ms: number }[];
}
const runs: Run[] = [];
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

console.log(
  `floor bench: ${RUNS} run(s), ${SECONDS} s, one variant, four platforms, x264 ${values.preset}, ${availableParallelism()} cores, load ${load()}`,
);
const { renderJobs } = await import('../lambdas/shared/data/repositories.js');
for (let i = 0; i < RUNS; i++) {
  const out = path.join(dataDir, `out-${i}`);
  ffmpegRuns.length = 0;
  calls.length = 0;
  const t0 = Date.now();
  const result = await runCampaign(app, { brandText, request, autoApprove: true, out, fresh: true });
  const t1 = Date.now();
  if (result.status !== 'published' || !result.master_video)
    throw new Error(`campaign ${result.campaign_id} ended ${result.status}`);
  const media = clip(
    ffmpegRuns.map((r) => r.interval),
    t0,
    t1,
  );
  const jobs = (await renderJobs.list(result.campaign_id)).filter((j) => j.status === 'completed');
  const rendering = clip(
    jobs.map(
      (j): Interval => [Date.parse(j.started_at ?? j.created_at), Date.parse(j.completed_at ?? j.created_at)],
    ),
    t0,
    t1,
  );
  const ffmpegMs = unionMs(media);
  const busyMs = unionMs([...media, ...rendering]);
  // F twice, the mean: on a shared machine one pass of ~20 s can land in a lull or a burst of others' load.
  const floorMs = (await floor(result.master_video, out)) / 2 + (await floor(result.master_video, out)) / 2;
  let gbSeconds = 0;
  let usd = 0;
  const steps = new Map<string, { ms: number; n: number }>();
  for (const c of calls.filter((c) => c.at >= t0 && c.at <= t1)) {
    const f = FUNCTIONS.find((x) => x.id === c.id);
    if (!f) continue;
    const gbs = (f.memoryMb / 1024) * (Math.ceil(c.ms) / 1000);
    gbSeconds += gbs;
    usd += gbs * (f.ffmpeg ? PRICE.x86_64 : PRICE.arm64) + PRICE.request;
    const cur = steps.get(c.id) ?? { ms: 0, n: 0 };
    steps.set(c.id, { ms: cur.ms + c.ms, n: cur.n + 1 });
  }
  const run: Run = {
    wallMs: t1 - t0,
    floorMs,
    ffmpegMs,
    ffmpegSumMs: media.reduce((t, [a, b]) => t + b - a, 0),
    providerMs: busyMs - ffmpegMs,
    overheadMs: t1 - t0 - busyMs,
    gbSeconds,
    usd,
    steps,
    timeline: calls.filter((c) => c.at >= t0 && c.at <= t1).map((c) => ({ ...c, at: c.at - t0 })),
    tools: ffmpegRuns
      .filter((r) => r.interval[0] >= t0 && r.interval[1] <= t1)
      .map((r) => ({
        tool: r.tool,
        what: r.what,
        at: r.interval[0] - t0,
        ms: r.interval[1] - r.interval[0],
      })),
  };
  runs.push(run);
  console.log(
    `run ${i + 1}: campaign ${s(run.wallMs)}, F ${s(run.floorMs)}, ratio ${(run.wallMs / run.floorMs).toFixed(2)}; ffmpeg ${s(run.ffmpegMs)} (process sum ${s(run.ffmpegSumMs)}), provider ${s(run.providerMs)}, overhead ${s(run.overheadMs)}; Lambda ${run.gbSeconds.toFixed(1)} GB-s ≈ $${run.usd.toFixed(5)}; load ${load()}`,
  );
}
await app.stop();

const m = (pick: (r: Run) => number) => median(runs.map(pick));
console.log(`\nmedian of ${runs.length}:`);
console.log(`  campaign wall               ${s(m((r) => r.wallMs))}`);
console.log(`  floor F (one ffmpeg pass)   ${s(m((r) => r.floorMs))}`);
console.log(`  ratio campaign / F          ${m((r) => r.wallMs / r.floorMs).toFixed(2)}`);
console.log(
  `  inside ffmpeg (union)       ${s(m((r) => r.ffmpegMs))}   (process sum ${s(m((r) => r.ffmpegSumMs))})`,
);
console.log(`  provider time               ${s(m((r) => r.providerMs))}`);
console.log(`  orchestration overhead      ${s(m((r) => r.overheadMs))}   (wall − ffmpeg ∪ provider)`);
console.log(
  `  Lambda per campaign         ${m((r) => r.gbSeconds).toFixed(1)} GB-s ≈ $${m((r) => r.usd).toFixed(5)} (x86_64 $${PRICE.x86_64}/GB-s for ffmpeg functions, arm64 $${PRICE.arm64}/GB-s, $0.20 per 1M requests; durations measured here, on Lambda they scale with the vCPUs of each size)`,
);
const last = runs.at(-1);
if (last) {
  console.log('\nhandler time by function (last run; memory from lambdas/catalog.ts):');
  for (const [id, v] of [...last.steps].sort((a, b) => b[1].ms - a[1].ms))
    if (v.ms >= 50) {
      const f = FUNCTIONS.find((x) => x.id === id);
      console.log(`  ${id.padEnd(24)} ${s(v.ms).padStart(8)}  ×${v.n}  ${f?.memoryMb} MB`);
    }
}
if (last && values.timeline) {
  console.log('\ntimeline of the last run (start → end, seconds from the request):');
  for (const c of [...last.timeline].sort((a, b) => a.at - b.at))
    if (c.ms >= 50) console.log(`  ${s(c.at).padStart(7)} → ${s(c.at + c.ms).padStart(7)}  ${c.id}`);
  console.log('\nmedia tool runs of the last run (≥ 0.2 s):');
  for (const r of [...last.tools].sort((a, b) => a.at - b.at))
    if (r.ms >= 200)
      console.log(`  ${s(r.at).padStart(7)} → ${s(r.at + r.ms).padStart(7)}  ${r.tool}  ${r.what}`);
}
console.log(
  `\nload average at the end: ${load()} (a shared machine inflates both figures; the ratio less so)`,
);
