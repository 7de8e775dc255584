import { findRestrictedTerms } from '../shared/brand-safety/restricted-terms.js';
import { type BrandProfile, type CampaignRequest, REQUEST_COPY_FIELDS } from '../shared/contracts/index.js';
import type { FieldIssue } from '../shared/errors.js';

/**
 * What the request schema cannot know because it depends on the brand: a restricted term of the brand
 * bible in a field that reaches the copy. The brief and the scenes scrub restricted phrasing, but the
 * script's compliance gate matches evasions the scrub leaves ("ch3ap"), and hooks that name a restricted
 * product are all discarded, so such a campaign would fail at the Copywriter. Refused at the edge instead,
 * naming each field and term (same matcher as the gate).
 */
export function brandConflicts(
  request: CampaignRequest,
  brand: Pick<BrandProfile, 'name' | 'restricted_keywords'>,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const field of REQUEST_COPY_FIELDS) {
    const text = request[field];
    if (!text) continue;
    const terms = findRestrictedTerms(text, brand.restricted_keywords);
    if (terms.length)
      issues.push({
        path: `campaign_request.${field}`,
        message: `uses ${terms.map((t) => `"${t}"`).join(', ')}, restricted by the brand bible of ${brand.name}`,
      });
  }
  return issues;
}
