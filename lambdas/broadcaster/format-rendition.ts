import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { config } from '../shared/commons.js';
import { Platform, VoicePlan } from '../shared/contracts/index.js';
import { keyOf } from '../shared/data/blob-store.js';
import { scripts, videos, workDocs } from '../shared/data/repositories.js';
import { stepHandler } from '../shared/handler.js';
import { renderThumbnail } from '../shared/media/assemble.js';
import { buildCues, sceneStarts, toAss, toVtt } from '../shared/media/captions.js';
import { probeMedia } from '../shared/media/probe.js';
import { anyAiGenerated, provenanceMetadata, provenanceSummary } from '../shared/media/provenance.js';
import { renderRenditions, shareRenditions } from '../shared/media/renditions.js';
import { fontPath } from '../shared/media/tools.js';
import { blobs } from '../shared/services.js';
import { withWorkDir } from '../shared/workdir.js';
import { loadPackage, PlatformCopies } from './context.js';
import { PLATFORM_SPECS } from './domain/platforms.js';

const Input = z
  .object({
    campaign_id: z.uuid(),
    variant_id: z.uuid(),
    publication_id: z.uuid(),
    /** Every platform of the variant (one step renders them all from one decode of the master). */
    platforms: z.array(Platform).min(1).optional(),
    /** One platform: the former per-platform step, still accepted (e.g. a journal being replayed). */
    platform: Platform.optional(),
    feedback: z.string().default(''),
    execution: z.string(),
  })
  .refine((i) => i.platforms || i.platform, { message: 'platforms is required', path: ['platforms'] });

/**
 * Every platform of a variant: one decode of the clean master feeds each distinct rendition (same-size
 * platforms share one encode), captions drawn in those final encodes inside the safe zones, a thumbnail
 * and caption files per platform, and the AI-generated disclosure on each post record.
 */
export const handler = stepHandler('FormatRendition', Input, async (input) => {
  const platforms = input.platforms ?? [input.platform as Platform];
  const pkg = await loadPackage(input.campaign_id, input.variant_id);
  const video = await videos.get(input.campaign_id, pkg.video_id);
  const script = await scripts.latest(input.campaign_id, pkg.script_id);
  const voice = await workDocs.get(
    input.campaign_id,
    'voice',
    `${script.script_id}-v${script.version}`,
    VoicePlan,
  );
  const copies = await workDocs.get(input.campaign_id, 'platform_copy', input.publication_id, PlatformCopies);
  for (const p of platforms) if (!copies[p]) throw new Error(`no copy planned for ${p}`);
  const scale = config.BIE_RENDITION_SCALE;
  const groups = shareRenditions(
    [...new Set(platforms)].map((platform) => {
      const spec = PLATFORM_SPECS[platform];
      return { platform, width: spec.width * scale, height: spec.height * scale, safeZone: spec.safe_zone };
    }),
  );
  const aiGenerated = anyAiGenerated(video.provenance);
  const summary = provenanceSummary(video.provenance);
  return withWorkDir(`${input.execution}:${platforms.join(',')}`, async (dir) => {
    const store = blobs();
    const clean = await store.download(keyOf(video.clean_master_mp4_url), path.join(dir, 'clean.mp4'));
    const words = voice.words.map((w) => ({
      text: w.text,
      startSeconds: w.start_seconds,
      endSeconds: w.end_seconds,
    }));
    const rendered = groups.map((g) => {
      const W = g.width;
      const H = g.height;
      const aspect = PLATFORM_SPECS[g.platforms[0] as Platform].aspect_ratio;
      const cues = buildCues(words, {
        maxChars: aspect === '16:9' ? 42 : 28,
        breaks: sceneStarts(script.scenes),
      });
      const assPath = path.join(dir, `${g.key}.ass`);
      writeFileSync(
        assPath,
        toAss(cues, {
          width: W,
          height: H,
          fontSize: Math.round(Math.min(W, H) * 0.05),
          marginLeft: Math.round(g.zone.left * scale),
          marginRight: Math.round(g.zone.right * scale),
          marginBottom: Math.round(g.zone.bottom * scale),
        }),
      );
      return { ...g, cues, assPath, outPath: path.join(dir, `${g.key}.mp4`) };
    });
    await renderRenditions({
      masterPath: clean,
      targets: rendered.map((r) => ({
        outPath: r.outPath,
        width: r.width,
        height: r.height,
        assPath: r.assPath,
      })),
      metadata: provenanceMetadata(video.provenance),
    });
    const titleFile = path.join(dir, 'title.txt');
    writeFileSync(
      titleFile,
      script.hook.text.length > 48 ? `${script.hook.text.slice(0, 46)}…` : script.hook.text,
    );
    const firstScene = script.scenes[0]?.duration_seconds ?? 3;
    const posts: { platform: Platform; post_key: string }[] = [];
    for (const r of rendered) {
      const info = await probeMedia(r.outPath);
      const thumb = path.join(dir, `${r.key}.jpg`);
      await renderThumbnail({
        videoPath: r.outPath,
        atSeconds: Math.min(firstScene / 2, info.durationSeconds / 3),
        outPath: thumb,
        width: r.width,
        height: r.height,
        titleFile,
        fontFile: fontPath(),
        bandColour: video.scene_clips.length ? undefined : '#000000',
      });
      for (const platform of r.platforms) {
        const copy = copies[platform] as NonNullable<(typeof copies)[string]>;
        const base = `renditions/${platform}/${input.campaign_id}/${input.variant_id}/${input.publication_id}`;
        const renditionKey = `${base}.mp4`;
        const thumbnailKey = `thumbnails/${platform}/${input.campaign_id}/${input.variant_id}/${input.publication_id}.jpg`;
        const captionsKey = `captions/${input.campaign_id}/${input.variant_id}/${input.publication_id}-${platform}.vtt`;
        await store.putFile(renditionKey, r.outPath, 'video/mp4');
        await store.putFile(thumbnailKey, thumb, 'image/jpeg');
        await store.put(captionsKey, toVtt(r.cues), 'text/vtt');
        await store.put(
          `${base}.caption.txt`,
          `${copy.title ? `${copy.title}\n\n` : ''}${copy.caption}\n`,
          'text/plain',
        );
        const postKey = `${input.publication_id}:${platform}`;
        await workDocs.put(input.campaign_id, 'formatted', postKey, {
          platform,
          rendition_key: renditionKey,
          thumbnail_key: thumbnailKey,
          captions_key: captionsKey,
          caption: copy.caption,
          hashtags: copy.hashtags,
          title: copy.title,
          duration_seconds: Math.round(info.durationSeconds * 1000) / 1000,
          aspect_ratio: PLATFORM_SPECS[platform].aspect_ratio,
          ai_generated: aiGenerated,
          provenance_summary: summary,
        });
        posts.push({ platform, post_key: postKey });
      }
    }
    // In the order asked, so the publish Map and the post records read the same as before.
    posts.sort((a, b) => platforms.indexOf(a.platform) - platforms.indexOf(b.platform));
    return input.platform && !input.platforms ? (posts[0] as (typeof posts)[number]) : { posts };
  });
});
