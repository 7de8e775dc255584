import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { MODELS } from '../../shared/config/index.js';
import type { Campaign, CreateCampaignBody, VariantType } from '../../shared/contracts/index.js';
import { audit, brands, campaigns, variants } from '../../shared/data/repositories.js';
import { BrandNotFoundError } from '../../shared/errors.js';
import { nowIso, stableUuid } from '../../shared/ids.js';

const sfn = new SFNClient({});

/**
 * Creates a campaign and starts its orchestrator execution (named after the campaign, so a retried
 * request never starts a second one). Everything is checked before anything is written.
 */
export async function createCampaign(
  body: CreateCampaignBody,
  opts: { stateMachineArn: string; defaultApprover: string; requestId?: string },
): Promise<Campaign> {
  const request = body.campaign_request;
  const brand = await brands.get(request.brand_id);
  if (!brand) throw new BrandNotFoundError(request.brand_id);
  const now = nowIso();
  const campaign: Campaign = {
    campaign_id: stableUuid('campaign', opts.requestId ?? now, JSON.stringify(body)),
    campaign_name: request.campaign_name ?? `${brand.name} — ${request.product_category}`,
    brand_id: request.brand_id,
    status: 'in_production',
    request,
    budget_limit_usd: request.budget_limit_usd ?? MODELS.default_budget_usd[request.budget_tier],
    current_cost_usd: 0,
    auto_approve: body.auto_approve ?? false,
    approver_email: body.approver_email ?? opts.defaultApprover,
    created_at: now,
    updated_at: now,
  };
  if (!(await campaigns.create(campaign))) return campaigns.mustGet(campaign.campaign_id);
  await audit.append(campaign.campaign_id, 'campaign_created', 'api', {
    new_state: { status: campaign.status },
  });
  const started = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: opts.stateMachineArn,
      name: campaign.campaign_id,
      input: JSON.stringify({ campaign_id: campaign.campaign_id }),
    }),
  );
  return campaigns.update(campaign.campaign_id, { execution_arn: started.executionArn });
}

/** The variants a campaign produces: the requested ones, else the brief's suggestion default (one emotional). */
export async function prepareVariants(
  campaignId: string,
): Promise<{ brand_id: string; variants: { variant_id: string; variant_type: VariantType }[] }> {
  const c = await campaigns.mustGet(campaignId);
  const types: VariantType[] = c.request.variants ?? ['emotional'];
  const now = nowIso();
  const list = types.map((t) => ({ variant_id: stableUuid('variant', campaignId, t), variant_type: t }));
  for (const v of list) {
    await variants.put({
      ...v,
      campaign_id: campaignId,
      status: 'in_production',
      created_at: now,
      updated_at: now,
    });
  }
  if (c.status !== 'in_production') await campaigns.update(campaignId, { status: 'in_production' });
  return { brand_id: c.brand_id, variants: list };
}
