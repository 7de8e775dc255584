import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { z } from 'zod';
import {
  Approval,
  Asset,
  BrandProfile,
  Campaign,
  type CampaignStatus,
  CreativeBrief,
  GuidelineChunk,
  HookVariation,
  PlatformPost,
  PublicationPackage,
  RenderJob,
  Script,
  type TrendSource,
  TrendSourceState,
  TrendSourcesBody,
  Variant,
  VideoAssets,
} from '../contracts/index.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { nowIso, shortHash } from '../ids.js';
import { toMicros, toUsd } from '../money.js';
import {
  body,
  doc,
  getItem,
  type Item,
  isConditionalFailure,
  putItem,
  putMany,
  queryIndex,
  queryPartition,
  tableName,
  UpdateCommand,
} from './table.js';

/** Reads validate too: a corrupt item fails loudly where it is read, not three steps later. */
const read = <S extends z.ZodType>(schema: S, item: Item | undefined): z.infer<S> | undefined =>
  item ? (schema.parse(body(item)) as z.infer<S>) : undefined;
const must = <T>(value: T | undefined, what: string, id: string): T => {
  if (value === undefined) throw new NotFoundError(what, id);
  return value;
};

const C = (campaignId: string) => `CAMPAIGN#${campaignId}`;

/**
 * A campaign's budget, spend and remaining budget are stored as integer micro-dollars
 * (`budget_limit_micros`, `current_cost_micros`, `remaining_micros`: the ledger charges them exactly,
 * lambdas/shared/data/ledger.ts); the contract shows dollars.
 * Items written before micro-dollars keep their dollar attributes and are read as such.
 */
export function campaignFromItem(item: Item): Campaign {
  const b = body<Record<string, unknown>>(item);
  const usd = (micros: unknown, dollars: unknown) => (typeof micros === 'number' ? toUsd(micros) : dollars);
  return Campaign.parse({
    ...b,
    budget_limit_usd: usd(b.budget_limit_micros, b.budget_limit_usd),
    current_cost_usd: usd(b.current_cost_micros, b.current_cost_usd ?? 0),
  });
}

export const campaigns = {
  async create(c: Campaign): Promise<boolean> {
    const { budget_limit_usd, current_cost_usd, ...v } = Campaign.parse(c);
    return putItem(
      {
        pk: C(v.campaign_id),
        sk: 'META',
        ...v,
        budget_limit_micros: toMicros(budget_limit_usd),
        current_cost_micros: toMicros(current_cost_usd),
        remaining_micros: toMicros(budget_limit_usd) - toMicros(current_cost_usd),
        gsi1pk: `BRAND#${v.brand_id}`,
        gsi1sk: `CAMPAIGN#${v.created_at}`,
        gsi2pk: `STATUS#${v.status}`,
        gsi2sk: v.created_at,
      },
      { ifAbsent: true },
    );
  },
  async get(id: string): Promise<Campaign | undefined> {
    const item = await getItem(C(id), 'META');
    return item ? campaignFromItem(item) : undefined;
  },
  async mustGet(id: string): Promise<Campaign> {
    return must(await this.get(id), 'campaign', id);
  },
  async listByBrand(brandId: string): Promise<Campaign[]> {
    return (await queryIndex('gsi1', `BRAND#${brandId}`, { newestFirst: true })).map(campaignFromItem);
  },
  async listByStatus(status: CampaignStatus): Promise<Campaign[]> {
    return (await queryIndex('gsi2', `STATUS#${status}`, { newestFirst: true })).map(campaignFromItem);
  },
  async update(
    id: string,
    patch: Partial<Pick<Campaign, 'status' | 'execution_arn' | 'failure'>>,
  ): Promise<Campaign> {
    const current = await this.mustGet(id);
    const next = Campaign.parse({ ...current, ...patch, updated_at: nowIso() });
    const names: Record<string, string> = { '#u': 'updated_at', '#g': 'gsi2pk' };
    const values: Record<string, unknown> = { ':u': next.updated_at, ':g': `STATUS#${next.status}` };
    const sets = ['#u = :u', '#g = :g'];
    for (const [k, v] of Object.entries(patch)) {
      names[`#${k}`] = k;
      values[`:${k}`] = v;
      sets.push(`#${k} = :${k}`);
    }
    await doc.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: C(id), sk: 'META' },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return next;
  },
};

export const variants = {
  async put(v: Variant): Promise<void> {
    await putItem({ pk: C(v.campaign_id), sk: `VARIANT#${v.variant_id}`, ...Variant.parse(v) });
  },
  async list(campaignId: string): Promise<Variant[]> {
    return (await queryPartition(C(campaignId), 'VARIANT#')).map((i) => Variant.parse(body(i)));
  },
  async get(campaignId: string, variantId: string): Promise<Variant> {
    return must(read(Variant, await getItem(C(campaignId), `VARIANT#${variantId}`)), 'variant', variantId);
  },
};

export const briefs = {
  async put(b: CreativeBrief): Promise<void> {
    await putItem({ pk: C(b.campaign_id), sk: `BRIEF#${b.brief_id}`, ...CreativeBrief.parse(b) });
  },
  async get(campaignId: string, briefId: string): Promise<CreativeBrief> {
    return must(read(CreativeBrief, await getItem(C(campaignId), `BRIEF#${briefId}`)), 'brief', briefId);
  },
  async list(campaignId: string): Promise<CreativeBrief[]> {
    return (await queryPartition(C(campaignId), 'BRIEF#')).map((i) => CreativeBrief.parse(body(i)));
  },
};

const pad = (n: number) => String(n).padStart(4, '0');

/** Script versions are never overwritten: each version is its own item. */
export const scripts = {
  async putVersion(s: Script): Promise<void> {
    const v = Script.parse(s);
    const created = await putItem(
      { pk: C(v.campaign_id), sk: `SCRIPT#${v.script_id}#V${pad(v.version)}`, ...v },
      { ifAbsent: true },
    );
    if (!created) {
      const existing = await getItem(C(v.campaign_id), `SCRIPT#${v.script_id}#V${pad(v.version)}`);
      if (JSON.stringify(body(existing as Item)) !== JSON.stringify(v))
        throw new ConflictError(`script ${v.script_id} version ${v.version} exists`);
    }
  },
  async versions(campaignId: string, scriptId: string): Promise<Script[]> {
    return (await queryPartition(C(campaignId), `SCRIPT#${scriptId}#V`)).map((i) => Script.parse(body(i)));
  },
  async latest(campaignId: string, scriptId: string): Promise<Script> {
    return must((await this.versions(campaignId, scriptId)).pop(), 'script', scriptId);
  },
  async list(campaignId: string): Promise<Script[]> {
    return (await queryPartition(C(campaignId), 'SCRIPT#')).map((i) => Script.parse(body(i)));
  },
};

export const hooks = {
  async putSet(campaignId: string, hookSetId: string, items: HookVariation[]): Promise<void> {
    await putMany(
      items.map((h) => ({
        pk: C(campaignId),
        sk: `HOOK#${hookSetId}#${pad(h.variation_number)}`,
        ...HookVariation.parse(h),
      })),
    );
  },
  async listSet(campaignId: string, hookSetId: string): Promise<HookVariation[]> {
    return (await queryPartition(C(campaignId), `HOOK#${hookSetId}#`)).map((i) =>
      HookVariation.parse(body(i)),
    );
  },
};

/** Working documents of a step (outlines, scene drafts, voice plans) validated by the caller's schema. */
export const workDocs = {
  async put(campaignId: string, kind: string, id: string, value: unknown): Promise<void> {
    await putItem({ pk: C(campaignId), sk: `DOC#${kind}#${id}`, value });
  },
  async get<S extends z.ZodType>(
    campaignId: string,
    kind: string,
    id: string,
    schema: S,
  ): Promise<z.infer<S>> {
    const item = await getItem(C(campaignId), `DOC#${kind}#${id}`);
    if (!item) throw new NotFoundError(kind, id);
    return schema.parse(item.value) as z.infer<S>;
  },
  async find<S extends z.ZodType>(
    campaignId: string,
    kind: string,
    id: string,
    schema: S,
  ): Promise<z.infer<S> | undefined> {
    const item = await getItem(C(campaignId), `DOC#${kind}#${id}`);
    return item ? (schema.parse(item.value) as z.infer<S>) : undefined;
  } /** Stores the document unless one is there already; returns the stored one (first writer wins). */,
  async putFirst<S extends z.ZodType>(
    campaignId: string,
    kind: string,
    id: string,
    value: z.infer<S>,
    schema: S,
  ): Promise<z.infer<S>> {
    if (await putItem({ pk: C(campaignId), sk: `DOC#${kind}#${id}`, value }, { ifAbsent: true }))
      return value;
    return this.get(campaignId, kind, id, schema);
  },
};

export const videos = {
  async put(v: VideoAssets): Promise<void> {
    await putItem({ pk: C(v.campaign_id), sk: `VIDEO#${v.video_id}`, ...VideoAssets.parse(v) });
  },
  async get(campaignId: string, videoId: string): Promise<VideoAssets> {
    return must(read(VideoAssets, await getItem(C(campaignId), `VIDEO#${videoId}`)), 'video', videoId);
  },
  async list(campaignId: string): Promise<VideoAssets[]> {
    return (await queryPartition(C(campaignId), 'VIDEO#')).map((i) => VideoAssets.parse(body(i)));
  },
};

export const renderJobs = {
  /**
   * Stores a job. With `ifStill`, only while the stored job still has that status and task token
   * (false otherwise): a late writer never reverts a completion or overwrites a refreshed token.
   */
  async put(j: RenderJob, ifStill?: Pick<RenderJob, 'status' | 'task_token'>): Promise<boolean> {
    const v = RenderJob.parse(j);
    const guard = ifStill
      ? {
          ifMatches: {
            status: ifStill.status,
            ...(ifStill.task_token ? { task_token: ifStill.task_token } : {}),
          },
        }
      : {};
    return putItem(
      {
        pk: C(v.campaign_id),
        sk: `JOB#${v.job_id}`,
        ...v,
        ...(v.provider_job_id ? { gsi3pk: `PJOB#${v.provider}#${v.provider_job_id}` } : {}),
        // Jobs in flight are listed for the poller (providers without webhooks, lost webhooks).
        ...(v.status === 'processing' ? { gsi2pk: 'RENDERS#processing', gsi2sk: v.created_at } : {}),
      },
      guard,
    );
  },
  async listProcessing(): Promise<RenderJob[]> {
    return (await queryIndex('gsi2', 'RENDERS#processing'))
      .map((i) => RenderJob.parse(body(i)))
      .filter((j) => j.status === 'processing');
  },
  async get(campaignId: string, jobId: string): Promise<RenderJob | undefined> {
    return read(RenderJob, await getItem(C(campaignId), `JOB#${jobId}`));
  },
  async findByProviderJobId(provider: string, providerJobId: string): Promise<RenderJob | undefined> {
    const [item] = await queryIndex('gsi3', `PJOB#${provider}#${providerJobId}`);
    return item ? RenderJob.parse(body(item)) : undefined;
  },
  async list(campaignId: string): Promise<RenderJob[]> {
    return (await queryPartition(C(campaignId), 'JOB#')).map((i) => RenderJob.parse(body(i)));
  },
};

/**
 * A scene cache entry: the job whose clip an identical render request of the same campaign can reuse.
 * The campaign is part of the item key, so each campaign fills its own cache (a clip is charged to,
 * stored under and retained with the campaign that rendered it; see sceneCacheKeyFor).
 */
export const sceneCache = {
  async find(
    campaignId: string,
    cacheKey: string,
  ): Promise<{ campaign_id: string; job_id: string; clip_key: string } | undefined> {
    const item = await getItem(`SCENECACHE#${campaignId}#${cacheKey}`, 'ENTRY');
    return item ? (body(item) as { campaign_id: string; job_id: string; clip_key: string }) : undefined;
  },
  async put(
    cacheKey: string,
    entry: { campaign_id: string; job_id: string; clip_key: string },
  ): Promise<void> {
    await putItem(
      { pk: `SCENECACHE#${entry.campaign_id}#${cacheKey}`, sk: 'ENTRY', ...entry },
      { ifAbsent: true },
    );
  },
  /** Claims the shot for a render job; returns the job that holds it (this one if it was free). */
  async claim(campaignId: string, cacheKey: string, jobId: string): Promise<string> {
    const pk = `SCENECACHE#${campaignId}#${cacheKey}`;
    if (await putItem({ pk, sk: 'CLAIM', job_id: jobId }, { ifAbsent: true })) return jobId;
    return String((await getItem(pk, 'CLAIM'))?.job_id ?? '');
  },
  /** Moves the claim from a job that failed to another; false if someone else moved it first. */
  async takeOver(campaignId: string, cacheKey: string, from: string, to: string): Promise<boolean> {
    const pk = `SCENECACHE#${campaignId}#${cacheKey}`;
    return putItem({ pk, sk: 'CLAIM', job_id: to }, { ifMatches: { job_id: from } });
  },
  /** A scene waiting for the holder's clip: its task token is answered when the holder finishes. */
  async follow(
    campaignId: string,
    cacheKey: string,
    f: { job_id: string; task_token: string; variant_id: string; scene_id: string; holder: string },
  ): Promise<void> {
    await putItem({ pk: `SCENECACHE#${campaignId}#${cacheKey}`, sk: `FOLLOWER#${f.job_id}`, ...f });
  },
  async followers(
    campaignId: string,
    cacheKey: string,
  ): Promise<{ job_id: string; task_token: string; variant_id: string; scene_id: string; holder: string }[]> {
    return (await queryPartition(`SCENECACHE#${campaignId}#${cacheKey}`, 'FOLLOWER#')).map((i) => body(i));
  },
};

export const approvals = {
  item(a: Approval): Item {
    return {
      pk: C(a.campaign_id),
      sk: `APPROVAL#${a.approval_id}`,
      ...Approval.parse(a),
      gsi4pk: `APPROVAL#${a.approval_id}`,
      ...(a.status === 'pending' ? { gsi2pk: 'APPROVALS#pending', gsi2sk: a.created_at } : {}),
    };
  },
  async create(a: Approval): Promise<boolean> {
    return putItem(this.item(a), { ifAbsent: true });
  },
  async get(approvalId: string): Promise<Approval | undefined> {
    const [item] = await queryIndex('gsi4', `APPROVAL#${approvalId}`);
    return item ? Approval.parse(body(item)) : undefined;
  },
  async listPending(): Promise<Approval[]> {
    return (await queryIndex('gsi2', 'APPROVALS#pending'))
      .map((i) => Approval.parse(body(i)))
      .filter((a) => a.status === 'pending');
  },
  async list(campaignId: string): Promise<Approval[]> {
    return (await queryPartition(C(campaignId), 'APPROVAL#')).map((i) => Approval.parse(body(i)));
  },
  async setToken(a: Approval, token: string): Promise<void> {
    await doc.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: C(a.campaign_id), sk: `APPROVAL#${a.approval_id}` },
        UpdateExpression: 'SET task_token = :t',
        ExpressionAttributeValues: { ':t': token },
      }),
    );
  },
  /** Single use: only a pending approval can be decided (a conditional update, race-free). */
  async decide(
    a: Approval,
    decision: Pick<
      Approval,
      'status' | 'decided_by' | 'decided_at' | 'feedback' | 'scenes' | 'chosen_hook_id'
    >,
  ): Promise<Approval> {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: { pk: C(a.campaign_id), sk: `APPROVAL#${a.approval_id}` },
          UpdateExpression: `SET #s = :s, decided_by = :by, decided_at = :at, feedback = :f${decision.scenes ? ', scenes = :sc' : ''}${decision.chosen_hook_id ? ', chosen_hook_id = :h' : ''} REMOVE gsi2pk, gsi2sk`,
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':s': decision.status,
            ':by': decision.decided_by,
            ':at': decision.decided_at,
            ':f': decision.feedback ?? '',
            ...(decision.scenes ? { ':sc': decision.scenes } : {}),
            ...(decision.chosen_hook_id ? { ':h': decision.chosen_hook_id } : {}),
            ':pending': 'pending',
          },
        }),
      );
    } catch (error) {
      if (isConditionalFailure(error) || error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`approval ${a.approval_id} was already decided`);
      }
      throw error;
    }
    return Approval.parse({ ...a, ...decision, feedback: decision.feedback || undefined });
  },
};

export const assets = {
  async register(a: Asset): Promise<void> {
    await putItem(
      { pk: C(a.campaign_id), sk: `ASSET#${a.asset_type}#${a.asset_id}`, ...Asset.parse(a) },
      { ifAbsent: true },
    );
  },
  async list(campaignId: string): Promise<Asset[]> {
    return (await queryPartition(C(campaignId), 'ASSET#')).map((i) => Asset.parse(body(i)));
  },
};

let auditSeq = 0;
export const audit = {
  async append(
    campaignId: string,
    action: string,
    actor: string,
    details: { previous_state?: unknown; new_state?: unknown } = {},
  ): Promise<void> {
    const at = nowIso();
    auditSeq = (auditSeq + 1) % 1_000_000;
    await putItem({
      pk: C(campaignId),
      sk: `AUDIT#${at}#${process.pid}-${auditSeq}`,
      campaign_id: campaignId,
      action,
      actor,
      ...details,
      created_at: at,
    });
  },
  async list(campaignId: string): Promise<{ action: string; actor: string; created_at: string }[]> {
    return (await queryPartition(C(campaignId), 'AUDIT#')).map((i) => body(i));
  },
};

export const publications = {
  async put(p: PublicationPackage): Promise<void> {
    await putItem({ pk: C(p.campaign_id), sk: `PUB#${p.publication_id}`, ...PublicationPackage.parse(p) });
  },
  async list(campaignId: string): Promise<PublicationPackage[]> {
    return (await queryPartition(C(campaignId), 'PUB#')).map((i) => PublicationPackage.parse(body(i)));
  },
  async putPost(campaignId: string, publicationId: string, post: PlatformPost): Promise<void> {
    await putItem({
      pk: C(campaignId),
      sk: `POST#${publicationId}#${post.platform}`,
      ...PlatformPost.parse(post),
    });
  },
  async posts(campaignId: string, publicationId: string): Promise<PlatformPost[]> {
    return (await queryPartition(C(campaignId), `POST#${publicationId}#`)).map((i) =>
      PlatformPost.parse(body(i)),
    );
  },
};

const B = (brandId: string) => `BRAND#${brandId}`;

export const brands = {
  async put(profile: BrandProfile): Promise<void> {
    await putItem({ pk: B(profile.brand_id), sk: 'PROFILE', ...BrandProfile.parse(profile) });
  },
  async get(brandId: string): Promise<BrandProfile | undefined> {
    return read(BrandProfile, await getItem(B(brandId), 'PROFILE'));
  },
  /** Chunks with their embeddings as little-endian float32 binary. Re-ingesting replaces them. */
  async putChunks(
    brandId: string,
    chunks: { chunk: GuidelineChunk; embedding: Float32Array }[],
  ): Promise<void> {
    const old = await queryPartition(B(brandId), 'CHUNK#');
    const keep = new Set(chunks.map((_, i) => `CHUNK#${pad(i)}`));
    await putMany(
      chunks.map(({ chunk, embedding }, i) => ({
        pk: B(brandId),
        sk: `CHUNK#${pad(i)}`,
        ...GuidelineChunk.parse(chunk),
        embedding: new Uint8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength),
      })),
    );
    for (const item of old)
      if (!keep.has(item.sk))
        await doc.send(
          new UpdateCommand({
            TableName: tableName(),
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'SET stale = :t',
            ExpressionAttributeValues: { ':t': true },
          }),
        );
  },
  async chunks(brandId: string): Promise<{ chunk: GuidelineChunk; embedding: Float32Array }[]> {
    return (await queryPartition(B(brandId), 'CHUNK#'))
      .filter((i) => !i.stale)
      .map((i) => {
        const { embedding, stale: _s, ...rest } = body<Record<string, unknown>>(i);
        const bytes = embedding as Uint8Array;
        const copy = new Uint8Array(bytes);
        return {
          chunk: GuidelineChunk.parse(rest),
          embedding: new Float32Array(copy.buffer, 0, copy.byteLength / 4),
        };
      });
  },
};

export interface StoredTrend {
  trend_id: string;
  topic: string;
  source: string;
  url: string;
  summary: string;
  category: string;
  engagement_score: number;
  detected_at: string;
  published_at?: string;
}

/** Trends are kept 90 days (the table's TTL attribute `expires_at`, epoch seconds). */
export const TREND_RETENTION_DAYS = 90;
/** Trends of one brand's sources, or the shared ones every brand sees (seeded locally from example feeds). */
export type TrendScope = { brandId: string } | 'shared';
const T = (scope: TrendScope) => (scope === 'shared' ? 'TRENDS' : `TRENDS#${scope.brandId}`);
const live = (i: Item, now: number) => typeof i.expires_at !== 'number' || i.expires_at * 1000 > now;

export const trends = {
  async upsert(scope: TrendScope, list: StoredTrend[], now = Date.now()): Promise<void> {
    const expires_at = Math.floor(now / 1000) + TREND_RETENTION_DAYS * 86_400;
    await putMany(list.map((t) => ({ pk: T(scope), sk: `TREND#${t.trend_id}`, ...t, expires_at })));
  },
  /** The brand's own trends and the shared ones; expired items are skipped (TTL deletion lags up to days). */
  async listFor(brandId: string, now = Date.now()): Promise<StoredTrend[]> {
    const [own, shared] = await Promise.all([
      queryPartition(T({ brandId }), 'TREND#'),
      queryPartition(T('shared'), 'TREND#'),
    ]);
    const seen = new Set<string>();
    return [...own, ...shared]
      .filter((i) => live(i, now))
      .map((i) => body<StoredTrend>(i))
      .filter((t) => !seen.has(t.trend_id) && seen.add(t.trend_id) !== undefined);
  },
  async get(brandId: string, ids: string[]): Promise<StoredTrend[]> {
    const out: StoredTrend[] = [];
    for (const id of ids) {
      const item =
        (await getItem(T({ brandId }), `TREND#${id}`)) ?? (await getItem(T('shared'), `TREND#${id}`));
      if (item) out.push(body<StoredTrend>(item));
    }
    return out;
  },
};

/** Each brand's trend sources with the scraper's per-source state; one index row per brand for the scraper. */
export const trendSources = {
  async put(brandId: string, sources: TrendSource[]): Promise<void> {
    const list = TrendSourcesBody.parse({ sources }).sources;
    await putItem({
      pk: B(brandId),
      sk: 'TREND_SOURCES',
      brand_id: brandId,
      sources: list,
      updated_at: nowIso(),
    });
    await putItem({ pk: 'TREND_SOURCES', sk: `BRAND#${brandId}`, brand_id: brandId, count: list.length });
  },
  async get(brandId: string): Promise<{ sources: TrendSource[]; state: TrendSourceState[] }> {
    const item = await getItem(B(brandId), 'TREND_SOURCES');
    const state = await queryPartition(B(brandId), 'TREND_SOURCE_STATE#');
    return {
      sources: item ? TrendSourcesBody.parse({ sources: item.sources }).sources : [],
      state: state.map((i) => TrendSourceState.parse(body(i))),
    };
  },
  async brandsWithSources(): Promise<string[]> {
    return (await queryPartition('TREND_SOURCES', 'BRAND#'))
      .filter((i) => Number(i.count) > 0)
      .map((i) => String(i.brand_id));
  },
  async saveState(brandId: string, state: TrendSourceState): Promise<void> {
    await putItem({
      pk: B(brandId),
      sk: `TREND_SOURCE_STATE#${shortHash(state.url)}`,
      ...TrendSourceState.parse(state),
    });
  },
};
