import { campaignView } from '../campaign-manager/domain/campaign-view.js';
import { createCampaign } from '../campaign-manager/domain/campaigns.js';
import { config } from '../shared/commons.js';
import { CampaignStatus, CreateCampaignBody, Uuid } from '../shared/contracts/index.js';
import { brands, campaigns } from '../shared/data/repositories.js';
import { BrandNotFoundError, UnprocessableError } from '../shared/errors.js';
import { brandConflicts } from './campaign-request.js';
import { apiHandler, json, parseBody, pathUuid, queryParam } from './http.js';

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
    const brandId = queryParam(event, 'brand_id', Uuid.optional());
    const list = brandId
      ? await campaigns.listByBrand(brandId)
      : await campaigns.listByStatus(queryParam(event, 'status', CampaignStatus.default('in_production')));
    return json(200, { campaigns: list });
  },
  'GET /campaigns/{id}': async (event) => json(200, await campaignView(pathUuid(event))),
});
