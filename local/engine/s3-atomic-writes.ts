import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
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

/** The part of s3rver's FilesystemStore this replaces (s3rver 3.x). */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
}

/**
 * s3rver writes an object straight into its final file and answers before the bytes are flushed, so a
 * process killed mid-upload leaves a truncated object that reads (and `If-None-Match: *` treats) as
 * present, while S3 never shows a partial PUT. Here an object is written to a temporary file, its
 * checksum and metadata are written atomically, and the object file is renamed into place last: it
 * exists whole or not at all. The answer goes out only after that.
 */
export function addAtomicObjectWrites(server: unknown): void {
  const store = (server as { store?: FilesystemStore }).store;
  if (!store || typeof store.putObject !== 'function' || typeof store.getResourcePath !== 'function')
    throw new Error('s3rver is not the version this expects (no FilesystemStore)');
  const allowed = (require('s3rver/lib/models/object.js') as { ALLOWED_METADATA: string[] }).ALLOWED_METADATA;

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
