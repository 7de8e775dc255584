import { TrendSourcesBody } from '../shared/contracts/index.js';
import { brands, trendSources } from '../shared/data/repositories.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { ingestBrand } from '../strategist/domain/ingest.js';
import { type ApiEvent, apiHandler, json, parseBody } from './http.js';

function text(event: ApiEvent): string {
  const raw = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  if (!raw.trim())
    throw new ValidationError('invalid brand bible', [
      { path: '', message: 'the body is empty: send Markdown or BrandProfile JSON' },
    ]);
  return raw;
}

async function mustBrand(event: ApiEvent): Promise<string> {
  const id = event.pathParameters?.id ?? '';
  if (!(await brands.get(id))) throw new NotFoundError('brand', id);
  return id;
}

/** Brand bibles as Markdown (text/markdown) or BrandProfile JSON; re-ingesting replaces the chunks. */
export const handler = apiHandler({
  'POST /brands': async (event) => json(201, await ingestBrand(text(event))),
  'PUT /brands/{id}/guidelines': async (event) =>
    json(200, await ingestBrand(text(event), event.pathParameters?.id)),
  /** Replaces the brand's trend feeds (HTTPS RSS/Atom); the hourly scraper reads them. */
  'PUT /brands/{id}/trend-sources': async (event) => {
    const body = parseBody(event, TrendSourcesBody, 'trend sources');
    const id = await mustBrand(event);
    await trendSources.put(id, body.sources);
    return json(200, { brand_id: id, ...(await trendSources.get(id)) });
  },
  'GET /brands/{id}/trend-sources': async (event) => {
    const id = await mustBrand(event);
    return json(200, { brand_id: id, ...(await trendSources.get(id)) });
  },
});
