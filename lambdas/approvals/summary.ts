import { z } from 'zod';
import type { Checkpoint } from '../shared/contracts/index.js';
import { briefs, publications, scripts, videos, workDocs } from '../shared/data/repositories.js';

/** What the reviewer is asked to decide, in a few lines for the mail, the CLI and the API. */
export async function describeSubject(
  campaignId: string,
  checkpoint: Checkpoint,
  subjectId: string,
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
      ].join('\n');
    }
    case 'script':
    case 'compliance_review': {
      const s = (await scripts.list(campaignId)).filter((x) => x.script_id === subjectId).pop();
      if (!s) return `Script ${subjectId}`;
      return [
        `Script ${s.script_id} v${s.version} (${s.variant_tag}, ${s.total_duration_seconds}s, compliance ${s.brand_compliance_score})`,
        `Hook: ${s.hook.text} (quality ${s.hook.quality_score}, ${s.hook.variations_generated} variations)`,
        ...s.scenes.map((sc) => `  ${sc.sequence}. [${sc.duration_seconds}s] ${sc.voiceover_text}`),
      ].join('\n');
    }
    case 'video': {
      const v = await videos.get(campaignId, subjectId);
      return `Video ${v.video_id}: ${v.master_duration_seconds.toFixed(1)}s, quality ${v.metadata.quality_score}, models ${v.metadata.models_used.join(', ')}\nMaster: ${v.master_mp4_url}`;
    }
    case 'publication': {
      const posts = await workDocs.find(
        campaignId,
        'platform_copy',
        subjectId,
        z.record(z.string(), z.object({ caption: z.string(), hashtags: z.array(z.string()) })),
      );
      const known = await publications.list(campaignId);
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
