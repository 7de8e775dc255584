import { z } from 'zod';
import { HookSet } from '../copywriter/domain/hooks.js';
import type { ApprovalMedia, Checkpoint, HookChoice } from '../shared/contracts/index.js';
import { briefs, publications, scripts, videos, workDocs } from '../shared/data/repositories.js';

export interface SubjectDescription {
  /** A few lines for the mail, the CLI and the API. */
  summary: string;
  /** What to watch: bucket keys, shown as presigned links (never `s3://` addresses, which nobody can open). */
  media: ApprovalMedia[];
  /** Hooks the reviewer picks from (hook_review). */
  choices?: HookChoice[];
}

/** `s3://bucket/key` → key; anything else is not one of our objects. */
export const keyOfS3 = (url: string): string | undefined => /^s3:\/\/[^/]+\/(.+)$/.exec(url)?.[1];

/** What of a formatted post the review reads: its rendition and thumbnail keys. */
export const FormattedKeys = z.object({ rendition_key: z.string(), thumbnail_key: z.string() });
/** Caption and hashtags per platform of a publication (work document `platform_copy`). */
export const PlatformCopy = z.record(
  z.string(),
  z.object({ caption: z.string(), hashtags: z.array(z.string()) }),
);

/** What the reviewer is asked to decide. */
export async function describeSubject(
  campaignId: string,
  checkpoint: Checkpoint,
  subjectId: string,
): Promise<SubjectDescription> {
  const media: ApprovalMedia[] = [];
  if (checkpoint === 'hook_review') {
    const set = await workDocs.get(campaignId, 'hookset', subjectId, HookSet);
    const choices = set.top.map((h) => ({
      hook_id: h.hook_id,
      text: h.text,
      quality_score: h.quality_score,
    }));
    return { summary: hookReviewSummary(set), media, choices };
  }
  const summary = await summarize(campaignId, checkpoint, subjectId, media);
  if (checkpoint === 'script') {
    // The reviewer may send the script back to be rewritten around another of its top hooks.
    const s = (await scripts.list(campaignId)).filter((x) => x.script_id === subjectId).pop();
    const choices = (s?.top_hooks ?? []).map((h) => ({
      hook_id: h.hook_id,
      text: h.text,
      quality_score: h.quality_score,
    }));
    if (choices.length > 1) return { summary, media, choices };
  }
  return { summary, media };
}

/** Why the hooks are here and what to choose from: the top 3, best first, with their scores. */
function hookReviewSummary(set: HookSet): string {
  return [
    `Hook review: ${set.gate?.reason ?? `the best hook of ${set.count} scored ${set.selected.quality_score}`}`,
    'Choose the hook the script opens with (approve with chosen_hook_id; approving without one takes the first):',
    ...set.top.map((h, i) => `  ${i + 1}. ${h.text} (quality ${h.quality_score}, id ${h.hook_id})`),
  ].join('\n');
}

async function summarize(
  campaignId: string,
  checkpoint: Checkpoint,
  subjectId: string,
  media: ApprovalMedia[],
): Promise<string> {
  switch (checkpoint) {
    case 'brief':
    case 'alignment_review': {
      const b = await briefs.get(campaignId, subjectId);
      return [
        `Creative brief ${b.brief_id}`,
        `Hook: ${b.core_message.primary_hook}`,
        `Value: ${b.core_message.value_proposition}`,
        `CTA: ${b.core_message.call_to_action}`,
        `Brand alignment: ${b.brand_alignment_score}`,
        `Trends: ${b.trending_insights.trending_topics.join('; ')}`,
        ...(b.alignment_findings?.length
          ? ['Findings:', ...b.alignment_findings.map((f) => `  - ${f}`)]
          : []),
      ].join('\n');
    }
    case 'script':
    case 'compliance_review': {
      const s = (await scripts.list(campaignId)).filter((x) => x.script_id === subjectId).pop();
      if (!s) return `Script ${subjectId}`;
      return [
        `Script ${s.script_id} v${s.version} (${s.variant_tag}, ${s.total_duration_seconds}s, compliance ${s.brand_compliance_score})`,
        `Hook: ${s.hook.text} (quality ${s.hook.quality_score}, ${s.hook.variations_generated} variations)`,
        ...(s.top_hooks.length > 1
          ? ['Top hooks:', ...s.top_hooks.map((h, i) => `  ${i + 1}. ${h.text} (quality ${h.quality_score})`)]
          : []),
        ...s.scenes.map((sc) => `  ${sc.sequence}. [${sc.duration_seconds}s] ${sc.voiceover_text}`),
        ...(s.compliance_findings?.length
          ? ['Findings:', ...s.compliance_findings.map((f) => `  - ${f}`)]
          : []),
      ].join('\n');
    }
    case 'video': {
      const v = await videos.get(campaignId, subjectId);
      const master = keyOfS3(v.master_mp4_url);
      const captions = keyOfS3(v.captions_url);
      if (master) media.push({ label: 'Master video', key: master, content_type: 'video/mp4' });
      if (captions) media.push({ label: 'Captions', key: captions, content_type: 'text/vtt' });
      // Each scene by id, with its clip: a reviewer may send back named scenes only.
      let start = 0;
      const scenes = [...v.scene_clips]
        .sort((a, b) => a.sequence - b.sequence)
        .map((c) => {
          const clip = keyOfS3(c.clip_url);
          const label = c.unrendered
            ? `Scene ${c.sequence} slate (not rendered)`
            : `Scene ${c.sequence} clip`;
          if (clip) media.push({ label, key: clip, content_type: 'video/mp4' });
          const what = c.unrendered
            ? `NOT RENDERED, a slate holds its seconds: ${c.unrendered.reason}`
            : c.model_used;
          const line = `- scene ${c.sequence} (${c.scene_id}): ${start.toFixed(1)}–${(start + c.duration_seconds).toFixed(1)} s, ${what}`;
          start += c.duration_seconds;
          return line;
        });
      const blocked = v.scene_clips.some((c) => c.unrendered)
        ? '\nThis video cannot be approved while a scene is not rendered: reject that scene with feedback and only it renders again.'
        : '';
      return `Video ${v.video_id}: ${v.master_duration_seconds.toFixed(1)}s, quality ${v.metadata.quality_score}, models ${v.metadata.models_used.join(', ')}\nScenes (reject some by id: scenes: [{ scene_id, feedback }]):\n${scenes.join('\n')}${blocked}`;
    }
    case 'publication': {
      const posts = await workDocs.find(campaignId, 'platform_copy', subjectId, PlatformCopy);
      const known = await publications.list(campaignId);
      for (const platform of Object.keys(posts ?? {})) {
        const f = await workDocs.find(campaignId, 'formatted', `${subjectId}:${platform}`, FormattedKeys);
        if (!f) continue;
        media.push(
          { label: `${platform} rendition`, key: f.rendition_key, content_type: 'video/mp4' },
          { label: `${platform} thumbnail`, key: f.thumbnail_key, content_type: 'image/jpeg' },
        );
      }
      return [
        `Publication ${subjectId}${known.length ? ` (${known.length} published before)` : ''}`,
        ...Object.entries(posts ?? {}).map(
          ([p, c]) => `  ${p}: ${c.caption.slice(0, 120)} ${c.hashtags.join(' ')}`,
        ),
      ].join('\n');
    }
    default:
      return `${checkpoint} ${subjectId}`;
  }
}
