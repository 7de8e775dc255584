import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  type WriteFileOptions,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/**
 * Writes a file so that a reader (or the next process after a kill) sees either the old content or the
 * whole new one, never a prefix: the bytes go to a temporary file in the same directory, are fsync'ed,
 * and the temporary file is renamed over the target (rename is atomic within a filesystem).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, opts: { mode?: number } = {}): void {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    writeFileSync(tmp, data, { mode: opts.mode } satisfies WriteFileOptions);
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/**
 * A value kept in a file of its own (a generated secret), created once. An absent file, or one that
 * fails `valid` (an older version's write torn by a kill: empty or cut short), is generated again,
 * atomically; nothing can have used a value that was never whole.
 */
export function readOrCreate(
  file: string,
  generate: () => string,
  opts: { mode?: number; valid?: (value: string) => boolean } = {},
): string {
  let value = '';
  try {
    value = readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (value && (opts.valid?.(value) ?? true)) return value;
  writeFileAtomic(file, generate(), { mode: opts.mode });
  return readFileSync(file, 'utf8').trim();
}
