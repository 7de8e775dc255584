import type { CampaignCards, CampaignDetail, DecisionBody, ReviewView } from './client';

/** Compile-time proof that the generated types resolved (a `never` would silently accept anything). */
type NotNever<T> = [T] extends [never] ? 'never' : 'ok';
export const resolved: [
  NotNever<ReviewView>,
  NotNever<CampaignCards>,
  NotNever<CampaignDetail>,
  NotNever<DecisionBody>,
] = ['ok', 'ok', 'ok', 'ok'];
