import { createReadStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobStore } from '../ports/index.js';

const s3 = new S3Client({});

/** Media and documents in S3 (the S3 emulator locally); keys, not paths, cross step boundaries. */
export class S3BlobStore implements BlobStore {
  constructor(readonly bucket: string) {}

  url(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  async put(key: string, body: Uint8Array | string, contentType: string): Promise<string> {
    await s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
    return this.url(key);
  }

  async putIfAbsent(key: string, body: Uint8Array | string, contentType: string): Promise<boolean> {
    // S3 answers 409 ConditionalRequestConflict while another conditional write of the key is in
    // flight: try again, and the loser then gets its 412.
    for (let attempt = 0; ; attempt++) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            IfNoneMatch: '*',
          }),
        );
        return true;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 412) return false;
        if (status !== 409 || attempt >= 4) throw error;
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  async putFile(key: string, file: string, contentType: string): Promise<string> {
    await s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(file),
        ContentLength: statSync(file).size,
        ContentType: contentType,
      }),
    );
    return this.url(key);
  }

  async get(key: string): Promise<Uint8Array> {
    const res = await s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!res.Body) throw new Error(`s3://${this.bucket}/${key} has no body`);
    return res.Body.transformToByteArray();
  }

  async download(key: string, file: string): Promise<string> {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, await this.get(key));
    return file;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404)
        return false;
      throw error;
    }
  }

  async presign(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(s3, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: expiresInSeconds,
    });
  }
}

/** `s3://bucket/key` → key (for records that store URLs). */
export const keyOf = (url: string): string => url.replace(/^s3:\/\/[^/]+\//, '');
