import { campaignCards, campaignDetail } from '../campaign-manager/domain/campaign-cards.js';
import { campaignView } from '../campaign-manager/domain/campaign-view.js';
import { createCampaign } from '../campaign-manager/domain/campaigns.js';
import { config } from '../shared/commons.js';
import { CampaignStatus, CreateCampaignBody, Uuid } from '../shared/contracts/index.js';
import { brands, campaigns } from '../shared/data/repositories.js';
import { BrandNotFoundError, UnprocessableError } from '../shared/errors.js';
import { brandConflicts } from './campaign-request.js';
import { type ApiEvent, apiHandler, json, parseBody, pathUuid, queryParam } from './http.js';
import { claimKey, IDEMPOTENCY_HEADER, idempotencyKey, recordClaimResult } from './idempotency.js';

/** The IAM principal API Gateway authenticated (absent in the embedded runtime): scopes idempotency keys. */
const caller = (event: ApiEvent): string =>
  (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam?.userArn ??
  'anonymous';

/**
 * Without an Idempotency-Key every request is a new campaign, as before: a request has no natural key
 * (running the same brief twice, for two markets or two weeks, is a legitimate second campaign), so
 * only the client can say that two requests are one, by sending them with the same key.
 */
export const handler = apiHandler({
  'POST /campaigns': async (event) => {
    const key = idempotencyKey(event);
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
    // Everything is checked before the key is claimed: a refused request stores nothing.
    const claim = key ? await claimKey(`POST /campaigns ${caller(event)}`, key, body) : undefined;
    if (claim?.outcome === 'different')
      throw new UnprocessableError(
        'Idempotency-Key reused',
        `this Idempotency-Key was first used at ${claim.claimedAt} with another body${claim.campaignId ? ` (campaign ${claim.campaignId})` : ''}; send that body to get that campaign, or a new key for a new one`,
        [{ path: `headers.${IDEMPOTENCY_HEADER}`, message: 'was used with another body within 24 hours' }],
      );
    const campaign = await createCampaign(body, {
      stateMachineArn: config.CAMPAIGN_STATE_MACHINE_ARN,
      defaultApprover: config.APPROVER_EMAIL,
      // With a key, the campaign id derives from the claim, so every replay names the same campaign.
      requestId: claim ? `idempotency:${claim.claimId}` : event.requestContext.requestId,
    });
    const location = { location: `/campaigns/${campaign.campaign_id}` };
    if (claim?.outcome === 'same') return json(200, campaign, { ...location, 'idempotent-replayed': 'true' });
    if (claim) await recordClaimResult(claim.claimId, campaign.campaign_id);
    return json(201, campaign, location);
  },
  'GET /campaigns': async (event) => {
    const brandId = queryParam(event, 'brand_id', Uuid.optional());
    const list = brandId
      ? await campaigns.listByBrand(brandId)
      : await campaigns.listByStatus(queryParam(event, 'status', CampaignStatus.default('in_production')));
    return json(200, { campaigns: list });
  },
  'GET /campaigns/{id}': async (event) => json(200, await campaignView(pathUuid(event))),
  'GET /dashboard/campaigns': async (event) =>
    json(200, { campaigns: await campaignCards(queryParam(event, 'brand_id', Uuid.optional())) }),
  'GET /dashboard/campaigns/{id}': async (event) => json(200, await campaignDetail(pathUuid(event))),
});
