import { describe, expect, it } from 'vitest';
import { requestToAuthz } from '../../local/deployed/aws-gateway.js';

/** As deployed, a function's Scheduler calls are checked against its role as EventBridge Scheduler checks them. */
const ctx = { region: 'us-east-1', account: '123456789012' };
const body = (b: unknown) => Buffer.from(JSON.stringify(b));
const ROLE = 'arn:aws:iam::123456789012:role/PostSchedulerRole';

describe('EventBridge Scheduler requests as IAM sees them', () => {
  it('create and update act on the schedule in its group and pass the target’s role', () => {
    const b = body({ GroupName: 'posts', Target: { Arn: 'arn:aws:lambda:...', RoleArn: ROLE } });
    for (const [method, action] of [
      ['POST', 'scheduler:CreateSchedule'],
      ['PUT', 'scheduler:UpdateSchedule'],
    ] as const)
      expect(requestToAuthz('scheduler', method, '/schedules/bie-post-1', {}, b, ctx)).toEqual([
        { action, resources: ['arn:aws:scheduler:us-east-1:123456789012:schedule/posts/bie-post-1'] },
        { action: 'iam:PassRole', resources: [ROLE] },
      ]);
  });

  it('get and delete name the group in the query, the default group without one', () => {
    expect(requestToAuthz('scheduler', 'GET', '/schedules/a?groupName=posts', {}, undefined, ctx)).toEqual([
      {
        action: 'scheduler:GetSchedule',
        resources: ['arn:aws:scheduler:us-east-1:123456789012:schedule/posts/a'],
      },
    ]);
    expect(requestToAuthz('scheduler', 'DELETE', '/schedules/a', {}, undefined, ctx)).toEqual([
      {
        action: 'scheduler:DeleteSchedule',
        resources: ['arn:aws:scheduler:us-east-1:123456789012:schedule/default/a'],
      },
    ]);
  });
});
