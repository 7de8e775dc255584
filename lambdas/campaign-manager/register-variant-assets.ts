import { z } from 'zod';
import { LedgerEntry } from '../shared/contracts/index.js';
import { ledgerEntries } from '../shared/data/ledger.js';
import { assets, briefs, scripts, variants, videos, workDocs } from '../shared/data/repositories.js';
import { emitEvent } from '../shared/events.js';
import { stepHandler } from '../shared/handler.js';
import { nowIso, stableUuid } from '../shared/ids.js';
import { toMicros, toUsd } from '../shared/money.js';

const Input = z.object({
  campaign_id: z.uuid(),
  brief_id: z.uuid(),
  variant: z.object({
    variant_id: z.uuid(),
    variant_type: z.string(),
    script_id: z.uuid(),
    video_id: z.uuid(),
  }),
  execution: z.string(),
});

/** Registers a variant's brief, script, video and audio in the asset registry and writes its ledger_entry. */
export const handler = stepHandler(
  'RegisterVariantAssets',
  Input,
  async ({ campaign_id, brief_id, variant }) => {
    const [brief, script, video] = await Promise.all([
      briefs.get(campaign_id, brief_id),
      scripts.latest(campaign_id, variant.script_id),
      videos.get(campaign_id, variant.video_id),
    ]);
    const now = nowIso();
    const v = variant.variant_id;
    await assets.register({
      asset_id: brief.brief_id,
      campaign_id,
      variant_id: v,
      asset_type: 'brief',
      subject_id: brief.brief_id,
      asset_metadata: { alignment: brief.brand_alignment_score },
      created_at: now,
    });
    await assets.register({
      asset_id: `${script.script_id}-v${script.version}`,
      campaign_id,
      variant_id: v,
      asset_type: 'script',
      subject_id: script.script_id,
      asset_metadata: { version: script.version, compliance: script.brand_compliance_score },
      created_at: now,
    });
    await assets.register({
      asset_id: video.video_id,
      campaign_id,
      variant_id: v,
      asset_type: 'video',
      subject_id: video.video_id,
      asset_url: video.master_mp4_url,
      asset_metadata: { duration: video.master_duration_seconds, quality: video.metadata.quality_score },
      created_at: now,
    });
    await assets.register({
      asset_id: `${video.video_id}-audio`,
      campaign_id,
      variant_id: v,
      asset_type: 'audio',
      subject_id: video.video_id,
      asset_url: video.audio_assets.synced_audio_url,
      asset_metadata: video.audio_assets,
      created_at: now,
    });
    const entries = await ledgerEntries(campaign_id);
    // Summed in micro-dollars (exact), shown in dollars.
    const sum = (pillar: string, variantOnly: boolean) =>
      entries
        .filter((e) => e.pillar === pillar && (!variantOnly || e.variant_id === v || !e.variant_id))
        .reduce((t, e) => t + toMicros(e.amount_usd), 0);
    const micros = {
      strategist_cost: sum('strategist', false),
      copywriter_cost: sum('copywriter', true),
      production_cost: sum('production', true),
      broadcaster_cost: sum('broadcaster', true),
    };
    const costs = Object.fromEntries(Object.entries(micros).map(([k, m]) => [k, toUsd(m)])) as Record<
      keyof typeof micros,
      number
    >;
    const entry = LedgerEntry.parse({
      entry_id: stableUuid('ledger_entry', campaign_id, v),
      campaign_id,
      variant_id: v,
      asset_registry: {
        brief_id,
        script_id: script.script_id,
        video_id: video.video_id,
        master_video_url: video.master_mp4_url,
        scene_clips: video.scene_clips.map((c) => c.clip_url),
        audio_assets: video.audio_assets,
      },
      cost_breakdown: {
        ...costs,
        total_cost: toUsd(Object.values(micros).reduce((a, b) => a + b, 0)),
      },
      status: 'completed',
      created_at: now,
      updated_at: now,
    });
    await workDocs.put(campaign_id, 'ledger_entry', v, entry);
    const current = await variants.get(campaign_id, v);
    await variants.put({
      ...current,
      brief_id,
      script_id: script.script_id,
      video_id: video.video_id,
      status: 'completed',
      updated_at: now,
    });
    await emitEvent('Variant Ready', v, { campaign_id, variant_id: v, video_url: video.master_mp4_url });
    return { variant_id: v, ledger_entry_id: entry.entry_id };
  },
);
