import { ledgerEntries, ledgerSummary } from '../../shared/data/ledger.js';
import {
  approvals,
  assets,
  audit,
  briefs,
  campaigns,
  publications,
  scripts,
  variants,
  videos,
} from '../../shared/data/repositories.js';

/** Everything known about a campaign, for `GET /campaigns/{id}`, `bie status` and `bie run --json`. */
export async function campaignView(campaignId: string) {
  const campaign = await campaigns.mustGet(campaignId);
  const [b, s, v, a, l, entries, p, reg, vs, log] = await Promise.all([
    briefs.list(campaignId),
    scripts.list(campaignId),
    videos.list(campaignId),
    approvals.list(campaignId),
    ledgerSummary(campaignId),
    ledgerEntries(campaignId),
    publications.list(campaignId),
    assets.list(campaignId),
    variants.list(campaignId),
    audit.list(campaignId),
  ]);
  return {
    campaign,
    variants: vs,
    briefs: b,
    scripts: s,
    videos: v,
    approvals: a.map(({ task_token: _t, ...rest }) => rest),
    ledger: { ...l, entries },
    publications: p,
    assets: reg,
    audit: log,
  };
}
export type CampaignView = Awaited<ReturnType<typeof campaignView>>;
