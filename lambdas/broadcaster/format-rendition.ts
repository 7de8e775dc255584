import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { config } from '../shared/commons.js';
import { Platform, VoicePlan } from '../shared/contracts/index.js';
import { keyOf } from '../shared/data/blob-store.js';
import { scripts, videos, workDocs } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { renderRendition, renderThumbnail } from '../shared/media/assemble.js';
import { buildCues, sceneStarts, toAss, toVtt } from '../shared/media/captions.js';
import { probeMedia } from '../shared/media/probe.js';
import { fontPath } from '../shared/media/tools.js';
import { blobs } from '../shared/services.js';
import { withWorkDir } from '../shared/workdir.js';
import { loadPackage, PlatformCopies } from './context.js';
import { PLATFORM_SPECS } from './domain/platforms.js';

const Input = z.object({
  campaign_id: z.uuid(),
  variant_id: z.uuid(),
  publication_id: z.uuid(),
  platform: Platform,
  feedback: z.string().default(''),
  execution: z.string(),
});

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** One platform: rendition at its size with captions in its safe zone, a thumbnail and caption files. */
export const handler = stepHandler('FormatRendition', Input, async (input) => {
  const pkg = await loadPackage(input.campaign_id, input.variant_id);
  const video = await videos.get(input.campaign_id, pkg.video_id);
  const script = await scripts.latest(input.campaign_id, pkg.script_id);
  const voice = await workDocs.get(
    input.campaign_id,
    'voice',
    `${script.script_id}-v${script.version}`,
    VoicePlan,
  );
  const copy = (await workDocs.get(input.campaign_id, 'platform_copy', input.publication_id, PlatformCopies))[
    input.platform
  ];
  if (!copy) throw new Error(`no copy planned for ${input.platform}`);
  const spec = PLATFORM_SPECS[input.platform];
  const scale = config.BIE_RENDITION_SCALE;
  const W = even(spec.width * scale);
  const H = even(spec.height * scale);
  const z0 = spec.safe_zone;
  const base = `renditions/${input.platform}/${input.campaign_id}/${input.variant_id}/${input.publication_id}`;
  return withWorkDir(`${input.execution}:${input.platform}`, async (dir) => {
    const store = blobs();
    const clean = await store.download(keyOf(video.clean_master_mp4_url), path.join(dir, 'clean.mp4'));
    const cues = buildCues(
      voice.words.map((w) => ({ text: w.text, startSeconds: w.start_seconds, endSeconds: w.end_seconds })),
      { maxChars: spec.aspect_ratio === '16:9' ? 42 : 28, breaks: sceneStarts(script.scenes) },
    );
    const assPath = path.join(dir, 'captions.ass');
    writeFileSync(
      assPath,
      toAss(cues, {
        width: W,
        height: H,
        fontSize: Math.round(Math.min(W, H) * 0.05),
        marginLeft: Math.round(z0.left * scale),
        marginRight: Math.round(z0.right * scale),
        marginBottom: Math.round(z0.bottom * scale),
      }),
    );
    const out = path.join(dir, `${input.platform}.mp4`);
    await renderRendition({
      masterPath: clean,
      outPath: out,
      width: W,
      height: H,
      assPath,
      fontFile: fontPath(),
    });
    const info = await probeMedia(out);
    const titleFile = path.join(dir, 'title.txt');
    writeFileSync(
      titleFile,
      script.hook.text.length > 48 ? `${script.hook.text.slice(0, 46)}…` : script.hook.text,
    );
    const thumb = path.join(dir, 'thumb.jpg');
    const firstScene = script.scenes[0]?.duration_seconds ?? 3;
    await renderThumbnail({
      videoPath: out,
      atSeconds: Math.min(firstScene / 2, info.durationSeconds / 3),
      outPath: thumb,
      width: W,
      height: H,
      titleFile,
      fontFile: fontPath(),
      bandColour: video.scene_clips.length ? undefined : '#000000',
    });
    const renditionKey = `${base}.mp4`;
    const thumbnailKey = `thumbnails/${input.platform}/${input.campaign_id}/${input.variant_id}/${input.publication_id}.jpg`;
    const captionsKey = `captions/${input.campaign_id}/${input.variant_id}/${input.publication_id}-${input.platform}.vtt`;
    await store.putFile(renditionKey, out, 'video/mp4');
    await store.putFile(thumbnailKey, thumb, 'image/jpeg');
    await store.put(captionsKey, toVtt(cues), 'text/vtt');
    await store.put(
      `${base}.caption.txt`,
      `${copy.title ? `${copy.title}\n\n` : ''}${copy.caption}\n`,
      'text/plain',
    );
    const postKey = `${input.publication_id}:${input.platform}`;
    await workDocs.put(input.campaign_id, 'formatted', postKey, {
      platform: input.platform,
      rendition_key: renditionKey,
      thumbnail_key: thumbnailKey,
      captions_key: captionsKey,
      caption: copy.caption,
      hashtags: copy.hashtags,
      title: copy.title,
      duration_seconds: Math.round(info.durationSeconds * 1000) / 1000,
      aspect_ratio: spec.aspect_ratio,
    });
    return { platform: input.platform, post_key: postKey };
  });
});
