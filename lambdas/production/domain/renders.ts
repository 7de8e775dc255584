import { lookup } from 'node:dns/promises';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { chargeRender } from '../../shared/charges.js';
import { config } from '../../shared/commons.js';
import type { RenderJob } from '../../shared/contracts/index.js';
import { renderJobs, sceneCache, workDocs } from '../../shared/data/repositories.js';
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

/**
 * Function words a video model reads past: dropping them never changes the shot. Negations ("no",
 * "not", "without"), directions and prepositions of place ("left", "behind", "into") are NOT here:
 * they change what is on screen.
 */
const STOP_WORDS = new Set([
  'a',
  'an',
  'the',
  'and',
  'of',
  'with',
  'in',
  'on',
  'at',
  'to',
  'for',
  'is',
  'are',
  'be',
  'its',
  'this',
  'that',
  'these',
  'those',
  'some',
  'very',
  'really',
  'just',
]);

const words = (text: string): string =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}#]+/gu, ' ')
    .split(' ')
    .filter((w) => w && !STOP_WORDS.has(w))
    .join(' ');

/**
 * A visual prompt reduced to what decides the shot, so two prompts a reviewer would call "the same
 * shot" normalize alike. Case, Unicode forms, punctuation, whitespace and function words go. Sentence
 * order stays (sentences can be a sequence of action: "A door opens. She walks in."), and word order
 * inside a descriptor stays ("dog chasing cat" is not "cat chasing dog"); the order of the
 * comma-separated descriptors of one sentence does not ("slow dolly in, golden light" is "golden
 * light, slow dolly in"). A leading label ("Camera: …") stays in front of its sorted descriptors.
 */
export function normalizePrompt(prompt: string): string {
  return prompt
    .split(/[.!?]+(?=\s|$)|\n+/)
    .map((sentence) => {
      const label = /^\s*([^:,;]{1,40}):\s/.exec(sentence);
      const body = label ? sentence.slice(label[0].length) : sentence;
      const descriptors = [...new Set(body.split(/[,;]/).map(words).filter(Boolean))].sort();
      const head = label ? words(label[1] as string) : '';
      return [head && `${head}:`, descriptors.join(', ')].filter(Boolean).join(' ');
    })
    .filter((s) => s && !s.endsWith(':'))
    .join('. ');
}

/** `9:16` for 1080×1920 and 180×320 alike. */
export const aspectOf = (size: { width: number; height: number }): string => {
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  const d = gcd(size.width, size.height) || 1;
  return `${size.width / d}:${size.height / d}`;
};

/** What a render request says about the picture (the parts of a scene a renderer reads). */
export interface ShotRequest {
  visual_prompt: string;
  duration_seconds: number;
  on_screen_text?: string;
  visual_cues: { style: string; color_palette: string[]; camera_movement: string; lighting: string };
}

/**
 * The cache key of a shot rendered by a model at a size: two scenes with this key get one clip.
 *
 * In the key: the normalized prompt, the style cues (style, palette, camera, lighting: the offline
 * renderer draws them directly, real models read them in the prompt), the model, the duration, the
 * aspect and the pixel size (a preview clip must never serve a full-size master). The on-screen text
 * is in it too, compared literally apart from whitespace: the render request carries it and the
 * procedural renderer burns it into the clip, so two variants with different supers on the same shot
 * are two clips (see shared-shots.ts in the Copywriter). Not in it: the scene and variant ids, the
 * voiceover (mixed in at assembly) and the seed (any seed is a take of the same shot).
 *
 * The key names the shot only; whose clips it may reuse is the scope of the lookup
 * (`sceneCache.find(campaignId, key)`): one campaign, all its variants. Not the brand's other
 * campaigns: a clip is charged to the campaign that rendered it (its ledger and budget), stored under
 * `renders/{campaign}/` with that campaign's retention, and approved by that campaign's reviewers;
 * reused elsewhere, one campaign's master would depend on another's assets and approvals (archiving
 * or deleting one breaks the other). Never across brands.
 */
export const sceneCacheKeyFor = (
  scene: ShotRequest,
  model: string,
  size: { width: number; height: number },
): string =>
  shortHash(
    'shot-v2',
    model,
    normalizePrompt(scene.visual_prompt),
    words(scene.visual_cues.style),
    scene.visual_cues.color_palette.map((c) => c.toLowerCase()).join(','),
    words(scene.visual_cues.camera_movement),
    words(scene.visual_cues.lighting),
    Math.round(scene.duration_seconds * 100) / 100,
    aspectOf(size),
    `${size.width}x${size.height}`,
    (scene.on_screen_text ?? '').trim().replace(/\s+/g, ' '),
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
  /** The CDN of a local fake provider (BIE_LOCAL_PROVIDER_ORIGINS: local-only, never set on AWS). */
  localProviderOrigins?: () => string[];
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
  // Read only for a plain-http output from elsewhere (never on AWS, where outputs are https or s3://).
  return { bucket, emulatorOrigins: origins, localProviderOrigins: () => config.BIE_LOCAL_PROVIDER_ORIGINS };
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
  if (
    scheme === 'http' &&
    (policy.emulatorOrigins.includes(url.origin) || policy.localProviderOrigins?.().includes(url.origin))
  ) {
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
  if (cacheKey) await answerFollowers(deps.callbacks, done, cacheKey, 'success', '');
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
  const cacheKey = String(job.parameters.cache_key ?? '');
  if (cacheKey) await answerFollowers(deps.callbacks, job, cacheKey, 'failure', error);
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

/**
 * Answers the scenes of other variants that joined this job's render of their shot (see
 * {@link shareShot}): on success with this job's clip (they are not charged: the ledger pays for the
 * shot once), on failure with RenderFailedError, so each retries and renders the shot itself.
 */
async function answerFollowers(
  callbacks: TaskCallbacks,
  job: RenderJob,
  cacheKey: string,
  outcome: 'success' | 'failure',
  error: string,
): Promise<void> {
  for (const f of await sceneCache.followers(job.campaign_id, cacheKey)) {
    if (f.holder !== job.job_id) continue;
    try {
      if (outcome === 'success')
        await callbacks.success(f.task_token, { job_id: job.job_id, clip_url: job.result_url });
      else
        await callbacks.failure(
          f.task_token,
          'RenderFailedError',
          `the shared render ${job.job_id} of this shot failed: ${error}`.slice(0, 1000),
        );
    } catch (e) {
      if (!tokenGone(e)) throw e;
    }
  }
}

/** Heartbeats the scenes waiting on a job's render of their shot, with the job's own heartbeat. */
export async function heartbeatFollowers(callbacks: TaskCallbacks, job: RenderJob): Promise<void> {
  const cacheKey = String(job.parameters.cache_key ?? '');
  if (!cacheKey) return;
  for (const f of await sceneCache.followers(job.campaign_id, cacheKey)) {
    if (f.holder !== job.job_id) continue;
    try {
      await callbacks.heartbeat(f.task_token);
    } catch (e) {
      if (!tokenGone(e)) throw e;
    }
  }
}

const PlannedScene = z.object({ scene_id: z.string(), may_reuse: z.boolean().default(false) });

export type ShotShare = { action: 'render' } | { action: 'joined' | 'reused'; job_id: string };

/**
 * One render per shot and campaign, also while it is being rendered. Variants run side by side, so
 * the render plan's cache lookup (finished clips only) misses a shot another variant is rendering at
 * that moment. Before a scene is submitted, its job claims the shot (cache key) in the campaign: the
 * first job renders; a later scene whose plan allows reuse (no reviewer feedback on it) takes the
 * holder's clip if it is finished, or waits for it (its task token is answered by
 * {@link completeRender} / {@link failRender} of the holder, and heartbeated with it). A holder that
 * failed hands the claim over. A missing holder job counts as in flight: the claim is written just
 * before the holder's job record.
 */
export async function shareShot(
  deps: { callbacks: TaskCallbacks },
  req: {
    campaign_id: string;
    variant_id: string;
    scene_id: string;
    job_id: string;
    task_token: string;
    cache_key: string;
    execution: string;
  },
): Promise<ShotShare> {
  const plan = await workDocs.find(req.campaign_id, 'render_plan', req.execution, z.array(PlannedScene));
  const mayReuse = plan?.find((p) => p.scene_id === req.scene_id)?.may_reuse ?? false;
  for (let attempt = 0; attempt < 3; attempt++) {
    const holderId = await sceneCache.claim(req.campaign_id, req.cache_key, req.job_id);
    if (holderId === req.job_id || !mayReuse) return { action: 'render' };
    let holder = await renderJobs.get(req.campaign_id, holderId);
    if (holder?.status !== 'completed' && holder?.status !== 'failed') {
      await sceneCache.follow(req.campaign_id, req.cache_key, {
        job_id: req.job_id,
        task_token: req.task_token,
        variant_id: req.variant_id,
        scene_id: req.scene_id,
        holder: holderId,
      });
      // The holder may have finished between the read and the follow: then nobody answers us.
      holder = await renderJobs.get(req.campaign_id, holderId);
      if (holder?.status !== 'completed' && holder?.status !== 'failed')
        return { action: 'joined', job_id: holderId };
    }
    if (holder?.status === 'completed') {
      try {
        await deps.callbacks.success(req.task_token, { job_id: holder.job_id, clip_url: holder.result_url });
      } catch (e) {
        if (!tokenGone(e)) throw e;
      }
      return { action: 'reused', job_id: holderId };
    }
    if (await sceneCache.takeOver(req.campaign_id, req.cache_key, holderId, req.job_id))
      return { action: 'render' };
  }
  return { action: 'render' };
}
