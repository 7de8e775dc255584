import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clipIssues,
  detectBlackAndFrozen,
  parseDetectors,
} from '../../../lambdas/production/domain/clip-check.js';
import {
  applyRework,
  decideAfterCheck,
  MAX_QUALITY_REWORKS,
  NO_REWORK,
  promptWithFeedback,
  Rework,
  type SceneCheck,
} from '../../../lambdas/production/domain/scene-rework.js';
import { probeMedia } from '../../../lambdas/shared/media/probe.js';
import { runFfmpeg } from '../../../lambdas/shared/media/tools.js';

const S1 = '00000000-0000-4000-8000-000000000001';
const S2 = '00000000-0000-4000-8000-000000000002';
const S3 = '00000000-0000-4000-8000-000000000003';

const plan = [S1, S2, S3].map((scene_id, i) => ({
  scene_id,
  sequence: i + 1,
  model: 'veo3',
  cached: i === 2,
  cached_job_id: i === 2 ? 'cache-job' : '',
}));

describe('the render plan under a rework', () => {
  it('is the plan as it was when nothing is reworked', () => {
    expect(applyRework(plan, NO_REWORK, new Map())).toEqual(
      plan.map((p) => ({ ...p, rework_round: 0, feedback: '' })),
    );
  });

  it('renders only the named scenes again, with their feedback, and reuses every other clip', () => {
    const rework = Rework.parse({ video_id: 'v', scenes: [{ scene_id: S2, feedback: 'warmer light' }] });
    const reusable = new Map([
      [S1, 'job-1'],
      [S2, 'job-2'],
      [S3, 'job-3'],
    ]);
    const out = applyRework(plan, rework, reusable);
    expect(out.map((p) => [p.cached, p.cached_job_id, p.rework_round, p.feedback])).toEqual([
      [true, 'job-1', 0, ''],
      [false, '', 1, 'warmer light'],
      [true, 'job-3', 0, ''],
    ]);
  });

  it('appends a reviewer’s feedback to the scene prompt, and leaves a prompt without feedback alone', () => {
    expect(promptWithFeedback('A cup of coffee on a table.', ' make it red ')).toBe(
      'A cup of coffee on a table.\n\nRevision requested by the reviewer: make it red',
    );
    expect(promptWithFeedback('A cup.', '')).toBe('A cup.');
  });
});

describe('a clip', () => {
  const info = (durationSeconds: number, video = true) => ({
    durationSeconds,
    formatName: 'mov,mp4',
    sizeBytes: 1,
    tags: {},
    ...(video ? { video: { width: 1, height: 1, codec: 'h264', fps: 30, pixelFormat: 'yuv420p' } } : {}),
  });

  it('passes when it decodes, has video, lasts its scene and is neither black nor frozen', () => {
    expect(clipIssues(info(4.9), { blackSeconds: 0.4, frozenSeconds: 1 }, 5)).toEqual([]);
  });

  it('names every problem a reviewer should read', () => {
    expect(clipIssues(undefined, undefined, 5)).toEqual(['the clip cannot be decoded']);
    expect(clipIssues(info(3, false), undefined, 5)).toEqual([
      'no video stream',
      '3.00 s long, the scene needs 5 s',
    ]);
    expect(clipIssues(info(4), { blackSeconds: 3.5, frozenSeconds: 4 }, 4)).toEqual([
      'black for 3.5 s of 4.0 s',
      'frozen for 4.0 s of 4.0 s',
    ]);
  });

  it('counts a freeze that lasts to the end of the clip', () => {
    const stderr =
      '[blackdetect @ 0x1] black_start:0 black_end:1.5 black_duration:1.5\n' +
      '[freezedetect @ 0x2] lavfi.freezedetect.freeze_start: 1\n' +
      '[freezedetect @ 0x2] lavfi.freezedetect.freeze_duration: 1\n' +
      '[freezedetect @ 0x2] lavfi.freezedetect.freeze_end: 2\n' +
      '[freezedetect @ 0x2] lavfi.freezedetect.freeze_start: 3\n';
    expect(parseDetectors(stderr, 5)).toEqual({ blackSeconds: 1.5, frozenSeconds: 3 });
  });
});

describe('the clip detectors on real video', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bie-clips-'));
  const make = async (name: string, source: string) => {
    const file = path.join(dir, name);
    await runFfmpeg([
      '-y',
      '-f',
      'lavfi',
      '-i',
      source,
      '-t',
      '3',
      '-pix_fmt',
      'yuv420p',
      '-c:v',
      'libx264',
      file,
    ]);
    return file;
  };

  it('find a black clip black, a still clip frozen, and a moving test pattern neither', async () => {
    const black = await make('black.mp4', 'color=c=black:s=64x64:r=24');
    const still = await make('still.mp4', 'color=c=0x2255aa:s=64x64:r=24');
    const moving = await make('moving.mp4', 'testsrc2=s=64x64:r=24');
    const check = async (f: string) => clipIssues(await probeMedia(f), await detectBlackAndFrozen(f, 3), 3);
    expect((await check(black)).join()).toMatch(/black for/);
    expect((await check(still)).join()).toMatch(/^frozen for/);
    expect(await check(moving)).toEqual([]);
  }, 30_000);

  it('cannot probe a file that is not video', async () => {
    const junk = path.join(dir, 'junk.mp4');
    writeFileSync(junk, 'not a video');
    await expect(probeMedia(junk)).rejects.toMatchObject({ name: 'FfmpegError' });
  });
});

describe('after the clip check', () => {
  const checks = (bad: string[]): SceneCheck[] =>
    [S1, S2, S3].map((scene_id, i) => ({
      scene_id,
      sequence: i + 1,
      job_id: `job-${i + 1}`,
      issues: bad.includes(scene_id) ? ['black for 3.0 s of 3.0 s'] : [],
    }));

  it('goes on when every clip passed', () => {
    expect(decideAfterCheck(checks([]), NO_REWORK)).toMatchObject({
      passed: true,
      rework_again: false,
      issues: [],
    });
  });

  it('sends only the failing scenes back, the others reused, in a new round', () => {
    const out = decideAfterCheck(checks([S2]), NO_REWORK);
    expect(out.rework_again).toBe(true);
    expect(out.rework.scenes).toEqual([{ scene_id: S2, feedback: '' }]);
    expect(out.rework.clips.map((c) => c.job_id)).toEqual(['job-1', 'job-2', 'job-3']);
    expect(out.rework.quality_reworks).toBe(1);
    expect(out.rework.round).toBeGreaterThan(0);
  });

  it('keeps a reviewer’s feedback on a scene it sends back', () => {
    const rework = Rework.parse({ round: 1, scenes: [{ scene_id: S2, feedback: 'warmer' }] });
    expect(decideAfterCheck(checks([S2]), rework).rework.scenes).toEqual([
      { scene_id: S2, feedback: 'warmer' },
    ]);
  });

  it(`after ${MAX_QUALITY_REWORKS} reworks goes on to a human with the scene and the issue named`, () => {
    let rework = NO_REWORK;
    const rounds = new Set<number>();
    for (let i = 0; i < MAX_QUALITY_REWORKS; i++) {
      const out = decideAfterCheck(checks([S3]), rework);
      expect(out.rework_again).toBe(true);
      rework = out.rework;
      rounds.add(rework.round);
    }
    expect(rounds.size).toBe(MAX_QUALITY_REWORKS);
    const last = decideAfterCheck(checks([S3]), rework);
    expect(last).toMatchObject({ passed: false, rework_again: false });
    expect(last.issues).toEqual([
      { scene_id: S3, sequence: 3, job_id: 'job-3', issues: ['black for 3.0 s of 3.0 s'] },
    ]);
  });
});
