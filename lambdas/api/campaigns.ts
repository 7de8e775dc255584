import { campaignView } from '../campaign-manager/domain/campaign-view.js';
import { createCampaign } from '../campaign-manager/domain/campaigns.js';
import { config } from '../shared/commons.js';
import { CampaignStatus, CreateCampaignBody } from '../shared/contracts/index.js';
import { brands, campaigns } from '../shared/data/repositories.js';
import { BrandNotFoundError, UnprocessableError } from '../shared/errors.js';
import { parseOrThrow } from '../shared/validation.js';
import { brandConflicts } from './campaign-request.js';
import { apiHandler, json, parseBody } from './http.js';

export const handler = apiHandler({
  'POST /campaigns': async (event) => {
    const body = parseBody(event, CreateCampaignBody, 'campaign request');
    const brand = await brands.get(body.campaign_request.brand_id);
    if (!brand) throw new BrandNotFoundError(body.campaign_request.brand_id);
    const conflicts = brandConflicts(body.campaign_request, brand);
    if (conflicts.length)
      throw new UnprocessableError(
        'Conflicts with the brand',
        `the request uses terms the brand bible of ${brand.name} restricts`,
        conflicts,
      );
    const campaign = await createCampaign(body, {
      stateMachineArn: config.CAMPAIGN_STATE_MACHINE_ARN,
      defaultApprover: config.APPROVER_EMAIL,
      requestId: event.requestContext.requestId,
    });
    return json(201, campaign, { location: `/campaigns/${campaign.campaign_id}` });
  },
  'GET /campaigns': async (event) => {
    const q = event.queryStringParameters ?? {};
    const list = q.brand_id
      ? await campaigns.listByBrand(q.brand_id)
      : await campaigns.listByStatus(
          parseOrThrow(CampaignStatus, q.status ?? 'in_production', 'status filter'),
        );
    return json(200, { campaigns: list });
  },
  'GET /campaigns/{id}': async (event) => json(200, await campaignView(event.pathParameters?.id ?? '')),
});
