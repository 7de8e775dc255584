import type {
  Approval,
  Campaign,
  CampaignCard,
  CampaignDetail,
  CostEntry,
  Pillar,
  PillarState,
  SceneCost,
} from '../../shared/contracts/index.js';
import { CampaignStatus } from '../../shared/contracts/index.js';
import { ledgerEntries } from '../../shared/data/ledger.js';
import {
  approvals,
  briefs,
  campaigns,
  publications,
  renderJobs,
  scripts,
  variants,
  videos,
} from '../../shared/data/repositories.js';
import { toMicros, toUsd } from '../../shared/money.js';

const PILLARS: Pillar[] = ['strategist', 'copywriter', 'production', 'campaign_manager', 'broadcaster'];

/** Which pillar waits on a checkpoint's approval. */
const CHECKPOINT_PILLAR: Record<Approval['checkpoint'], Pillar> = {
  brief: 'strategist',
  alignment_review: 'strategist',
  script: 'copywriter',
  compliance_review: 'copywriter',
  hook_review: 'copywriter',
  video: 'production',
  publication: 'broadcaster',
  budget: 'campaign_manager',
};

interface Evidence {
  campaign: Campaign;
  done: Record<Pillar, boolean>;
  pending: Approval[];
}

/**
 * A pillar is done when its output exists (brief, script, video, settled ledger, publication) and
 * waits on a human while one of its checkpoints is pending; the first pillar not done is the one
 * running (or the one that failed, when the campaign did).
 */
export function pillarStates(e: Evidence): Record<Pillar, PillarState> {
  const waiting = new Set(e.pending.map((a) => CHECKPOINT_PILLAR[a.checkpoint]));
  const finished = e.campaign.status === 'published' || e.campaign.status === 'completed';
  const current = PILLARS.find((p) => !e.done[p] || waiting.has(p));
  return Object.fromEntries(
    PILLARS.map((p) => {
      if (waiting.has(p)) return [p, 'awaiting_approval'];
      if (finished || e.done[p]) return [p, 'done'];
      if (p !== current) return [p, 'waiting'];
      if (e.campaign.status === 'failed' || e.campaign.status === 'cancelled') return [p, 'failed'];
      return [p, 'running'];
    }),
  ) as Record<Pillar, PillarState>;
}

function costsByPillar(entries: CostEntry[]) {
  const sums = new Map<Pillar, { amount: number; list: number }>(
    PILLARS.map((p) => [p, { amount: 0, list: 0 }]),
  );
  for (const e of entries) {
    const s = sums.get(e.pillar);
    if (!s) continue;
    s.amount += toMicros(e.amount_usd);
    s.list += toMicros(e.list_price_usd);
  }
  return sums;
}

async function evidence(campaign: Campaign) {
  const id = campaign.campaign_id;
  const [b, s, v, a, entries, p, vs] = await Promise.all([
    briefs.list(id),
    scripts.list(id),
    videos.list(id),
    approvals.list(id),
    ledgerEntries(id),
    publications.list(id),
    variants.list(id),
  ]);
  const done: Record<Pillar, boolean> = {
    strategist: b.length > 0 && s.length > 0,
    copywriter: s.length > 0 && v.length > 0,
    production: v.length > 0 && v.some((x) => x.approval_status === 'approved'),
    campaign_manager: p.length > 0,
    broadcaster: campaign.status === 'published',
  };
  return { briefs: b, scripts: s, videos: v, approvals: a, entries, publications: p, variants: vs, done };
}

function card(campaign: Campaign, ev: Awaited<ReturnType<typeof evidence>>): CampaignCard {
  const pending = ev.approvals.filter((a) => a.status === 'pending');
  const states = pillarStates({ campaign, done: ev.done, pending });
  const sums = costsByPillar(ev.entries);
  const spent = [...sums.values()].reduce((t, s) => t + s.amount, 0);
  return {
    campaign_id: campaign.campaign_id,
    campaign_name: campaign.campaign_name,
    brand_id: campaign.brand_id,
    status: campaign.status,
    budget_usd: campaign.budget_limit_usd,
    spent_usd: toUsd(spent),
    pillars: PILLARS.map((p) => ({
      pillar: p,
      state: states[p],
      cost_usd: toUsd(sums.get(p)?.amount ?? 0),
      list_price_usd: toUsd(sums.get(p)?.list ?? 0),
    })),
    pending_approvals: pending.map((a) => ({
      approval_id: a.approval_id,
      checkpoint: a.checkpoint,
      ...(a.variant_id ? { variant_id: a.variant_id } : {}),
    })),
    variants: ev.variants.length,
    ...(campaign.failure ? { failure: campaign.failure } : {}),
    created_at: campaign.created_at,
    updated_at: campaign.updated_at,
  };
}

export async function campaignCard(campaign: Campaign): Promise<CampaignCard> {
  return card(campaign, await evidence(campaign));
}

/** Every campaign (newest first), or one brand's. */
export async function campaignCards(brandId?: string): Promise<CampaignCard[]> {
  const list = brandId
    ? await campaigns.listByBrand(brandId)
    : (await Promise.all(CampaignStatus.options.map((s) => campaigns.listByStatus(s)))).flat();
  const cards = await Promise.all(list.map(campaignCard));
  return cards.sort((a, b) => b.created_at.localeCompare(a.created_at));
}

/** Render costs per scene of each variant: every attempt (fallbacks, regenerations) and its charge. */
export async function sceneCosts(campaignId: string): Promise<SceneCost[]> {
  const [jobs, s] = await Promise.all([renderJobs.list(campaignId), scripts.list(campaignId)]);
  const sequence = new Map(s.flatMap((x) => x.scenes.map((sc) => [sc.scene_id, sc.sequence] as const)));
  const rows = new Map<string, SceneCost & { amount: number; list: number }>();
  for (const j of jobs) {
    const key = `${j.variant_id}:${j.scene_id}`;
    const row = rows.get(key) ?? {
      variant_id: j.variant_id,
      scene_id: j.scene_id,
      sequence: sequence.get(j.scene_id) ?? 1,
      amount_usd: 0,
      list_price_usd: 0,
      attempts: 0,
      models: [],
      amount: 0,
      list: 0,
    };
    row.attempts++;
    if (!row.models.includes(j.model_name)) row.models.push(j.model_name);
    // A render is charged once, when it completes (SubmitRender/completeRender).
    if (j.status === 'completed') {
      row.amount += toMicros(j.cost_usd);
      row.list += toMicros(j.list_price_usd ?? j.cost_usd);
    }
    rows.set(key, row);
  }
  return [...rows.values()]
    .map(({ amount, list, ...r }) => ({ ...r, amount_usd: toUsd(amount), list_price_usd: toUsd(list) }))
    .sort((a, b) => a.variant_id.localeCompare(b.variant_id) || a.sequence - b.sequence);
}

export async function campaignDetail(campaignId: string): Promise<CampaignDetail> {
  const campaign = await campaigns.mustGet(campaignId);
  const ev = await evidence(campaign);
  return {
    ...card(campaign, ev),
    scene_costs: await sceneCosts(campaignId),
    entries: ev.entries,
    approvals: ev.approvals.map(({ task_token: _t, ...rest }) => rest),
    publications: ev.publications,
  };
}
