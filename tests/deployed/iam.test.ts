import { describe, expect, it } from 'vitest';
import {
  createAuthorizer,
  PolicyDocumentError,
  parsePolicyDocument,
  type RolePolicies,
  wildcardMatch,
} from '../../local/deployed/iam.js';

const ROLE = 'arn:aws:iam::000000000000:role/Fn-Role';
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/Main';
const BUCKET = 'arn:aws:s3:::media';

/** One role with the given policy statements (as they appear in a template, intrinsics resolved). */
function roleWith(statements: unknown[], managed: string[] = []): RolePolicies {
  return {
    [ROLE]: {
      logicalId: 'FnRole',
      roleName: 'Fn-Role',
      roleArn: ROLE,
      statements: parsePolicyDocument(
        { Version: '2012-10-17', Statement: statements },
        'FnRoleDefaultPolicy',
      ),
      unknownManagedPolicyArns: managed,
    },
  };
}
const authorize = (policies: RolePolicies, action: string, resource: string) =>
  createAuthorizer(policies).authorize(ROLE, action, resource);

describe('IAM identity-policy evaluation', () => {
  describe('Allow', () => {
    const policies = roleWith([
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: TABLE },
    ]);

    it('allows a granted action on the granted resource', () => {
      expect(authorize(policies, 'dynamodb:GetItem', TABLE)).toEqual({
        allowed: true,
        reason: 'allowed by FnRoleDefaultPolicy statement #0 of role Fn-Role',
      });
    });

    it('denies by default an action that is not granted, with the reason AWS gives', () => {
      expect(authorize(policies, 'dynamodb:PutItem', TABLE)).toEqual({
        allowed: false,
        reason: `no identity-based policy allows the dynamodb:PutItem action on ${TABLE} (role Fn-Role)`,
      });
    });

    it('denies a granted action on another resource (an index is another resource)', () => {
      expect(authorize(policies, 'dynamodb:Query', `${TABLE}/index/gsi1`).allowed).toBe(false);
      expect(authorize(policies, 'dynamodb:Query', TABLE.replace('Main', 'Other')).allowed).toBe(false);
    });

    it('matches actions case-insensitively', () => {
      expect(authorize(policies, 'DynamoDB:getitem', TABLE).allowed).toBe(true);
    });

    it('matches resources case-sensitively', () => {
      expect(authorize(policies, 'dynamodb:GetItem', TABLE.replace('Main', 'main')).allowed).toBe(false);
    });

    it('denies a role that is not in the template', () => {
      const result = createAuthorizer(policies).authorize(
        'arn:aws:iam::000000000000:role/Other',
        'dynamodb:GetItem',
        TABLE,
      );
      expect(result).toEqual({
        allowed: false,
        reason: 'role arn:aws:iam::000000000000:role/Other is not defined in the template',
      });
    });
  });

  describe('wildcards', () => {
    const policies = roleWith([
      { Effect: 'Allow', Action: ['s3:GetObject*', 's3:List*'], Resource: [BUCKET, `${BUCKET}/*`] },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: `${BUCKET}/renders/clip-?.mp4` },
    ]);

    it('lets * stand for any run of characters, slashes included', () => {
      expect(authorize(policies, 's3:GetObject', `${BUCKET}/renders/a/b.mp4`).allowed).toBe(true);
      expect(authorize(policies, 's3:GetObjectTagging', `${BUCKET}/x`).allowed).toBe(true);
      expect(authorize(policies, 's3:ListBucket', BUCKET).allowed).toBe(true);
    });

    it('does not let a bucket/* grant cover the bucket itself, nor another bucket with the same prefix', () => {
      const only = roleWith([{ Effect: 'Allow', Action: 's3:*', Resource: `${BUCKET}/*` }]);
      expect(authorize(only, 's3:ListBucket', BUCKET).allowed).toBe(false);
      expect(authorize(only, 's3:GetObject', 'arn:aws:s3:::media-archive/x').allowed).toBe(false);
    });

    it('lets ? stand for exactly one character', () => {
      expect(authorize(policies, 's3:PutObject', `${BUCKET}/renders/clip-1.mp4`).allowed).toBe(true);
      expect(authorize(policies, 's3:PutObject', `${BUCKET}/renders/clip-12.mp4`).allowed).toBe(false);
      expect(authorize(policies, 's3:PutObject', `${BUCKET}/renders/clip-.mp4`).allowed).toBe(false);
    });

    it('treats regular-expression characters in patterns literally', () => {
      expect(wildcardMatch('arn:aws:s3:::a.b/*', 'arn:aws:s3:::aXb/k', false)).toBe(false);
      expect(wildcardMatch('arn:aws:s3:::a+b/(x)', 'arn:aws:s3:::a+b/(x)', false)).toBe(true);
    });

    it('allows everything with Action * on Resource *', () => {
      expect(
        authorize(roleWith([{ Effect: 'Allow', Action: '*', Resource: '*' }]), 'bedrock:InvokeModel', 'x')
          .allowed,
      ).toBe(true);
    });
  });

  describe('explicit Deny', () => {
    const policies = roleWith([
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      { Sid: 'KeepMasters', Effect: 'Deny', Action: 's3:DeleteObject', Resource: `${BUCKET}/masters/*` },
    ]);

    it('wins over an Allow', () => {
      expect(authorize(policies, 's3:DeleteObject', `${BUCKET}/masters/m.mp4`)).toEqual({
        allowed: false,
        reason: 'explicitly denied by FnRoleDefaultPolicy statement "KeepMasters" of role Fn-Role',
      });
    });

    it('leaves what it does not name to the Allow', () => {
      expect(authorize(policies, 's3:DeleteObject', `${BUCKET}/renders/r.mp4`).allowed).toBe(true);
      expect(authorize(policies, 's3:GetObject', `${BUCKET}/masters/m.mp4`).allowed).toBe(true);
    });
  });

  describe('NotAction', () => {
    const policies = roleWith([{ Effect: 'Allow', NotAction: ['iam:*', 's3:Delete*'], Resource: '*' }]);

    it('allows every action it does not name', () => {
      expect(authorize(policies, 'dynamodb:PutItem', TABLE).allowed).toBe(true);
    });

    it('does not allow the actions it names', () => {
      expect(authorize(policies, 'iam:PassRole', 'arn:aws:iam::000000000000:role/x').allowed).toBe(false);
      expect(authorize(policies, 's3:DeleteObject', `${BUCKET}/k`).allowed).toBe(false);
    });

    it('in a Deny, denies every action it does not name', () => {
      const deny = roleWith([
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', NotAction: 'dynamodb:GetItem', Resource: TABLE },
      ]);
      expect(authorize(deny, 'dynamodb:GetItem', TABLE).allowed).toBe(true);
      expect(authorize(deny, 'dynamodb:PutItem', TABLE).allowed).toBe(false);
      expect(authorize(deny, 'dynamodb:PutItem', `${TABLE}2`).allowed).toBe(true);
    });
  });

  describe('NotResource', () => {
    const policies = roleWith([
      { Effect: 'Allow', Action: 's3:GetObject', NotResource: `${BUCKET}/private/*` },
    ]);

    it('applies to every resource it does not name', () => {
      expect(authorize(policies, 's3:GetObject', `${BUCKET}/public/a`).allowed).toBe(true);
    });

    it('does not apply to the resources it names', () => {
      expect(authorize(policies, 's3:GetObject', `${BUCKET}/private/a`).allowed).toBe(false);
    });
  });

  describe('conditions (not evaluated)', () => {
    it('applies a conditional statement as if its condition held, and says so', () => {
      const policies = roleWith([
        {
          Sid: 'ViaSes',
          Effect: 'Allow',
          Action: 'ses:SendEmail',
          Resource: '*',
          Condition: { StringEquals: { 'ses:FromAddress': 'a@example.com' } },
        },
      ]);
      const result = authorize(
        policies,
        'ses:SendEmail',
        'arn:aws:ses:us-east-1:000000000000:identity/example.com',
      );
      expect(result.allowed).toBe(true);
      expect(result.reason).toContain(
        'conditions not evaluated, assumed to hold: FnRoleDefaultPolicy statement "ViaSes" (StringEquals)',
      );
    });

    it('does not mention conditions of statements that did not match', () => {
      const policies = roleWith([
        { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE },
        { Effect: 'Allow', Action: 'ses:SendEmail', Resource: '*', Condition: { Bool: { x: 'true' } } },
      ]);
      expect(authorize(policies, 'dynamodb:GetItem', TABLE).reason).not.toContain('conditions');
    });
  });

  describe('managed policies', () => {
    it('allow nothing offline, and a denial names them', () => {
      const policies = roleWith([], ['arn:aws:iam::aws:policy/AmazonBedrockFullAccess']);
      const result = authorize(
        policies,
        'bedrock:InvokeModel',
        'arn:aws:bedrock:us-east-1::foundation-model/m',
      );
      expect(result.allowed).toBe(false);
      expect(result.reason).toContain(
        'managed policies not evaluated offline (they allow nothing here): arn:aws:iam::aws:policy/AmazonBedrockFullAccess',
      );
    });
  });

  describe('policy documents', () => {
    it('accept a single statement object and single strings', () => {
      const [s] = parsePolicyDocument({ Statement: { Effect: 'Allow', Action: 'a:b', Resource: 'r' } }, 'P');
      expect(s).toMatchObject({ effect: 'Allow', action: ['a:b'], resource: ['r'] });
    });

    it('refuse a statement without Effect, or with both Action and NotAction', () => {
      expect(() => parsePolicyDocument({ Statement: [{ Action: 'a:b', Resource: '*' }] }, 'P')).toThrow(
        PolicyDocumentError,
      );
      expect(() =>
        parsePolicyDocument(
          { Statement: [{ Effect: 'Allow', Action: 'a:b', NotAction: 'a:c', Resource: '*' }] },
          'P',
        ),
      ).toThrow(/P: invalid policy document: Statement\[0\] needs exactly one of Action and NotAction/);
    });

    it('refuse an unresolved intrinsic left in a Resource', () => {
      expect(() =>
        parsePolicyDocument({ Statement: [{ Effect: 'Allow', Action: 'a:b', Resource: { Ref: 'X' } }] }, 'P'),
      ).toThrow(/Resource must be a string or a list of strings/);
    });
  });
});
