import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { logger } from '../shared/commons.js';
import { keyOf } from '../shared/data/blob-store.js';
import { renderJobs, scripts, videos } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { mapLimit } from '../shared/map-limit.js';
import { type MediaInfo, probeMedia } from '../shared/media/probe.js';
import type { BlobStore } from '../shared/ports/index.js';
import { blobs } from '../shared/services.js';
import { masterSize, withWorkDir } from '../shared/workdir.js';
import { type ClipSignals, clipIssues, detectBlackAndFrozen } from './domain/clip-check.js';
import { decideAfterCheck, NO_REWORK, Rework, type SceneCheck } from './domain/scene-rework.js';
import { ClipRef, sceneAttempts, unrenderedScene } from './domain/unrendered.js';

const MasterInput = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  video_id: z.uuid(),
  execution: z.string(),
});

/** The per-scene check after RenderScenes: the Map's clips, and the rework this execution runs under. */
const ClipsInput = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  script_id: z.uuid(),
  execution: z.string(),
  clips: z.array(ClipRef).min(1),
  rework: Rework.default(NO_REWORK),
});

const Input = z.union([ClipsInput, MasterInput]);

/**
 * Two gates. With `clips`: every scene's clip is probed (decodable, a video stream, long enough, not
 * mostly black or frozen), and a scene no model could render fails with each attempt's reason; failing
 * scenes are sent back to render (at most twice), after that the video goes on with the issues named,
 * for a human to review. With `video_id`: the ffprobe gate of the master.
 */
export const handler = stepHandler('CheckQuality', Input, async (input) =>
  'clips' in input ? checkClips(input) : checkMaster(input),
);

async function checkClips(input: z.infer<typeof ClipsInput>) {
  const script = await scripts.latest(input.campaign_id, input.script_id);
  const store = blobs();
  const allJobs = input.clips.some((c) => c.unrendered) ? await renderJobs.list(input.campaign_id) : [];
  const checks = await withWorkDir(`${input.execution}-clips`, async (dir) => {
    // One ffmpeg per clip, as many at once as there are cores (each decode is single-threaded).
    return mapLimit(input.clips, availableParallelism(), async (clip, i): Promise<SceneCheck> => {
      const scene = script.scenes.find((s) => s.scene_id === clip.scene_id);
      if (clip.unrendered) {
        const attempts = sceneAttempts(allJobs, input.execution, clip.scene_id, clip.rework_round);
        return {
          scene_id: clip.scene_id,
          sequence: scene?.sequence ?? 0,
          job_id: '',
          issues: [unrenderedScene(attempts).reason],
          unrendered: true,
        };
      }
      const job = await renderJobs.get(input.campaign_id, clip.job_id);
      let issues: string[];
      if (!job) {
        // A scene-cache hit rendered for another campaign: checked when it was rendered. (A clip that
        // is really gone fails AssembleMaster loudly.)
        logger.info('clip check skipped: the clip was rendered outside this campaign', {
          job_id: clip.job_id,
        });
        issues = [];
      } else if (job.status === 'completed' && job.result_url && scene) {
        issues = await checkClip(
          store,
          keyOf(job.result_url),
          // Per item: two scenes may share one shot's clip, and the checks run at once.
          path.join(dir, `${i}-${clip.job_id}.mp4`),
          scene.duration_seconds,
        );
      } else issues = [`the clip is missing (render job ${job.job_id} is ${job.status})`];
      return { scene_id: clip.scene_id, sequence: scene?.sequence ?? 0, job_id: clip.job_id, issues };
    });
  });
  const decision = decideAfterCheck(checks, input.rework);
  if (!decision.passed)
    logger.warn('scenes failed the clip check', {
      issues: decision.issues,
      rework_again: decision.rework_again,
    });
  return decision;
}

async function checkClip(
  store: BlobStore,
  key: string,
  file: string,
  sceneSeconds: number,
): Promise<string[]> {
  await store.download(key, file);
  let info: MediaInfo | undefined;
  let signals: ClipSignals | undefined;
  try {
    info = await probeMedia(file);
    if (info.video) signals = await detectBlackAndFrozen(file, info.durationSeconds);
  } catch (error) {
    // ffprobe/ffmpeg refusing the file is the finding: the clip does not decode.
    if ((error as Error).name !== 'FfmpegError') throw error;
    logger.warn('a clip did not decode', { key, error: error as Error });
    info = undefined;
  }
  return clipIssues(info, signals, sceneSeconds);
}

/**
 * ffprobe gate: duration within 0.5 s of the script, a video and an audio stream, the master size.
 * quality_score = 1 − 0.5 × (duration error / 0.5 s) − 0.5 for each missing stream or wrong size, ≥ 0.
 */
async function checkMaster(input: z.infer<typeof MasterInput>) {
  const video = await videos.get(input.campaign_id, input.video_id);
  const script = await scripts.latest(input.campaign_id, video.script_id);
  return withWorkDir(input.execution, async (dir) => {
    const file = await blobs().download(keyOf(video.master_mp4_url), path.join(dir, 'master.mp4'));
    const info = await probeMedia(file);
    const { width, height } = masterSize();
    const drift = Math.abs(info.durationSeconds - script.total_duration_seconds);
    const issues: string[] = [];
    if (drift > 0.5)
      issues.push(`duration ${info.durationSeconds.toFixed(2)}s vs script ${script.total_duration_seconds}s`);
    if (!info.video) issues.push('no video stream');
    if (!info.audio) issues.push('no audio stream');
    if (info.video && (info.video.width !== width || info.video.height !== height))
      issues.push(`size ${info.video.width}x${info.video.height}`);
    const score = Math.max(
      0,
      Math.round(
        (1 - 0.5 * Math.min(1, drift / 0.5) - 0.5 * issues.filter((i) => !i.startsWith('duration')).length) *
          1000,
      ) / 1000,
    );
    await videos.put({
      ...video,
      master_duration_seconds: Math.round(info.durationSeconds * 1000) / 1000,
      metadata: { ...video.metadata, quality_score: score },
    });
    return { passed: issues.length === 0, quality_score: score, issues };
  });
}
