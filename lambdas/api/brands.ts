import { ValidationError } from '../shared/errors.js';
import { ingestBrand } from '../strategist/domain/ingest.js';
import { type ApiEvent, apiHandler, json } from './http.js';

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

/** Brand bibles as Markdown (text/markdown) or BrandProfile JSON; re-ingesting replaces the chunks. */
export const handler = apiHandler({
  'POST /brands': async (event) => json(201, await ingestBrand(text(event))),
  'PUT /brands/{id}/guidelines': async (event) =>
    json(200, await ingestBrand(text(event), event.pathParameters?.id)),
});
