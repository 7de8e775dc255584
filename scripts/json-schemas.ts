import { z } from 'zod';
import * as contracts from '../lambdas/shared/contracts/index.js';

/** The contracts published as JSON Schema (docs/schemas), named as the seed names them. */
export const PUBLISHED_CONTRACTS: Record<string, z.ZodType> = {
  campaign_request: contracts.CampaignRequest,
  create_campaign_body: contracts.CreateCampaignBody,
  creative_brief: contracts.CreativeBrief,
  script: contracts.Script,
  hook_variation: contracts.HookVariation,
  video_assets: contracts.VideoAssets,
  campaign_metadata: contracts.CampaignMetadata,
  ledger_entry: contracts.LedgerEntry,
  cost_entry: contracts.CostEntry,
  campaign_package: contracts.CampaignPackage,
  publication_package: contracts.PublicationPackage,
  approval: contracts.Approval,
  approval_decision: contracts.ApprovalDecisionBody,
  render_job: contracts.RenderJob,
  brand_profile: contracts.BrandProfile,
  campaign: contracts.Campaign,
  scheduled_post: contracts.ScheduledPost,
  performance_report: contracts.PerformanceReport,
  ab_report: contracts.AbReport,
  brand_priors: contracts.BrandPriors,
};

export function renderJsonSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, schema] of Object.entries(PUBLISHED_CONTRACTS)) {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    out[`${name}.schema.json`] =
      `${JSON.stringify({ $id: `https://brand-infinity.dev/schemas/${name}.schema.json`, title: name, ...json }, null, 2)}\n`;
  }
  return out;
}
