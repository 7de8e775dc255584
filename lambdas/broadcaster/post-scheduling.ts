import {
  type Approval,
  PlatformPost,
  type PublishAt,
  publishTimeProblem,
  type ScheduledPost,
} from '../shared/contracts/index.js';
import { priors, publicationTimes, scheduledPosts } from '../shared/data/distribution.js';
import { campaigns, publications, workDocs } from '../shared/data/repositories.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { nowIso, shortHash } from '../shared/ids.js';
import type { PostScheduler } from '../shared/ports/index.js';
import { blobs } from '../shared/services.js';
import { Formatted } from './context.js';
import { decidePublishTime } from './domain/publish-timing.js';

/**
 * Scheduled posts (issue 8). PublishPost asks `holdUntilDue` first: a post whose time has not come is
 * recorded (ScheduledPost), given a one-time schedule that invokes PublishPost again with the same
 * input at that time, and shown in the publication as `scheduled`; when the schedule fires, the post is
 * due and PublishPost publishes it. The decision is stored on first sight, so a replayed step or a
 * restart never decides again. Cancel and move race the firing through conditional writes on the
 * record: whichever changes `pending` first wins.
 */

/** What PublishPost receives (its Input schema), and what the schedule hands back when it fires. */
export interface PublishPostInput {
  campaign_id: string;
  variant_id: string;
  publication_id: string;
  post: { platform: string; post_key: string };
  execution: string;
}

export interface HeldPost {
  platform: string;
  post_id: string;
  status: 'scheduled' | 'cancelled';
}

/** The id a scheduled post is shown and addressed by (stable per post key). */
export const scheduledPostId = (platform: string, postKey: string): string =>
  `${platform}_s${shortHash(postKey)}`;

/** Scheduler names: letters, digits, `.`, `-`, `_`, at most 64 characters. */
const scheduleName = (postId: string, postKey: string): string =>
  `bie-post-${postId}-${shortHash('schedule', postKey)}`.slice(0, 64);

/** A fire this close to the time counts as on time (the Scheduler fires to the minute, not the millisecond). */
const ON_TIME_MS = 60_000;

const payloadOf = (s: ScheduledPost, execution: string): PublishPostInput => ({
  campaign_id: s.campaign_id,
  variant_id: s.variant_id,
  publication_id: s.publication_id,
  post: { platform: s.platform, post_key: s.post_key },
  execution,
});

/**
 * Undefined when the post should be published now; otherwise what PublishPost returns instead of
 * publishing (the post is scheduled, or was cancelled).
 */
export async function holdUntilDue(
  input: PublishPostInput,
  scheduler: PostScheduler,
  now = new Date(),
): Promise<HeldPost | undefined> {
  const postId = scheduledPostId(input.post.platform, input.post.post_key);
  const existing = await scheduledPosts.get(input.campaign_id, postId);
  if (existing) return resume(existing, input, scheduler, now);

  const campaign = await campaigns.mustGet(input.campaign_id);
  const mode = campaign.request.publish_mode ?? 'immediate';
  const f = await workDocs.get(input.campaign_id, 'formatted', input.post.post_key, Formatted);
  const timing = decidePublishTime({
    platform: f.platform,
    now,
    mode,
    requested: campaign.request.publish_at,
    approved: await publicationTimes.get(input.campaign_id, input.publication_id),
    demographic: campaign.request.target_demographic,
    // Only best_time reads the brand's record.
    ...(mode === 'best_time' ? { priors: await priors.get(campaign.brand_id) } : {}),
  });
  if (timing.kind === 'now') return undefined;
  const at = nowIso();
  const record = await scheduledPosts.create({
    post_id: postId,
    post_key: input.post.post_key,
    campaign_id: input.campaign_id,
    variant_id: input.variant_id,
    publication_id: input.publication_id,
    platform: f.platform,
    scheduled_time: timing.at,
    source: timing.source,
    rationale: timing.rationale,
    schedule_name: scheduleName(postId, input.post.post_key),
    execution: input.execution,
    status: 'pending',
    created_at: at,
    updated_at: at,
  });
  return resume(record, input, scheduler, now);
}

async function resume(
  s: ScheduledPost,
  input: PublishPostInput,
  scheduler: PostScheduler,
  now: Date,
): Promise<HeldPost | undefined> {
  if (s.status === 'cancelled') return { platform: s.platform, post_id: s.post_id, status: 'cancelled' };
  if (s.status === 'due') return undefined;
  if (Date.parse(s.scheduled_time) - now.getTime() <= ON_TIME_MS) {
    // Its time: claim it, unless a cancel or a move got there first (then look again).
    const claimed = await scheduledPosts.replace({ ...s, status: 'due', updated_at: nowIso() }, s);
    if (claimed) {
      await followInPackage(s, 'published');
      return undefined;
    }
    const again = await scheduledPosts.get(s.campaign_id, s.post_id);
    return again ? resume(again, input, scheduler, now) : undefined;
  }
  // Not yet: make sure the schedule exists (a replay re-creates it with the same name and time).
  await scheduler.schedule(s.schedule_name, s.scheduled_time, payloadOf(s, input.execution));
  await showScheduled(s);
  return { platform: s.platform, post_id: s.post_id, status: 'scheduled' };
}

/** The post as the publication shows it until it goes out: `scheduled`, `published_at` = its time. */
async function showScheduled(s: ScheduledPost): Promise<void> {
  const f = await workDocs.get(s.campaign_id, 'formatted', s.post_key, Formatted);
  const store = blobs();
  await publications.putPost(
    s.campaign_id,
    s.publication_id,
    PlatformPost.parse({
      platform: f.platform,
      formatted_video_url: store.url(f.rendition_key),
      post_id: s.post_id,
      caption: f.caption,
      hashtags: f.hashtags,
      metadata: {
        aspect_ratio: f.aspect_ratio,
        duration_seconds: f.duration_seconds,
        thumbnail_url: store.url(f.thumbnail_key),
      },
      publication_status: 'scheduled',
      published_at: s.scheduled_time,
      engagement_metrics: { views: 0, likes: 0, shares: 0, comments: 0 },
    }),
  );
}

/**
 * The publication package's `scheduled_posts` entry of the post follows its schedule (moved, gone out,
 * cancelled). Nothing to do before the package is assembled: it is written from the posts then.
 */
async function followInPackage(s: ScheduledPost, status: 'pending' | 'published' | 'cancelled') {
  const pkg = (await publications.list(s.campaign_id)).find((p) => p.publication_id === s.publication_id);
  if (!pkg) return;
  await publications.put({
    ...pkg,
    scheduled_posts: pkg.scheduled_posts.map((e) =>
      e.platform === s.platform ? { ...e, scheduled_time: s.scheduled_time, status } : e,
    ),
  });
}

async function mustGetPending(campaignId: string, postId: string): Promise<ScheduledPost> {
  const s = await scheduledPosts.get(campaignId, postId);
  if (!s) throw new NotFoundError('scheduled post', postId);
  if (s.status === 'due') throw new ConflictError(`post ${postId} has already gone out`);
  if (s.status === 'cancelled') throw new ConflictError(`post ${postId} was cancelled`);
  return s;
}

/** Cancels a post that has not gone out: its schedule is deleted and it will not be published. */
export async function cancelScheduledPost(
  campaignId: string,
  postId: string,
  scheduler: PostScheduler,
): Promise<ScheduledPost> {
  const s = await mustGetPending(campaignId, postId);
  const next: ScheduledPost = { ...s, status: 'cancelled', updated_at: nowIso() };
  if (!(await scheduledPosts.replace(next, s)))
    throw new ConflictError(`post ${postId} changed meanwhile (it went out, or was moved); read it again`);
  await scheduler.cancel(s.schedule_name);
  await followInPackage(next, 'cancelled');
  return next;
}

/** Moves a post that has not gone out to another time (checked like a requested time). */
export async function moveScheduledPost(
  campaignId: string,
  postId: string,
  publishAt: string,
  scheduler: PostScheduler,
  now = Date.now(),
): Promise<ScheduledPost> {
  const problem = publishTimeProblem(publishAt, now);
  if (problem) throw new ValidationError('invalid schedule', [{ path: 'publish_at', message: problem }]);
  const s = await mustGetPending(campaignId, postId);
  const next: ScheduledPost = {
    ...s,
    scheduled_time: new Date(Date.parse(publishAt)).toISOString(),
    source: 'operator',
    rationale: 'moved by an operator',
    updated_at: nowIso(),
  };
  if (!(await scheduledPosts.replace(next, s)))
    throw new ConflictError(
      `post ${postId} changed meanwhile (it went out, or was cancelled); read it again`,
    );
  await scheduler.schedule(next.schedule_name, next.scheduled_time, payloadOf(next, s.execution));
  await showScheduled(next);
  await followInPackage(next, 'pending');
  return next;
}

/**
 * The times a publication approval's decision sets: only on a pending publication approval, checked
 * like a requested time, stored before the decision resumes the Broadcaster so PublishPost reads them.
 */
export async function recordDecisionTimes(approval: Approval, publishAt: PublishAt, now = Date.now()) {
  if (approval.checkpoint !== 'publication')
    throw new ValidationError('invalid approval decision', [
      {
        path: 'publish_at',
        message: `only a publication approval sets times (this is ${approval.checkpoint})`,
      },
    ]);
  if (approval.status !== 'pending')
    throw new ConflictError(`approval ${approval.approval_id} is already decided`);
  const entries = typeof publishAt === 'string' ? [['', publishAt]] : Object.entries(publishAt);
  const issues = entries.flatMap(([p, t]) => {
    const problem = publishTimeProblem(t as string, now);
    return problem ? [{ path: p ? `publish_at.${p}` : 'publish_at', message: problem }] : [];
  });
  if (issues.length) throw new ValidationError('invalid approval decision', issues);
  await publicationTimes.put(approval.campaign_id, approval.subject_id, publishAt);
}
