import path from 'node:path';
import { z } from 'zod';
import { keyOf } from '../shared/data/blob-store.js';
import { scripts, videos } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { probeMedia } from '../shared/media/probe.js';
import { blobs } from '../shared/services.js';
import { masterSize, withWorkDir } from '../shared/workdir.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  video_id: z.uuid(),
  execution: z.string(),
});

/**
 * ffprobe gate: duration within 0.5 s of the script, a video and an audio stream, the master size.
 * quality_score = 1 − 0.5 × (duration error / 0.5 s) − 0.5 for each missing stream or wrong size, ≥ 0.
 */
export const handler = stepHandler('CheckQuality', Input, async (input) => {
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
});
