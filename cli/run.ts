import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { CampaignView } from '../lambdas/campaign-manager/domain/campaign-view.js';
import { type Campaign, CampaignRequest } from '../lambdas/shared/contracts/index.js';
import { fieldIssues } from '../lambdas/shared/validation.js';
import type { AsDeployed } from '../local/deployed/start.js';
import type { Embedded } from '../local/embedded.js';
import { executionArnFor, type RuntimeEvent } from '../local/engine/asl-runner.js';
import type { ExecutionRecord } from '../local/engine/execution-store.js';
import { canonicalJson, RunRecords, runKey } from './run-records.js';

export class InputError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
    /** The HTTP status, when the API refused. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** Reads a request file (`{ "campaign_request": … }` or the bare request) and validates it before anything runs. */
export function readRequestFile(file: string, brandId?: string): CampaignRequest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`cannot read ${file}`, [{ path: '', message: (e as Error).message }]);
  }
  const wrapped = json && typeof json === 'object' && 'campaign_request' in json;
  const raw = (wrapped ? (json as { campaign_request: unknown }).campaign_request : json) as Record<
    string,
    unknown
  >;
  const prefix = wrapped ? 'campaign_request.' : '';
  if (raw && typeof raw === 'object' && brandId && raw.brand_id === undefined) raw.brand_id = brandId;
  const result = CampaignRequest.safeParse(raw);
  if (!result.success)
    throw new InputError(
      `invalid campaign request in ${file}`,
      fieldIssues(result.error).map((i) => ({ ...i, path: `${prefix}${i.path}` })),
    );
  if (brandId && result.data.brand_id !== brandId) {
    throw new InputError(`invalid campaign request in ${file}`, [
      { path: `${prefix}brand_id`, message: `is ${result.data.brand_id} but the brand bible is ${brandId}` },
    ]);
  }
  return result.data;
}

/** Credentials that sign API requests (SigV4, `execute-api`), as an operator calls AWS_IAM routes. */
export interface ApiSigner {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  account: string;
}

export async function api<T>(
  base: string,
  method: string,
  route: string,
  body?: unknown,
  contentType = 'application/json',
  signer?: ApiSigner,
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  let headers: Record<string, string> = {
    ...(body === undefined ? {} : { 'content-type': contentType }),
    ...extraHeaders,
  };
  if (signer) {
    const { signApiRequest } = await import('../local/deployed/operator.js');
    const url = new URL(`${base}${route}`);
    headers = await signApiRequest(signer, {
      method,
      url: `${url.pathname}${url.search}`,
      headers: { ...headers, host: url.host },
      body: payload ?? '',
    });
  }
  const res = await fetch(`${base}${route}`, { method, headers, body: payload });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const p = parsed as { detail?: string; errors?: { pointer: string; detail: string }[] } | undefined;
    throw new InputError(
      `${method} ${route} → ${res.status}: ${p?.detail ?? text}`,
      (p?.errors ?? []).map((e) => ({ path: e.pointer, message: e.detail })),
      res.status,
    );
  }
  return parsed as T;
}

const PILLAR_OF: Record<string, string> = {
  Campaign: 'Campaign',
  Strategist: 'Strategist',
  Copywriter: 'Copywriter',
  Production: 'Production House',
  CampaignManager: 'Campaign Manager',
  Broadcaster: 'Broadcaster',
};

/** `bie-Strategist` (embedded) and `BrandInfinity-dev-Strategist` (as deployed) are the same pillar. */
const pillarOf = (machine: string): string => PILLAR_OF[machine.split('-').pop() ?? ''] ?? machine;

/** Progress lines per pillar and step, with the time each step took. */
export function progressPrinter(write: (line: string) => void) {
  const started = new Map<string, number>();
  const t0 = Date.now();
  const timings: { pillar: string; state: string; ms: number }[] = [];
  return {
    timings,
    onEvent(e: RuntimeEvent) {
      const pillar = pillarOf(e.machine);
      const key = `${e.executionArn}|${e.state}|${e.index ?? ''}`;
      if (e.type === 'StateEntered' && e.state) started.set(key, Date.now());
      if (e.type === 'StateExited' && e.state && started.has(key)) {
        const ms = Date.now() - (started.get(key) ?? Date.now());
        started.delete(key);
        if (/^(Run|Approve|Produce|Broadcast|Render|Write|Format|Publish)|Map$/.test(e.state) && ms < 5)
          return;
        timings.push({ pillar, state: e.state, ms });
        if (!['Pass', 'Choice'].includes(e.state))
          write(
            `  ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s  ${pillar.padEnd(16)} ${e.state.padEnd(24)} ${(ms / 1000).toFixed(2)}s`,
          );
      }
      if (e.type === 'TaskTokenIssued')
        write(
          `  ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s  ${pillar.padEnd(16)} ${String(e.state).padEnd(24)} waiting for a decision`,
        );
      if (e.type === 'TaskReplayed')
        write(
          `  ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s  ${pillar.padEnd(16)} ${String(e.state).padEnd(24)} replayed from the journal`,
        );
      if (e.type === 'StateFailed' && e.state)
        write(
          `  ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s  ${pillar.padEnd(16)} ${e.state.padEnd(24)} failed: ${e.error ?? ''}${e.cause ? ` (${e.cause.slice(0, 200)})` : ''}`,
        );
      if (e.type === 'ExecutionFailed' && pillar === 'Campaign') write(`  campaign failed: ${e.error ?? ''}`);
    },
  };
}

const s3 = () => new S3Client({});

async function download(url: string, to: string, client: S3Client = s3()): Promise<string> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m) throw new Error(`not an s3 url: ${url}`);
  const res = await client.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
  mkdirSync(path.dirname(to), { recursive: true });
  writeFileSync(
    to,
    await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
  return to;
}

/**
 * Copies the offline publisher's posts of a publication (objects `outbox/<platform>/<post_id>/` of the
 * media bucket) to `<dir>/<platform>/<post_id>/`, for the user to look at.
 */
async function copyOutboxPosts(
  posts: { platform: string; post_id: string; formatted_video_url: string }[],
  dir: string,
  client: S3Client,
): Promise<void> {
  const { POST_FILE, outboxPostPrefix } = await import(
    '../lambdas/shared/adapters/offline/outbox-publisher.js'
  );
  for (const post of posts) {
    const bucket = /^s3:\/\/([^/]+)\//.exec(post.formatted_video_url)?.[1];
    if (!bucket) continue;
    const prefix = `s3://${bucket}/${outboxPostPrefix(post.platform, post.post_id)}`;
    const to = path.join(dir, post.platform, post.post_id);
    let postFile: string;
    try {
      postFile = await download(`${prefix}${POST_FILE}`, path.join(to, POST_FILE), client);
    } catch (error) {
      // Published elsewhere than the outbox (a real platform API): nothing to copy.
      if ((error as { name?: string }).name === 'NoSuchKey') continue;
      throw error;
    }
    const { video, thumbnail } = JSON.parse(readFileSync(postFile, 'utf8')) as {
      video: string;
      thumbnail: string;
    };
    for (const file of [video, thumbnail])
      await download(`${prefix}${file}`, path.join(to, path.basename(file)), client);
  }
}

export const RunResult = z.object({
  campaign_id: z.string(),
  status: z.string(),
  brief: z.string().optional(),
  script: z.string().optional(),
  master_video: z.string().optional(),
  renditions: z.record(z.string(), z.string()),
  thumbnails: z.record(z.string(), z.string()),
  captions: z.record(z.string(), z.string()),
  ledger: z.object({
    by_pillar: z.record(z.string(), z.unknown()),
    total_usd: z.number(),
    total_list_price_usd: z.number(),
  }),
  publication_package: z.string().optional(),
  approvals: z.array(
    z.object({
      approval_id: z.string(),
      checkpoint: z.string(),
      status: z.string(),
      decided_by: z.string().optional(),
    }),
  ),
  variants: z.array(z.record(z.string(), z.unknown())),
  /** The campaign's posts copied from the outbox in the media bucket: `<out>/outbox/<platform>/<post_id>/`. */
  outbox: z.string(),
  failure: z.object({ error: z.string(), cause: z.string() }).optional(),
  /**
   * What `bie run` did: started the campaign, resumed the one an earlier run of the same request left
   * unfinished, or found it already finished (the same request is one campaign; `--new` makes another).
   */
  run: z
    .object({
      /** The run's key (`bie run`); absent for `bie resume`. */
      key: z.string().optional(),
      outcome: z.enum(['started', 'resumed', 'already_finished', 'redriven']),
    })
    .optional(),
});
export type RunResult = z.infer<typeof RunResult>;

/** Copies every output of a finished campaign under `out` and returns their paths. */
export async function collectOutputs(
  view: CampaignView,
  out: string,
  client: S3Client = s3(),
): Promise<RunResult> {
  const fetchObject = (url: string, to: string) => download(url, to, client);
  const outbox = path.join(out, 'outbox');
  mkdirSync(outbox, { recursive: true });
  mkdirSync(out, { recursive: true });
  const write = (name: string, value: unknown) => {
    const file = path.join(out, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
    return file;
  };
  const brief = view.briefs.at(-1);
  const variants = [];
  const result: RunResult = {
    campaign_id: view.campaign.campaign_id,
    status: view.campaign.status,
    renditions: {},
    thumbnails: {},
    captions: {},
    ledger: {
      by_pillar: view.ledger.by_pillar,
      total_usd: view.ledger.total_usd,
      total_list_price_usd: view.ledger.total_list_price_usd,
    },
    approvals: view.approvals.map((a) => ({
      approval_id: a.approval_id,
      checkpoint: a.checkpoint,
      status: a.status,
      decided_by: a.decided_by,
    })),
    variants: [],
    outbox,
    ...(view.campaign.failure ? { failure: view.campaign.failure } : {}),
  };
  if (brief) result.brief = write('brief.json', brief);
  write('ledger.json', view.ledger);
  write('approvals.json', view.approvals);
  for (const variant of view.variants) {
    const dir = `variants/${variant.variant_type}`;
    const latest = view.scripts.filter((s) => s.variant_id === variant.variant_id).at(-1);
    const video = view.videos.filter((v) => v.variant_id === variant.variant_id).at(-1);
    const pub = view.publications.filter((p) => p.variant_id === variant.variant_id).at(-1);
    const entry: Record<string, unknown> = {
      variant_id: variant.variant_id,
      variant_type: variant.variant_type,
    };
    if (latest) entry.script = write(`${dir}/script.json`, latest);
    if (video) {
      entry.master_video = await fetchObject(video.master_mp4_url, path.join(out, dir, 'master.mp4'));
      entry.captions = {
        vtt: await fetchObject(video.captions_url, path.join(out, dir, 'captions.vtt')),
        srt: await fetchObject(
          video.captions_url.replace(/\.vtt$/, '.srt'),
          path.join(out, dir, 'captions.srt'),
        ),
      };
      entry.video = write(`${dir}/video_assets.json`, video);
    }
    if (pub) {
      entry.publication_package = write(`${dir}/publication_package.json`, pub);
      const renditions: Record<string, string> = {};
      const thumbnails: Record<string, string> = {};
      for (const post of pub.platform_posts) {
        renditions[post.platform] = await fetchObject(
          post.formatted_video_url,
          path.join(out, dir, 'renditions', `${post.platform}.mp4`),
        );
        thumbnails[post.platform] = await fetchObject(
          post.metadata.thumbnail_url,
          path.join(out, dir, 'thumbnails', `${post.platform}.jpg`),
        );
      }
      entry.renditions = renditions;
      entry.thumbnails = thumbnails;
      await copyOutboxPosts(pub.platform_posts, outbox, client);
    }
    variants.push(entry);
  }
  const first = variants[0] ?? {};
  result.variants = variants;
  result.script = first.script as string | undefined;
  result.master_video = first.master_video as string | undefined;
  result.renditions = (first.renditions as Record<string, string>) ?? {};
  result.thumbnails = (first.thumbnails as Record<string, string>) ?? {};
  result.captions = (first.captions as Record<string, string>) ?? {};
  result.publication_package = first.publication_package as string | undefined;
  return RunResult.parse(result);
}

const isAsDeployed = (app: Embedded): app is AsDeployed =>
  (app as Partial<AsDeployed>).mode === 'as-deployed';

/** The operator's S3 client in as-deployed mode: through the gateway, with the operator's own keys. */
function operatorS3(app: AsDeployed): S3Client {
  return new S3Client({
    endpoint: app.awsEndpoint,
    region: app.operator.region,
    credentials: { accessKeyId: app.operator.accessKeyId, secretAccessKey: app.operator.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

type Pending = { approval_id: string; checkpoint: string; summary: string; campaign_id?: string };
type CampaignSummary = Pick<
  Campaign,
  'campaign_id' | 'status' | 'request' | 'auto_approve' | 'created_at'
> & {
  execution_arn?: string;
};

/** Campaign statuses after which nothing runs any more (a failed one can be redriven: `bie resume`). */
const FINISHED = new Set(['published', 'completed', 'failed', 'cancelled']);

/** The orchestrator state machine of the running stack (`bie-Campaign`, `<stack>-Campaign` as deployed). */
function campaignMachineArn(app: Embedded): string {
  const machine = app.runtime.runner.stateMachines().find((m) => m.name.endsWith('-Campaign'));
  if (!machine) throw new Error('the runtime has no Campaign state machine');
  return machine.arn;
}

/**
 * The campaign an earlier run of the same request created, if any: the one its record names, or, when
 * that run was killed between `POST /campaigns` and writing the id down, the campaign of this brand
 * with exactly this request created since the record (and not claimed by another record).
 */
async function findRunCampaign(
  app: Embedded,
  records: RunRecords,
  key: string,
  body: { campaign_request: CampaignRequest; auto_approve: boolean },
  signer: ApiSigner | undefined,
): Promise<CampaignSummary | undefined> {
  const base = app.runtime.info.apiUrl;
  const record = records.get(key);
  if (!record) return undefined;
  if (record.campaign_id) {
    try {
      const view = await api<{ campaign: CampaignSummary }>(
        base,
        'GET',
        `/campaigns/${encodeURIComponent(record.campaign_id)}`,
        undefined,
        undefined,
        signer,
      );
      return view.campaign;
    } catch (error) {
      if ((error as InputError).status === 404) return undefined;
      throw error;
    }
  }
  const claimed = new Set(records.all().flatMap((r) => (r.campaign_id ? [r.campaign_id] : [])));
  const { campaigns } = await api<{ campaigns: CampaignSummary[] }>(
    base,
    'GET',
    `/campaigns?brand_id=${encodeURIComponent(body.campaign_request.brand_id)}`,
    undefined,
    undefined,
    signer,
  );
  // Clocks are the same machine's; a second of slack covers the record's write before the POST.
  const since = Date.parse(record.created_at) - 1000;
  const wanted = canonicalJson(body.campaign_request);
  const found = campaigns
    .filter(
      (c) =>
        !claimed.has(c.campaign_id) &&
        c.auto_approve === body.auto_approve &&
        Date.parse(c.created_at) >= since &&
        canonicalJson(c.request) === wanted,
    )
    .sort((a, b) => a.created_at.localeCompare(b.created_at))[0];
  if (found) records.put({ ...record, campaign_id: found.campaign_id });
  return found;
}

/**
 * The campaign's orchestrator execution, started if the campaign exists without one (a kill between
 * `createCampaign`'s write and its StartExecution): same name and input as the API gives it, so a
 * StartExecution that did happen is found, not repeated.
 */
function ensureExecution(app: Embedded, campaign: CampaignSummary): ExecutionRecord | undefined {
  const runner = app.runtime.runner;
  const machine = campaignMachineArn(app);
  const arn = campaign.execution_arn ?? executionArnFor(machine, campaign.campaign_id);
  try {
    return runner.describeExecution(arn);
  } catch (error) {
    if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
  }
  if (FINISHED.has(campaign.status)) return undefined;
  return runner.startExecution({
    stateMachineArn: machine,
    name: campaign.campaign_id,
    input: { campaign_id: campaign.campaign_id },
  });
}

/**
 * Runs a campaign request to its end and collects its outputs; idempotent per request. The same
 * request, brand and `auto_approve` in the same data directory is one campaign: a run finds the
 * campaign an earlier (killed, stopped, finished) run created and waits for it — the runtime has
 * already resumed it — or prints it when it is finished; only `fresh` (`bie run --new`) makes another.
 * A new campaign is created through the HTTP API with the request's key as `Idempotency-Key`, so an
 * API that honours the header gives the same campaign back however the run was interrupted.
 * As deployed, every step is what an operator does on AWS: SigV4-signed API calls, the campaign view
 * from `GET /campaigns/{id}`, media and the offline publisher's `outbox/` from the bucket.
 */
export async function runCampaign(
  app: Embedded,
  args: {
    brandText: string;
    request: CampaignRequest;
    autoApprove: boolean;
    out: string;
    /** A deliberate second campaign of the same request (`bie run --new`). */
    fresh?: boolean;
    onWaiting?: (pending: Pending[]) => void;
    /** Called with the campaign an earlier run created, before waiting for it. */
    onFound?: (campaign: CampaignSummary) => void;
  },
): Promise<RunResult> {
  const base = app.runtime.info.apiUrl;
  const signer = isAsDeployed(app) ? app.operator : undefined;
  const body = { campaign_request: args.request, auto_approve: args.autoApprove };
  const natural = runKey(args.request.brand_id, body);
  const key = args.fresh ? `${natural}-new-${randomUUID()}` : natural;
  const records = new RunRecords(app.dataDir);
  let campaign = args.fresh ? undefined : await findRunCampaign(app, records, key, body, signer);
  let outcome: NonNullable<RunResult['run']>['outcome'] = 'started';
  if (campaign) {
    outcome = FINISHED.has(campaign.status) ? 'already_finished' : 'resumed';
    args.onFound?.(campaign);
  } else {
    const record = records.get(key) ?? { key, created_at: new Date().toISOString(), fresh: args.fresh };
    records.put(record);
    await api(
      base,
      'POST',
      '/brands',
      args.brandText,
      args.brandText.trimStart().startsWith('{') ? 'application/json' : 'text/markdown',
      signer,
    );
    campaign = await api<CampaignSummary>(base, 'POST', '/campaigns', body, undefined, signer, {
      'idempotency-key': key,
    });
    records.put({ ...record, campaign_id: campaign.campaign_id });
  }
  const execution = ensureExecution(app, campaign);
  return followCampaign(app, campaign.campaign_id, execution, {
    autoApprove: args.autoApprove,
    out: args.out,
    onWaiting: args.onWaiting,
    run: { key, outcome },
  });
}

/**
 * Waits for a campaign's execution (telling `onWaiting` about approvals it asks for when the campaign
 * is not auto-approved), then collects its outputs under `out`.
 */
async function followCampaign(
  app: Embedded,
  campaignId: string,
  execution: ExecutionRecord | undefined,
  opts: {
    autoApprove: boolean;
    out: string;
    onWaiting?: (pending: Pending[]) => void;
    run: RunResult['run'];
  },
): Promise<RunResult> {
  const base = app.runtime.info.apiUrl;
  const signer = isAsDeployed(app) ? app.operator : undefined;
  if (execution?.status === 'RUNNING') {
    const done = app.runtime.runner.waitForExecution(execution.executionArn);
    // Auto-approve decides every checkpoint but the budget: a paused budget is shown even then.
    if (opts.onWaiting) {
      const seen = new Set<string>();
      let finished = false;
      void done.finally(() => {
        finished = true;
      });
      while (!finished) {
        const { approvals } = await api<{ approvals: (Pending & { campaign_id: string })[] }>(
          base,
          'GET',
          '/operator/approvals',
          undefined,
          undefined,
          signer,
        );
        const fresh = approvals.filter(
          (a) =>
            a.campaign_id === campaignId &&
            !seen.has(a.approval_id) &&
            (!opts.autoApprove || a.checkpoint === 'budget'),
        );
        for (const a of fresh) seen.add(a.approval_id);
        if (fresh.length) opts.onWaiting(fresh);
        await Promise.race([done, new Promise((r) => setTimeout(r, 500))]);
      }
    }
    await done;
  }
  const run = opts.run;
  if (isAsDeployed(app)) {
    const view = await api<CampaignView>(
      base,
      'GET',
      `/campaigns/${encodeURIComponent(campaignId)}`,
      undefined,
      undefined,
      signer,
    );
    const client = operatorS3(app);
    try {
      return { ...(await collectOutputs(view, opts.out, client)), run };
    } finally {
      client.destroy();
    }
  }
  const { campaignView } = await import('../lambdas/campaign-manager/domain/campaign-view.js');
  return { ...(await collectOutputs(await campaignView(campaignId), opts.out)), run };
}

/** What `POST /campaigns/{id}/redrive` answers. */
export interface Redriven {
  campaign_id: string;
  execution_arn: string;
  status: string;
  redrive_date: string;
}

/** Redrives a failed campaign through the API (`POST /campaigns/{id}/redrive`). */
export async function requestRedrive(
  base: string,
  campaignId: string,
  signer?: ApiSigner,
): Promise<Redriven> {
  return api<Redriven>(
    base,
    'POST',
    `/campaigns/${encodeURIComponent(campaignId)}/redrive`,
    undefined,
    undefined,
    signer,
  );
}

/**
 * `bie resume`: redrives a failed campaign from the step that failed (its finished steps answer from
 * the journal: not run, not charged again), waits for it and collects its outputs like `bie run`.
 */
export async function resumeCampaign(
  app: Embedded,
  args: { campaignId: string; out: string; onWaiting?: (pending: Pending[]) => void },
): Promise<RunResult> {
  const signer = isAsDeployed(app) ? app.operator : undefined;
  const base = app.runtime.info.apiUrl;
  const { campaign } = await api<{ campaign: CampaignSummary }>(
    base,
    'GET',
    `/campaigns/${encodeURIComponent(args.campaignId)}`,
    undefined,
    undefined,
    signer,
  );
  const redriven = await requestRedrive(base, args.campaignId, signer);
  return followCampaign(app, args.campaignId, app.runtime.runner.describeExecution(redriven.execution_arn), {
    autoApprove: campaign.auto_approve,
    out: args.out,
    onWaiting: args.onWaiting,
    run: { outcome: 'redriven' },
  });
}
