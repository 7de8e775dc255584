import { TrendSourcesBody } from '../shared/contracts/index.js';
import { brands, trendSources } from '../shared/data/repositories.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { ingestBrand } from '../strategist/domain/ingest.js';
import {
  type ApiEvent,
  apiHandler,
  BODY_LIMITS,
  json,
  MEDIA_TYPES,
  parseBody,
  pathUuid,
  requireBody,
} from './http.js';

function text(event: ApiEvent): string {
  const raw = requireBody(event, {
    what: 'brand bible',
    types: MEDIA_TYPES.brandBible,
    maxBytes: BODY_LIMITS.brandBible,
  });
  if (!raw.trim())
    throw new ValidationError('invalid brand bible', [
      { path: '', message: 'the body is empty: send Markdown or BrandProfile JSON' },
    ]);
  return raw;
}

async function mustBrand(event: ApiEvent): Promise<string> {
  const id = pathUuid(event);
  if (!(await brands.get(id))) throw new NotFoundError('brand', id);
  return id;
}

/** Brand bibles as Markdown (text/markdown) or BrandProfile JSON; re-ingesting replaces the chunks. */
export const handler = apiHandler({
  'POST /brands': async (event) => json(201, await ingestBrand(text(event))),
  'PUT /brands/{id}/guidelines': async (event) => json(200, await ingestBrand(text(event), pathUuid(event))),
  /** Replaces the brand's trend feeds (HTTPS RSS/Atom); the hourly scraper reads them. */
  'PUT /brands/{id}/trend-sources': async (event) => {
    const id = pathUuid(event);
    const body = parseBody(event, TrendSourcesBody, 'trend sources');
    await mustBrand(event);
    await trendSources.put(id, body.sources);
    return json(200, { brand_id: id, ...(await trendSources.get(id)) });
  },
  'GET /brands/{id}/trend-sources': async (event) => {
    const id = await mustBrand(event);
    return json(200, { brand_id: id, ...(await trendSources.get(id)) });
  },
});
