import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderJsonSchemas } from './json-schemas.js';
import { renderOpenApi } from './openapi.js';

const dir = path.resolve(import.meta.dirname, '../docs/schemas');
mkdirSync(dir, { recursive: true });
for (const [file, text] of Object.entries(renderJsonSchemas())) writeFileSync(path.join(dir, file), text);
console.log(`wrote ${Object.keys(renderJsonSchemas()).length} JSON Schemas to docs/schemas/`);
writeFileSync(path.resolve(import.meta.dirname, '../docs/openapi.json'), renderOpenApi());
console.log('wrote docs/openapi.json');
