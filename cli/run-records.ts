import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../local/engine/atomic-file.js';

/** Stable JSON (sorted keys): equal values give equal text, whatever the key order of the file. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * The natural key of a `bie run`: what the user asked for, not when. The validated request (so key
 * order, whitespace and defaults of the file do not matter), the brand it is for and whether it is
 * auto-approved: the very body `POST /campaigns` gets. The data directory scopes it (records live
 * there). Sent as the `Idempotency-Key` header, and the name of the record below.
 */
export function runKey(brandId: string, body: { campaign_request: unknown; auto_approve: boolean }): string {
  const hash = createHash('sha256')
    .update(canonicalJson({ brand_id: brandId, body }))
    .digest('hex');
  return `bie-run-${hash}`;
}

const RunRecord = z.object({
  key: z.string(),
  /** When the first run with this key was about to create its campaign. */
  created_at: z.string(),
  /** Set once `POST /campaigns` answered; absent, the run was killed before it knew its campaign. */
  campaign_id: z.string().optional(),
  /** A deliberate extra campaign (`bie run --new`), never resumed by a plain run. */
  fresh: z.boolean().optional(),
});
export type RunRecord = z.infer<typeof RunRecord>;

/**
 * What `bie run` started in a data directory, one small file per key under `<data>/runs/`, written
 * atomically: the record is written before the campaign is created (so a run killed in between knows
 * to look for it) and again with the campaign id once the API answered.
 */
export class RunRecords {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'runs');
  }

  private file(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  get(key: string): RunRecord | undefined {
    try {
      return RunRecord.parse(JSON.parse(readFileSync(this.file(key), 'utf8')));
    } catch {
      return undefined;
    }
  }

  put(record: RunRecord): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(this.file(record.key), `${JSON.stringify(RunRecord.parse(record), null, 2)}\n`);
  }

  all(): RunRecord[] {
    let files: string[];
    try {
      files = readdirSync(this.dir).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    return files
      .map((f) => this.get(f.slice(0, -'.json'.length)))
      .filter((r): r is RunRecord => r !== undefined);
  }
}
