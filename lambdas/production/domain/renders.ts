import { lookup } from 'node:dns/promises';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { chargeRender } from '../../shared/charges.js';
import { config } from '../../shared/commons.js';
import type { RenderJob } from '../../shared/contracts/index.js';
import { renderJobs, sceneCache } from '../../shared/data/repositories.js';
import { nowIso, shortHash } from '../../shared/ids.js';
import type { BlobStore, RenderFailureKind, TaskCallbacks } from '../../shared/ports/index.js';

export const clipKey = (job: RenderJob): string =>
  `renders/${job.campaign_id}/${job.variant_id}/scenes/${job.scene_id}-${job.job_id}.mp4`;

/**
 * `<base>/webhooks/<provider>` with exactly one slash between the parts, whether or not the base
 * (API Gateway's URL ends with `/`, the local API's does not) ends with one; a base path is kept.
 */
export const webhookCallbackUrl = (base: string, provider: string): string =>
  new URL(`webhooks/${encodeURIComponent(provider)}`, base.endsWith('/') ? base : `${base}/`).href;

/** The cache key of a scene rendered by a model at a size: identical requests reuse one clip. */
export const sceneCacheKeyFor = (
  scene: {
    visual_prompt: string;
    duration_seconds: number;
    on_screen_text?: string;
    visual_cues: { color_palette: string[] };
  },
  model: string,
  size: { width: number; height: number },
): string =>
  sceneCacheKey({
    model,
    prompt: scene.visual_prompt,
    duration: scene.duration_seconds,
    width: size.width,
    height: size.height,
    text: scene.on_screen_text,
    palette: scene.visual_cues.color_palette,
  });

export const sceneCacheKey = (parts: {
  model: string;
  prompt: string;
  duration: number;
  width: number;
  height: number;
  text?: string;
  palette: string[];
}): string =>
  shortHash(
    parts.model,
    parts.prompt,
    parts.duration,
    parts.width,
    parts.height,
    parts.text ?? '',
    parts.palette.join(','),
  );

/** A render output the engine will not fetch; the render fails with this message. */
export class RenderOutputRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderOutputRefusedError';
  }
}

/** Outputs of our own bucket are copied with S3 only from the providers' prefix. */
export const PROVIDER_RENDERS_PREFIX = 'provider-renders/';

export interface OutputPolicy {
  /** The media bucket (`s3://<bucket>/provider-renders/…` is copied with S3, never fetched over HTTP). */
  bucket: string;
  /**
   * Origins of the configured S3 emulator (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL): the one place plain
   * `http:` is allowed, for presigned URLs of the local emulator. On AWS neither variable is set.
   */
  emulatorOrigins: string[];
}

/** The policy of the media bucket and the S3 endpoint the SDK is configured with (none on AWS). */
export function outputPolicyFor(
  bucket: string,
  endpoints: (string | undefined)[] = [config.AWS_ENDPOINT_URL_S3, config.AWS_ENDPOINT_URL],
): OutputPolicy {
  const origins = endpoints.flatMap((u) => {
    try {
      return u ? [new URL(u).origin] : [];
    } catch {
      return [];
    }
  });
  return { bucket, emulatorOrigins: origins };
}

export type RenderOutput =
  | { kind: 'bucket'; key: string }
  | { kind: 'http'; url: URL; checkAddresses: boolean };

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const ALLOWED = 'allowed: https:, or s3://<media bucket>/provider-renders/…';

function bucketKey(key: string, raw: string): RenderOutput {
  const segments = key.split('/');
  if (!key.startsWith(PROVIDER_RENDERS_PREFIX) || segments.some((s) => s === '..' || s === '.')) {
    throw new RenderOutputRefusedError(
      `render output ${raw.slice(0, 200)} is outside ${PROVIDER_RENDERS_PREFIX} of the media bucket (${ALLOWED})`,
    );
  }
  return { kind: 'bucket', key };
}

/**
 * Decides how a provider's `output_url` may be read, before anything is read: `https:` from a public
 * host; our bucket's provider prefix with S3; `http:` only from the configured S3 emulator. Everything
 * else (`file:`, `data:`, `http:` elsewhere, other buckets, other schemes) is refused, naming the scheme.
 */
export function classifyRenderOutput(raw: string, policy: OutputPolicy): RenderOutput {
  const scheme = SCHEME.exec(raw)?.[1]?.toLowerCase();
  if (!scheme) return bucketKey(raw, raw);
  if (scheme === 's3') {
    const m = /^s3:\/\/([^/]+)\/(.+)$/i.exec(raw);
    if (!m || m[1] !== policy.bucket) {
      throw new RenderOutputRefusedError(
        `render output URL scheme "s3:" names another bucket than the media bucket (${ALLOWED})`,
      );
    }
    return bucketKey(m[2] as string, raw);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RenderOutputRefusedError(`render output URL with scheme "${scheme}:" is not a valid URL`);
  }
  if (url.username || url.password) {
    throw new RenderOutputRefusedError('render output URL carries credentials');
  }
  if (scheme === 'https') return { kind: 'http', url, checkAddresses: true };
  if (scheme === 'http' && policy.emulatorOrigins.includes(url.origin)) {
    return { kind: 'http', url, checkAddresses: false };
  }
  throw new RenderOutputRefusedError(
    scheme === 'http'
      ? `render output URL scheme "http:" is not allowed (not HTTPS; ${ALLOWED})`
      : `render output URL scheme "${scheme}:" is not allowed (${ALLOWED})`,
  );
}

/** Loopback, private, link-local, shared (CGNAT), multicast and reserved ranges: never fetched. */
const NON_PUBLIC = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const)
    list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
    ['64:ff9b:1::', 48],
  ] as const)
    list.addSubnet(net, prefix, 'ipv6');
  return list;
})();

export const isNonPublicAddress = (address: string): boolean => {
  const family = isIP(address);
  if (family === 0) return true;
  return NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
};

export type Lookup = (hostname: string) => Promise<{ address: string }[]>;
const systemLookup: Lookup = (hostname) => lookup(hostname, { all: true, verbatim: true });

export interface OutputFetchDeps {
  blobs: BlobStore;
  policy?: OutputPolicy;
  fetchImpl?: typeof fetch;
  lookup?: Lookup;
}

const MAX_OUTPUT_BYTES = 512 * 1024 * 1024;

/**
 * Reads a render output into a local file under the policy above. HTTPS hosts must resolve to public
 * addresses only, and each redirect is checked again (the address is checked at lookup time; a DNS
 * answer that changes between the check and the connection is not caught).
 */
export async function fetchRenderOutput(deps: OutputFetchDeps, raw: string, to: string): Promise<void> {
  const policy = deps.policy ?? outputPolicyFor(deps.blobs.bucket);
  let target = classifyRenderOutput(raw, policy);
  mkdirSync(path.dirname(to), { recursive: true });
  for (let hop = 0; hop <= 3; hop++) {
    if (target.kind === 'bucket') {
      await deps.blobs.download(target.key, to);
      return;
    }
    const { url } = target;
    if (target.checkAddresses) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const addresses = isIP(host) ? [{ address: host }] : await (deps.lookup ?? systemLookup)(host);
      const bad = addresses.find((a) => isNonPublicAddress(a.address));
      if (addresses.length === 0 || bad) {
        throw new RenderOutputRefusedError(
          `render output host ${url.hostname} resolves to a non-public address (${bad?.address ?? 'none'})`,
        );
      }
    }
    const res = await (deps.fetchImpl ?? fetch)(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(120_000),
    });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      target = classifyRenderOutput(new URL(location, url).href, policy);
      continue;
    }
    if (!res.ok) throw new Error(`downloading the render output from ${url.origin}: HTTP ${res.status}`);
    if (Number(res.headers.get('content-length') ?? 0) > MAX_OUTPUT_BYTES) {
      throw new RenderOutputRefusedError(`render output is larger than ${MAX_OUTPUT_BYTES} bytes`);
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > MAX_OUTPUT_BYTES)
      throw new RenderOutputRefusedError(`render output is larger than ${MAX_OUTPUT_BYTES} bytes`);
    writeFileSync(to, bytes);
    return;
  }
  throw new RenderOutputRefusedError('render output URL redirects more than three times');
}

/** The waiting task is gone (timed out, or never existed): its token cannot be answered any more. */
export const tokenGone = (e: unknown): boolean =>
  ['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken'].includes((e as { name?: string }).name ?? '');

/**
 * Finishes a render the provider reports done (webhook or poller): stores the clip, charges the
 * ledger once per job, fills the scene cache and resumes the waiting state with the job id.
 * Everything durable happens before the token is sent, so a lost token is repaired on replay.
 * An output the policy refuses (see {@link classifyRenderOutput}) fails the render instead.
 */
export async function completeRender(
  deps: {
    blobs: BlobStore;
    callbacks: TaskCallbacks;
    workDir: string;
    output?: Omit<OutputFetchDeps, 'blobs'>;
  },
  job: RenderJob,
  outputUrl: string,
  cacheKey?: string,
): Promise<RenderJob> {
  let done = job;
  if (job.status !== 'completed') {
    const local = path.join(deps.workDir, 'downloads', `${job.job_id}.mp4`);
    try {
      await fetchRenderOutput({ ...deps.output, blobs: deps.blobs }, outputUrl, local);
    } catch (error) {
      if (!(error instanceof RenderOutputRefusedError)) throw error;
      await failRender(deps, job, error.message);
      return { ...job, status: 'failed', error_message: error.message };
    }
    const key = clipKey(job);
    try {
      await deps.blobs.putFile(key, local, 'video/mp4');
    } finally {
      rmSync(local, { force: true });
    }
    done = { ...job, status: 'completed', result_url: deps.blobs.url(key), completed_at: nowIso() };
    await renderJobs.put(done);
  }
  // Refused by the budget: the waiting task was failed with BudgetExceededError (a budget pause).
  if (!(await chargeRender(job, deps.callbacks))) return done;
  if (cacheKey)
    await sceneCache.put(cacheKey, {
      campaign_id: job.campaign_id,
      job_id: job.job_id,
      clip_key: clipKey(job),
    });
  if (done.task_token) {
    try {
      await deps.callbacks.success(done.task_token, { job_id: done.job_id, clip_url: done.result_url });
    } catch (e) {
      if (!tokenGone(e)) throw e;
    }
  }
  return done;
}

/**
 * Records a failed attempt and fails the waiting task with `RenderFailedError` (Cause `[kind] message`),
 * so the next model of the chain takes over. The ledger rule: a render is charged when it completes
 * ({@link completeRender}); a failed, refused or timed-out attempt is charged nothing, because no adapter
 * reports a bill for a failed job (the providers price delivered seconds of output). The attempt keeps
 * its list price in `cost_usd` as the estimate it was, with `status: failed` and the `error_kind`.
 */
export async function failRender(
  deps: { callbacks: TaskCallbacks },
  job: RenderJob,
  error: string,
  kind: RenderFailureKind = 'provider_error',
): Promise<void> {
  await renderJobs.put({
    ...job,
    status: 'failed',
    error_message: error.slice(0, 1000),
    error_kind: kind,
    completed_at: nowIso(),
  });
  if (!job.task_token) return;
  try {
    await deps.callbacks.failure(job.task_token, 'RenderFailedError', `[${kind}] ${error}`);
  } catch (e) {
    if (!tokenGone(e)) throw e;
  }
}

/**
 * A fallback takes over a scene: the primary job, if its provider still has it, is closed first, so a
 * late completion of the primary is answered as a duplicate and neither used nor charged. Conditional:
 * a primary that completed in the meantime stays completed (and charged once).
 */
export async function supersedeJob(primary: RenderJob, byJobId: string): Promise<boolean> {
  if (primary.status !== 'processing' && primary.status !== 'queued') return false;
  return renderJobs.put(
    {
      ...primary,
      status: 'failed',
      error_message: `superseded by the fallback render ${byJobId}`,
      completed_at: nowIso(),
    },
    { status: primary.status, task_token: primary.task_token },
  );
}
