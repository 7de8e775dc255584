import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeFileAtomic } from './atomic-file.js';

const require = createRequire(import.meta.url);

interface StoredObject {
  bucket: string;
  key: string;
  metadata: Record<string, string>;
  content: Buffer | Readable;
}

interface Range {
  start: number;
  end: number;
}

/** s3rver's S3Object model (lib/models/object.js). */
type S3ObjectModel = new (
  bucket: string,
  key: string,
  content: Readable | null,
  metadata: Record<string, unknown>,
) => { range?: Range };

/** The part of s3rver's FilesystemStore this replaces (s3rver 3.x). */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, unknown>>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  getObject(
    bucket: string,
    key: string,
    options?: { start?: number; end?: number },
  ): Promise<{ range?: Range } | null>;
}

/**
 * s3rver writes an object straight into its final file and answers before the bytes are flushed, so a
 * process killed mid-upload leaves a truncated object that reads (and `If-None-Match: *` treats) as
 * present, while S3 never shows a partial PUT. Here an object is written to a temporary file, its
 * checksum and metadata are written atomically, and the object file is renamed into place last: it
 * exists whole or not at all. The answer goes out only after that.
 *
 * Reads take the object's length from the very file they stream (s3rver stats the path, then opens
 * it): a GET that races an overwrite gets the old object or the new one whole, never the new bytes cut
 * at the old length (a status JSON read mid-rewrite was "Unterminated string").
 */
export function addAtomicObjectWrites(server: unknown): void {
  const store = (server as { store?: FilesystemStore }).store;
  if (!store || typeof store.putObject !== 'function' || typeof store.getResourcePath !== 'function')
    throw new Error('s3rver is not the version this expects (no FilesystemStore)');
  const allowed = (require('s3rver/lib/models/object.js') as { ALLOWED_METADATA: string[] }).ALLOWED_METADATA;

  const S3Object = require('s3rver/lib/models/object.js') as S3ObjectModel;
  store.getObject = async (bucket, key, options) => {
    let file: Awaited<ReturnType<typeof open>>;
    try {
      file = await open(store.getResourcePath(bucket, key, 'object'), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      const stat = await file.stat();
      const metadata = {
        ...(await store.getMetadata(bucket, key)),
        'content-length': stat.size,
        'last-modified': stat.mtime.toUTCString(),
      };
      const lastByte = Math.max(0, stat.size - 1);
      const range = {
        start: options?.start ?? 0,
        end: Math.min(options?.end ?? Number.POSITIVE_INFINITY, lastByte),
      };
      const ranged = options !== undefined && (options.start !== undefined || Boolean(options.end));
      const satisfiable = range.start >= 0 && Math.min(range.end, lastByte) >= range.start;
      const content = satisfiable ? file.createReadStream({ ...range, autoClose: true }) : null;
      if (!satisfiable) await file.close();
      const object = new S3Object(bucket, key, content, metadata);
      if (ranged) object.range = range;
      return object;
    } catch (error) {
      await file.close().catch(() => undefined);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };

  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(path.dirname(objectPath), { recursive: true });
    const tmp = `${objectPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const md5 = createHash('md5');
    let size = 0;
    const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      await pipeline(
        source,
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            md5.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        }),
        createWriteStream(tmp),
      );
      const digest = md5.digest('hex');
      const metadata = Object.fromEntries(
        Object.entries(object.metadata).filter(([k]) => allowed.includes(k) || k.startsWith('x-amz-meta-')),
      );
      writeFileAtomic(store.getResourcePath(object.bucket, object.key, 'object.md5'), digest);
      writeFileAtomic(
        store.getResourcePath(object.bucket, object.key, 'metadata.json'),
        JSON.stringify(metadata, null, 2),
      );
      await rename(tmp, objectPath);
      return { size, md5: digest };
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  };
}
