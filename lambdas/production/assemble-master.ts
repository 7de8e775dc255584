import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { config, logger } from '../shared/commons.js';
import { VideoAssets, VoicePlan } from '../shared/contracts/index.js';
import { keyOf } from '../shared/data/blob-store.js';
import { renderJobs, scripts, videos, workDocs } from '../shared/data/repositories.js';
import { NotFoundError } from '../shared/errors.js';
import { stepHandler } from '../shared/handler.js';
import { nowIso, stableUuid } from '../shared/ids.js';
import { assembleMaster } from '../shared/media/assemble.js';
import { buildCues, sceneStarts, toAss, toSrt, toVtt } from '../shared/media/captions.js';
import { buildProvenance, provenanceMetadata } from '../shared/media/provenance.js';
import { fontPath } from '../shared/media/tools.js';
import { blobs } from '../shared/services.js';
import { masterSize, withWorkDir } from '../shared/workdir.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  script_id: z.uuid(),
  clips: z.array(z.object({ scene_id: z.uuid(), job_id: z.string() })).min(1),
  voiceover_key: z.string(),
  music_key: z.string(),
  execution: z.string(),
});

/** Master 9:16 video: clips in script order, voice over a ducked music bed, captions timed to the voice. */
export const handler = stepHandler('AssembleMaster', Input, async (input) => {
  const script = await scripts.latest(input.campaign_id, input.script_id);
  const voice = await workDocs.get(
    input.campaign_id,
    'voice',
    `${input.script_id}-v${script.version}`,
    VoicePlan,
  );
  const videoId = stableUuid('video', input.execution);
  const { width, height, fps } = masterSize();
  const base = `masters/${input.campaign_id}/${input.variant_id}/${videoId}`;
  const started = nowIso();
  return withWorkDir(input.execution, async (dir) => {
    const store = blobs();
    const jobs = [];
    for (const scene of script.scenes) {
      const clip = input.clips.find((c) => c.scene_id === scene.scene_id);
      const job = clip ? await findJob(input.campaign_id, clip.job_id) : undefined;
      if (!job?.result_url) throw new NotFoundError('rendered clip of scene', scene.scene_id);
      jobs.push({
        scene,
        job,
        file: await store.download(keyOf(job.result_url), path.join(dir, `clip-${scene.sequence}.mp4`)),
      });
    }
    const voicePath = await store.download(input.voiceover_key, path.join(dir, 'voice.wav'));
    const musicPath = await store.download(input.music_key, path.join(dir, 'music.m4a'));
    const cues = buildCues(
      voice.words.map((w) => ({ text: w.text, startSeconds: w.start_seconds, endSeconds: w.end_seconds })),
      { breaks: sceneStarts(script.scenes) },
    );
    const assPath = path.join(dir, 'captions.ass');
    // Master captions sit above the bottom 22 % (where short-form apps draw their UI).
    writeFileSync(
      assPath,
      toAss(cues, {
        width,
        height,
        fontSize: Math.round(height * 0.034),
        marginLeft: Math.round(width * 0.08),
        marginRight: Math.round(width * 0.14),
        marginBottom: Math.round(height * 0.22),
      }),
    );
    const out = {
      clean: path.join(dir, 'clean.mp4'),
      captioned: path.join(dir, 'master.mp4'),
      mix: path.join(dir, 'mix.m4a'),
    };
    const provenance = buildProvenance(
      jobs.map(({ scene, job }) => ({
        scene_id: scene.scene_id,
        seconds: scene.duration_seconds,
        model:
          typeof job.parameters.provider_model === 'string' ? job.parameters.provider_model : job.model_name,
        provider: job.provider,
      })),
      script.total_duration_seconds,
    );
    const assembled = await assembleMaster({
      // Each clip conformed to its scene: reframed, frame rate, trimmed (Nova Reel's 6 s steps, Veo's 8 s).
      clips: jobs.map((j) => ({ path: j.file, seconds: j.scene.duration_seconds })),
      providerAudio: config.BIE_PROVIDER_AUDIO,
      metadata: provenanceMetadata(provenance),
      voicePath,
      musicPath,
      assPath,
      fontFile: fontPath(),
      outCleanPath: out.clean,
      outCaptionedPath: out.captioned,
      outMixPath: out.mix,
      width,
      height,
      fps,
      durationSeconds: script.total_duration_seconds,
    });
    logger.info('master assembled', {
      video_copied: assembled.videoCopied,
      provider_audio_clips: assembled.providerAudioClips,
      integrated_lufs: assembled.loudness.integratedLufs,
      true_peak_dbtp: assembled.loudness.truePeakDbtp,
    });
    const master = await store.putFile(`${base}/master.mp4`, out.captioned, 'video/mp4');
    const clean = await store.putFile(`${base}/clean.mp4`, out.clean, 'video/mp4');
    const mix = await store.putFile(`${base}/mix.m4a`, out.mix, 'audio/mp4');
    const captions = await store.put(
      `captions/${input.campaign_id}/${input.variant_id}/${videoId}.vtt`,
      toVtt(cues),
      'text/vtt',
    );
    await store.put(
      `captions/${input.campaign_id}/${input.variant_id}/${videoId}.srt`,
      toSrt(cues),
      'application/x-subrip',
    );
    const video = VideoAssets.parse({
      video_id: videoId,
      script_id: script.script_id,
      campaign_id: input.campaign_id,
      variant_id: input.variant_id,
      master_mp4_url: master,
      clean_master_mp4_url: clean,
      captions_url: captions,
      master_duration_seconds: script.total_duration_seconds,
      scene_clips: jobs.map(({ scene, job }) => ({
        scene_id: scene.scene_id,
        sequence: scene.sequence,
        clip_url: job.result_url,
        duration_seconds: scene.duration_seconds,
        model_used: job.model_name,
        provider: job.provider,
        generation_job_id: job.provider_job_id ?? job.job_id,
        cost_usd: job.cost_usd,
      })),
      provenance,
      audio_assets: {
        voiceover_url: store.url(input.voiceover_key),
        background_music_url: store.url(input.music_key),
        sfx_urls: [],
        synced_audio_url: mix,
      },
      metadata: {
        generation_started_at: started,
        generation_completed_at: nowIso(),
        total_cost_usd: Math.round(jobs.reduce((t, j) => t + j.job.cost_usd, 0) * 1e6) / 1e6,
        models_used: [...new Set(jobs.map((j) => j.job.model_name))],
        quality_score: 0,
      },
      approval_status: 'pending',
    });
    await videos.put(video);
    return { video_id: videoId };
  });
});

const findJob = (campaignId: string, jobId: string) => renderJobs.get(campaignId, jobId);
