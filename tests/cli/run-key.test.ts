import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRequestFile } from '../../cli/run.js';
import { RunRecords, runKey } from '../../cli/run-records.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const request = readRequestFile(path.join(ROOT, 'examples/requests/lumen-coffee-launch.json'));
const brand = request.brand_id;

describe('the key of a bie run', () => {
  it('is the same for the same request whatever the order of its fields', () => {
    // Prepare
    const reordered = Object.fromEntries(Object.entries(request).reverse()) as typeof request;

    // Act
    const a = runKey(brand, { campaign_request: request, auto_approve: true });
    const b = runKey(brand, { auto_approve: true, campaign_request: reordered });

    // Assess
    expect(a).toBe(b);
    expect(a).toMatch(/^bie-run-[0-9a-f]{64}$/);
  });

  it('differs when the request, the brand or auto-approval differ', () => {
    const base = runKey(brand, { campaign_request: request, auto_approve: true });
    expect(
      runKey(brand, { campaign_request: { ...request, key_message: 'Another message' }, auto_approve: true }),
    ).not.toBe(base);
    expect(
      runKey('5e7b1c1e-0000-4000-8000-000000000000', { campaign_request: request, auto_approve: true }),
    ).not.toBe(base);
    expect(runKey(brand, { campaign_request: request, auto_approve: false })).not.toBe(base);
  });
});

describe('run records', () => {
  it('keep what each key created, one file each', () => {
    // Prepare
    const records = new RunRecords(mkdtempSync(path.join(tmpdir(), 'bie-runs-')));

    // Act
    records.put({ key: 'bie-run-a', created_at: '2026-01-01T00:00:00.000Z' });
    records.put({ key: 'bie-run-a', created_at: '2026-01-01T00:00:00.000Z', campaign_id: 'c-1' });
    records.put({ key: 'bie-run-b', created_at: '2026-01-01T00:00:01.000Z', fresh: true });

    // Assess
    expect(records.get('bie-run-a')?.campaign_id).toBe('c-1');
    expect(records.get('bie-run-missing')).toBeUndefined();
    expect(
      records
        .all()
        .map((r) => r.key)
        .sort(),
    ).toEqual(['bie-run-a', 'bie-run-b']);
  });
});
