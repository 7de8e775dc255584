import { cancelScheduledPost, moveScheduledPost } from '../broadcaster/post-scheduling.js';
import { MoveScheduleBody } from '../shared/contracts/index.js';
import { ValidationError } from '../shared/errors.js';
import { postScheduler } from '../shared/providers/scheduler.js';
import { type ApiEvent, apiHandler, json, parseBody, pathUuid } from './http.js';

/** A post id as the publication package shows it (`<platform>_s<hash>`); anything else names no post. */
function pathPostId(event: ApiEvent): string {
  const value = event.pathParameters?.post_id ?? '';
  if (!/^(instagram|tiktok|youtube|linkedin)_s[0-9a-f]{6,64}$/.test(value))
    throw new ValidationError('invalid path parameter post_id', [
      { path: 'path.post_id', message: 'must be the id of a scheduled post' },
    ]);
  return value;
}

/** Cancel or move a scheduled post until it goes out (IAM). 409 once it has gone out. */
export const handler = apiHandler({
  'DELETE /campaigns/{id}/posts/{post_id}/schedule': async (event) =>
    json(200, await cancelScheduledPost(pathUuid(event), pathPostId(event), postScheduler())),
  'PATCH /campaigns/{id}/posts/{post_id}/schedule': async (event) => {
    const campaignId = pathUuid(event);
    const postId = pathPostId(event);
    const body = parseBody(event, MoveScheduleBody, 'schedule');
    return json(200, await moveScheduledPost(campaignId, postId, body.publish_at, postScheduler()));
  },
});
