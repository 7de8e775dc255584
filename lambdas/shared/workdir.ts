import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { config } from './commons.js';
import { shortHash } from './ids.js';

/** A scratch directory per step (Lambda: /tmp; locally the work dir), removed when the step ends. */
export async function withWorkDir<T>(key: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = path.join(config.BIE_WORK_DIR, 'steps', shortHash(key, process.pid, Date.now()));
  mkdirSync(dir, { recursive: true });
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const masterSize = () => ({
  width: config.BIE_MASTER_WIDTH,
  height: config.BIE_MASTER_HEIGHT,
  fps: config.BIE_FPS,
});
