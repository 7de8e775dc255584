import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyRework,
  decideAfterCheck,
  MAX_QUALITY_REWORKS,
  Rework,
  type SceneCheck,
} from '../../lambdas/production/domain/scene-rework.js';
import { localFunctionArn, localMachineArn } from '../../local/engine/asl-runner.js';
import { openEndpoints, type Runtime, startRuntime } from '../../local/engine/runtime.js';

// production.asl.json as it is, on the local runner, with its functions scripted around the real rework
// domain: a scene failing the clip check renders again (only it), at most twice, then the video goes on
// with the issue named for the reviewer.
const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'bie-clip-rework-'));
const machineArn = localMachineArn('production');
const SCENES = [1, 2, 3].map((i) => `00000000-0000-4000-8000-00000000000${i}`);

/** Per execution: how many clip checks each scene still fails, and every render submitted. */
const failing = new Map<string, Map<string, number>>();
const renders = new Map<string, string[]>();
const nameOf = (execution: string) => execution.split(':').pop() as string;
let runtime: Runtime;

const fn = (name: string) => localFunctionArn(name);

beforeAll(async () => {
  runtime = startRuntime({
    dataDir,
    endpoints: await openEndpoints(),
    machines: [
      { arn: machineArn, name: 'production', file: path.join(ROOT, 'state-machines/production.asl.json') },
    ],
    substitutions: Object.fromEntries(
      [
        'PlanRenders',
        'SubmitRender',
        'RequestBudgetRaise',
        'SynthesizeVoiceover',
        'ComposeMusic',
        'AssembleMaster',
        'CheckQuality',
        'RecordFailure',
      ].map((n) => [`${n}FunctionArn`, fn(n)]),
    ),
    functions: {
      [fn('PlanRenders')]: async (event: unknown) => {
        const e = event as { rework: unknown };
        const rework = Rework.parse(e.rework);
        const plan = SCENES.map((scene_id, i) => ({
          scene_id,
          sequence: i + 1,
          model: 'veo3',
          cached: false,
          cached_job_id: '',
        }));
        return {
          scenes: applyRework(plan, rework, new Map(rework.clips.map((c) => [c.scene_id, c.job_id]))),
        };
      },
      [fn('SubmitRender')]: async (event: unknown) => {
        const e = event as { token: string; execution: string; scene_id: string; rework_round: number };
        const jobId = `job-${e.scene_id.slice(-1)}-r${e.rework_round}`;
        renders.set(nameOf(e.execution), [...(renders.get(nameOf(e.execution)) ?? []), jobId]);
        setTimeout(() => runtime.runner.sendTaskSuccess(e.token, JSON.stringify({ job_id: jobId })), 5);
        return {};
      },
      [fn('CheckQuality')]: async (event: unknown) => {
        const e = event as {
          execution: string;
          clips?: { scene_id: string; job_id: string }[];
          rework?: unknown;
        };
        if (!e.clips) return { passed: true, quality_score: 1, issues: [] };
        const left = failing.get(nameOf(e.execution)) ?? new Map();
        const checks: SceneCheck[] = e.clips.map((c) => {
          const n = left.get(c.scene_id) ?? 0;
          left.set(c.scene_id, n - 1);
          return {
            scene_id: c.scene_id,
            sequence: SCENES.indexOf(c.scene_id) + 1,
            job_id: c.job_id,
            issues: n > 0 ? ['black for 4.0 s of 4.0 s'] : [],
          };
        });
        return decideAfterCheck(checks, Rework.parse(e.rework));
      },
      [fn('SynthesizeVoiceover')]: async () => ({ voiceover_key: 'vo.wav', duration_seconds: 12 }),
      [fn('ComposeMusic')]: async () => ({ music_key: 'music.wav', mix_key: 'mix.m4a' }),
      [fn('AssembleMaster')]: async () => ({ video_id: '00000000-0000-4000-8000-0000000000v1' }),
      [fn('RecordFailure')]: async (event: unknown) => ({ error: 'Failed', cause: JSON.stringify(event) }),
      [fn('RequestBudgetRaise')]: async () => ({}),
    },
    routes: [],
    retryIntervalMs: 0,
  });
});

afterAll(async () => runtime?.stop());

async function produce(name: string, failChecks: Record<number, number>) {
  failing.set(name, new Map(Object.entries(failChecks).map(([i, n]) => [SCENES[Number(i)] as string, n])));
  const started = runtime.runner.startExecution({
    stateMachineArn: machineArn,
    name,
    input: {
      campaign_id: '00000000-0000-4000-8000-0000000000c1',
      variant_id: '00000000-0000-4000-8000-0000000000a1',
      script_id: '00000000-0000-4000-8000-0000000000b1',
      feedback: '',
      attempt: 1,
      rework: Rework.parse({}),
    },
  });
  const done = await runtime.runner.waitForExecution(started.executionArn);
  return { done, renders: renders.get(name) ?? [] };
}

describe('the clip check of the production house', () => {
  it('renders a scene that failed it once again, and only that scene', async () => {
    const { done, renders: jobs } = await produce('once', { 1: 1 });
    expect(done.status, done.cause).toBe('SUCCEEDED');
    expect(jobs.sort()).toEqual(['job-1-r0', 'job-2-r0', 'job-2-r2', 'job-3-r0']);
    expect(done.output).toMatchObject({ quality_issues: [] });
  });

  it(`after ${MAX_QUALITY_REWORKS} re-renders goes on with the scene and its issue named, never silently`, async () => {
    const { done, renders: jobs } = await produce('always', { 1: 99 });
    expect(done.status, done.cause).toBe('SUCCEEDED');
    expect(jobs.filter((j) => j.startsWith('job-2-'))).toHaveLength(1 + MAX_QUALITY_REWORKS);
    expect(jobs.filter((j) => !j.startsWith('job-2-'))).toEqual(['job-1-r0', 'job-3-r0']);
    expect(done.output).toMatchObject({
      quality_issues: [{ scene_id: SCENES[1], sequence: 2, issues: ['black for 4.0 s of 4.0 s'] }],
    });
  });
});
