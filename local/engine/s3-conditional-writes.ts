import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The part of a Koa context this middleware uses (s3rver is a Koa application). */
interface KoaContext {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  req: IncomingMessage;
  status: number;
  type: string;
  body: unknown;
  store: { existsObject(bucket: string, key: string): Promise<boolean> };
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

const PRECONDITION_FAILED = (requestId: string) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
  '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
  `<Condition>If-None-Match</Condition><RequestId>${requestId}</RequestId></Error>`;

/**
 * S3 conditional writes for s3rver, which ignores them: `PutObject` with `If-None-Match: *` answers
 * 412 PreconditionFailed when the key exists, as S3 does. Conditional writes of one key are serialized
 * here, so of two racing writers exactly one wins (S3 guarantees the same). Installed just before
 * s3rver's router, after its virtual-host rewrite, so the path is always `/<bucket>/<key>`.
 */
export function addConditionalWrites(server: unknown): void {
  const app = server as { middleware: Middleware[] };
  if (!Array.isArray(app.middleware)) throw new Error('s3rver is not the Koa application this expects');
  const locks = new Map<string, Promise<void>>();

  const conditional: Middleware = async (ctx, next) => {
    const m = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    const isObjectPut =
      ctx.method === 'PUT' &&
      m !== null &&
      !ctx.headers['x-amz-copy-source'] &&
      ctx.query.uploadId === undefined &&
      ctx.query.partNumber === undefined;
    if (!isObjectPut || ctx.headers['if-none-match'] !== '*') return next();
    const bucket = decodeURIComponent(m[1] as string);
    const key = decodeURIComponent(m[2] as string);
    const lock = `${bucket}/${key}`;
    const previous = locks.get(lock) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const chained = previous.then(() => mine);
    locks.set(lock, chained);
    await previous;
    try {
      if (await ctx.store.existsObject(bucket, key)) {
        for await (const _ of ctx.req) {
          // drain the refused body so the connection stays usable
        }
        ctx.status = 412;
        ctx.type = 'application/xml';
        ctx.body = PRECONDITION_FAILED(randomUUID());
        return;
      }
      await next();
    } finally {
      release();
      if (locks.get(lock) === chained) locks.delete(lock);
    }
  };
  // The router is the last middleware s3rver installs.
  app.middleware.splice(app.middleware.length - 1, 0, conditional);
}
