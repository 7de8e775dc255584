import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { config, logger } from '../shared/commons.js';
import {
  type RenderJob,
  type SceneClip,
  type UnrenderedScene,
  VideoAssets,
  VoicePlan,
} from '../shared/contracts/index.js';
import { keyOf } from '../shared/data/blob-store.js';
import { renderJobs, scripts, videos, workDocs } from '../shared/data/repositories.js';
import { NotFoundError } from '../shared/errors.js';
import { stepHandler } from '../shared/handler.js';
import { nowIso, stableUuid } from '../shared/ids.js';
import { assembleMaster } from '../shared/media/assemble.js';
import { buildCues, sceneStarts, toAss, toSrt, toVtt } from '../shared/media/captions.js';
import { buildProvenance, provenanceMetadata } from '../shared/media/provenance.js';
import { renderSlate, SLATE_MODEL, SLATE_PROVIDER } from '../shared/media/slate.js';
import { blobs } from '../shared/services.js';
import { masterSize, withWorkDir } from '../shared/workdir.js';
import { ClipRef, sceneAttempts, shortReason, unrenderedScene } from './domain/unrendered.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  script_id: z.uuid(),
  clips: z.array(ClipRef).min(1),
  voiceover_key: z.string(),
  music_key: z.string(),
  /** The delivered mix ComposeMusic made from the voice and the music (used when provider audio is muted). */
  mix_key: z.string().optional(),
  execution: z.string(),
});

/**
 * Master 9:16 video: clips in script order, voice over a ducked music bed, captions timed to the voice.
 * A scene no model could render gets a marked slate of its exact length (the voice keeps its timing);
 * such a master is for review only (the approval refuses it, renditions refuse a slate).
 */
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
    const parts: Part[] = [];
    const allJobs = input.clips.some((c) => c.unrendered) ? await renderJobs.list(input.campaign_id) : [];
    for (const scene of script.scenes) {
      const clip = input.clips.find((c) => c.scene_id === scene.scene_id);
      const file = path.join(dir, `clip-${scene.sequence}.mp4`);
      if (clip?.unrendered) {
        const attempts = sceneAttempts(allJobs, input.execution, scene.scene_id, clip.rework_round);
        const unrendered = unrenderedScene(attempts);
        const model = clip.model ?? attempts[0]?.model_name;
        if (!model) throw new NotFoundError('routed model of unrendered scene', scene.scene_id);
        // Drawn, not generated: nothing is charged for it.
        await renderSlate({
          outPath: file,
          width,
          height,
          fps,
          durationSeconds: scene.duration_seconds,
          palette: scene.visual_cues.color_palette,
          title: `Scene ${scene.sequence} not rendered`,
          detail: `— ${shortReason(unrendered)}`,
        });
        const slateUrl = await store.putFile(`${base}/slates/scene-${scene.sequence}.mp4`, file, 'video/mp4');
        parts.push({ scene, file, slate: { url: slateUrl, model, unrendered } });
        continue;
      }
      const job = clip?.job_id ? await findJob(input.campaign_id, clip.job_id) : undefined;
      if (!job?.result_url) throw new NotFoundError('rendered clip of scene', scene.scene_id);
      parts.push({ scene, job, file: await store.download(keyOf(job.result_url), file) });
    }
    const jobs = parts.flatMap((p) => (p.job ? [p.job] : []));
    // The mix ComposeMusic made while the scenes rendered, when the clips' own sound is muted; else the
    // voice and the music, mixed here with the clips' sound.
    const mixPath =
      input.mix_key && config.BIE_PROVIDER_AUDIO === 'mute'
        ? await store.download(input.mix_key, path.join(dir, 'delivered-mix.m4a'))
        : undefined;
    const voiceoverPath = mixPath
      ? undefined
      : await store.download(input.voiceover_key, path.join(dir, 'voice.wav'));
    const musicPath = mixPath
      ? undefined
      : await store.download(input.music_key, path.join(dir, 'music.m4a'));
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
      parts.map(({ scene, job }) => ({
        scene_id: scene.scene_id,
        seconds: scene.duration_seconds,
        model: !job
          ? SLATE_MODEL
          : typeof job.parameters.provider_model === 'string'
            ? job.parameters.provider_model
            : job.model_name,
        provider: job ? job.provider : SLATE_PROVIDER,
      })),
      script.total_duration_seconds,
    );
    const assembled = await assembleMaster({
      // Each clip conformed to its scene: reframed, frame rate, trimmed (Nova Reel's 6 s steps, Veo's 8 s).
      clips: parts.map((p) => ({ path: p.file, seconds: p.scene.duration_seconds })),
      providerAudio: config.BIE_PROVIDER_AUDIO,
      metadata: provenanceMetadata(provenance),
      voiceoverPath,
      musicPath,
      assPath,
      outCleanPath: out.clean,
      outCaptionedPath: out.captioned,
      outMixPath: out.mix,
      mixPath,
      width,
      height,
      fps,
      targetDurationSeconds: script.total_duration_seconds,
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
      scene_clips: parts.map(sceneClip),
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
        total_cost_usd: Math.round(jobs.reduce((t, j) => t + j.cost_usd, 0) * 1e6) / 1e6,
        models_used: [...new Set(jobs.map((j) => j.model_name))],
        quality_score: 0,
      },
      approval_status: 'pending',
    });
    await videos.put(video);
    return { video_id: videoId };
  });
});

const findJob = (campaignId: string, jobId: string) => renderJobs.get(campaignId, jobId);

type Scene = Awaited<ReturnType<typeof scripts.latest>>['scenes'][number];

/** A scene of the master: its rendered clip's job, or the slate that holds its seconds. */
type Part = { scene: Scene; file: string } & (
  | { job: RenderJob; slate?: undefined }
  | { job?: undefined; slate: { url: string; model: SceneClip['model_used']; unrendered: UnrenderedScene } }
);

function sceneClip(p: Part): SceneClip {
  const common = {
    scene_id: p.scene.scene_id,
    sequence: p.scene.sequence,
    duration_seconds: p.scene.duration_seconds,
  };
  if (p.job)
    return {
      ...common,
      clip_url: p.job.result_url as string,
      model_used: p.job.model_name,
      provider: p.job.provider,
      generation_job_id: p.job.provider_job_id ?? p.job.job_id,
      cost_usd: p.job.cost_usd,
    };
  // The routed model the scene was meant for; no job made these seconds.
  return {
    ...common,
    clip_url: p.slate.url,
    model_used: p.slate.model,
    provider: SLATE_PROVIDER,
    generation_job_id: `${SLATE_PROVIDER}-${p.scene.scene_id}`,
    cost_usd: 0,
    unrendered: p.slate.unrendered,
  };
}
