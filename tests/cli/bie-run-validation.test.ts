import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function bie(args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/bie.mjs'), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    timeout: 60_000,
  });
}

describe('bie run', () => {
  it('exits 2 naming every bad field of the request, and creates nothing', () => {
    const data = path.join(mkdtempSync(path.join(tmpdir(), 'bie-cli-')), 'state');
    const res = bie([
      'run',
      '--request',
      'examples/requests/invalid-request.json',
      '--brand',
      'examples/brands/lumen-coffee.md',
      '--data',
      data,
    ]);
    expect(res.status).toBe(2);
    for (const field of [
      'product_category',
      'campaign_objective',
      'budget_tier',
      'brand_id',
      'target_duration_seconds',
    ]) {
      expect(res.stderr).toContain(`campaign_request.${field}:`);
    }
    expect(existsSync(data)).toBe(false);
  });

  it('exits 2 on a brand bible without palette or voice, naming the sections', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bie-cli-'));
    const brand = path.join(dir, 'brand.md');
    writeFileSync(brand, '# Nameless\n\n## Story\nWe make things.\n');
    const res = bie([
      'run',
      '--request',
      'examples/requests/lumen-coffee-launch.json',
      '--brand',
      brand,
      '--data',
      path.join(dir, 'state'),
    ]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('sections.color_palette');
    expect(res.stderr).toContain('sections.voice_tone');
    expect(existsSync(path.join(dir, 'state'))).toBe(false);
  });

  it('explains its usage when a required option is missing', () => {
    const res = bie(['run', '--brand', 'examples/brands/lumen-coffee.md']);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('--request FILE');
  });
});
