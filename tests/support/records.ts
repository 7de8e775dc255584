import type { Campaign } from '../../lambdas/shared/contracts/index.js';

const BRAND = '00000000-0000-4000-8000-000000000001';

/** A campaign in production with a standard-tier request, for tests that charge or finish renders. */
export function campaignRecord(
  campaign_id: string,
  opts: { name?: string; budget_limit_usd?: number; at?: string; approver_email?: string } = {},
): Campaign {
  const at = opts.at ?? new Date().toISOString();
  return {
    campaign_id,
    campaign_name: opts.name ?? 'c',
    brand_id: BRAND,
    status: 'in_production',
    request: {
      product_category: 'coffee',
      target_demographic: 'everyone',
      campaign_objective: 'awareness',
      budget_tier: 'standard',
      brand_id: BRAND,
    },
    budget_limit_usd: opts.budget_limit_usd ?? 100,
    current_cost_usd: 0,
    auto_approve: true,
    ...(opts.approver_email ? { approver_email: opts.approver_email } : {}),
    created_at: at,
    updated_at: at,
  } as Campaign;
}

/** POST /webhooks/{provider} (WebhooksApi) served as the HTTP API shape the embedded runtime serves. */
export async function serveWebhooksApi(): Promise<{ url: string; stop(): Promise<void> }> {
  const { handler } = await import('../../lambdas/api/webhooks.js');
  const { httpApiRequestHandler } = await import('../../local/engine/http-api.js');
  const { listen, close } = await import('../../local/engine/http-util.js');
  const served = await listen(
    httpApiRequestHandler([
      {
        method: 'POST',
        path: '/webhooks/{provider}',
        handler: handler as never,
        functionName: 'bie-WebhooksApi',
      },
    ]),
  );
  return { url: served.url, stop: () => close(served.server) };
}
