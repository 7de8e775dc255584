import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  grantsOf,
  logicalIdOf,
  ofType,
  type Resource,
  resourcesOf,
  type Synthesized,
  statementsOfRole,
  synthesize,
} from './synth.js';

/** Scheduled posts on AWS: an EventBridge Scheduler group, the role it assumes, and who may use them. */
let s: Synthesized;
let R: Record<string, Resource>;

beforeAll(() => {
  s = synthesize();
  R = s.resources;
}, 240_000);
afterAll(() => s?.cleanup());

const fnId = (id: string) => logicalIdOf(s.stack.functions.get(id));
const fnRoleId = (id: string) => logicalIdOf(s.stack.functions.get(id).role as never);
const env = (id: string) =>
  ((R[fnId(id)] as Resource).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
const groupId = () => logicalIdOf(s.stack.scheduling.postSchedules);
const roleId = () => logicalIdOf(s.stack.scheduling.postSchedulerRole);

describe('scheduled posts', () => {
  it('have one schedule group, named to PublishPost and SchedulesApi', () => {
    expect(ofType(R, 'AWS::Scheduler::ScheduleGroup')).toHaveLength(1);
    const group = (R[groupId()] as Resource).Properties.Name;
    expect(env('PublishPost').POST_SCHEDULE_GROUP).toEqual(group);
    expect(env('SchedulesApi').POST_SCHEDULE_GROUP).toEqual(group);
  });

  it('are fired by a role only EventBridge Scheduler of this account may assume', () => {
    const role = (R[roleId()] as Resource).Properties as {
      AssumeRolePolicyDocument: { Statement: { Principal: unknown; Condition: unknown }[] };
    };
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      }),
    ]);
    expect(env('PublishPost').POST_SCHEDULER_ROLE_ARN).toEqual({ 'Fn::GetAtt': [roleId(), 'Arn'] });
  });

  it('let the scheduler role invoke PublishPost and nothing else, and dead-letter what still fails', () => {
    const statements = statementsOfRole(R, roleId());
    const invoked = statements.filter((st) => actionsOf(st).includes('lambda:InvokeFunction'));
    expect(invoked.flatMap(resourcesOf)).toEqual(
      expect.arrayContaining([{ 'Fn::GetAtt': [fnId('PublishPost'), 'Arn'] }]),
    );
    expect(JSON.stringify(invoked)).not.toMatch(/"Resource":"\*"/);
    for (const r of invoked.flatMap(resourcesOf)) expect(JSON.stringify(r)).toContain(fnId('PublishPost'));
    const dlq = { 'Fn::GetAtt': [logicalIdOf(s.stack.scheduling.deadLetters), 'Arn'] };
    expect(
      statements.some(
        (st) =>
          actionsOf(st).includes('sqs:SendMessage') &&
          resourcesOf(st).some((r) => JSON.stringify(r) === JSON.stringify(dlq)),
      ),
    ).toBe(true);
    expect(env('PublishPost').POST_SCHEDULE_DEAD_LETTER_ARN).toEqual(dlq);
  });

  it('may be created, moved and deleted by PublishPost and SchedulesApi only, in their group only', () => {
    for (const id of ['PublishPost', 'SchedulesApi']) {
      for (const action of [
        'scheduler:CreateSchedule',
        'scheduler:UpdateSchedule',
        'scheduler:GetSchedule',
        'scheduler:DeleteSchedule',
      ]) {
        const grants = grantsOf(R, fnRoleId(id), action);
        expect(grants, `${id} ${action}`).not.toHaveLength(0);
        for (const r of grants.flatMap(resourcesOf)) expect(JSON.stringify(r)).toMatch(/:schedule\/.+\/\*/);
      }
      const pass = grantsOf(R, fnRoleId(id), 'iam:PassRole');
      expect(pass.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [roleId(), 'Arn'] }]);
    }
    for (const [id] of ofType(R, 'AWS::IAM::Role')) {
      if (id === fnRoleId('PublishPost') || id === fnRoleId('SchedulesApi')) continue;
      expect(grantsOf(R, id, 'scheduler:CreateSchedule'), id).toHaveLength(0);
      expect(grantsOf(R, id, 'iam:PassRole').flatMap(resourcesOf), id).not.toContainEqual({
        'Fn::GetAtt': [roleId(), 'Arn'],
      });
    }
  });

  it('pass cdk-nag with the wildcard of the group acknowledged', () => {
    const errors = s.violations.filter((v) => v.severity === 'error');
    expect(errors.map((e) => `${e.ruleName}: ${e.constructs.join(', ')}`)).toEqual([]);
  });
});
