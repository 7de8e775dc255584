import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../../lambdas/catalog.js';
import { renderJsonSchemas } from '../../../scripts/json-schemas.js';
import { renderOpenApi } from '../../../scripts/openapi.js';

const dir = path.resolve(import.meta.dirname, '../../../docs/schemas');

describe('published JSON Schemas', () => {
  const rendered = renderJsonSchemas();

  it('are up to date with the zod contracts (run npm run schemas)', () => {
    for (const [file, text] of Object.entries(rendered)) {
      expect(readFileSync(path.join(dir, file), 'utf8'), file).toBe(text);
    }
  });

  it('carry the seed ranges, e.g. 3–5 s scenes and a 15–60 s script', () => {
    const script = JSON.parse(rendered['script.schema.json'] ?? '{}');
    expect(script.properties.total_duration_seconds).toMatchObject({ minimum: 15, maximum: 60 });
    expect(script.properties.scenes.items.properties.duration_seconds).toMatchObject({
      minimum: 3,
      maximum: 5,
    });
  });

  it('include an OpenAPI document of every route that is up to date', () => {
    const text = renderOpenApi();
    expect(readFileSync(path.join(dir, '../openapi.json'), 'utf8')).toBe(text);
    const doc = JSON.parse(text);
    for (const r of ROUTES)
      expect(doc.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    expect(Object.keys(doc.paths).sort()).toEqual([...new Set(ROUTES.map((r) => r.path))].sort());
    expect(
      doc.paths['/campaigns'].post.requestBody.content['application/json'].schema.properties.campaign_request,
    ).toBeDefined();
  });
});
