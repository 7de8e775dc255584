/**
 * Identity-based IAM policy evaluation over the roles of a synthesized template, so every AWS call a
 * function makes in as-deployed mode is allowed or refused as its role's policy would on AWS.
 *
 * Evaluated: Action / NotAction (case-insensitive), Resource / NotResource (case-sensitive), `*` and `?`
 * wildcards, explicit Deny over Allow, default deny.
 * Not evaluated (documented limits):
 * - `Condition` blocks: a statement is applied as if its condition held, and every such statement that
 *   decided the outcome is named in the reason, so a surprising result can be traced;
 * - AWS managed policies (ARNs outside the template): unknown, so they allow nothing here, and a denial
 *   names them;
 * - resource-based policies (bucket, key, queue policies), permission boundaries, SCPs and session
 *   policies; policy variables (`${aws:username}`) are compared literally.
 */

export interface PolicyStatement {
  /** Where the statement comes from: the policy's logical id, or `<Role>.Policies[<name>]`. */
  policy: string;
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  condition?: Record<string, unknown>;
}

export interface RolePolicy {
  logicalId: string;
  roleName: string;
  roleArn: string;
  statements: PolicyStatement[];
  /** Managed policies attached to the role that are not defined in the template (not evaluated). */
  unknownManagedPolicyArns: string[];
}

/** Every role of the template by role ARN. */
export type RolePolicies = Record<string, RolePolicy>;

export interface Decision {
  allowed: boolean;
  reason: string;
}

export interface Authorizer {
  authorize(roleArn: string, action: string, resource: string): Decision;
}

export class PolicyDocumentError extends Error {
  constructor(policy: string, detail: string) {
    super(`${policy}: invalid policy document: ${detail}`);
    this.name = 'PolicyDocumentError';
  }
}

const asList = (v: unknown, policy: string, field: string): string[] | undefined => {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  for (const item of list)
    if (typeof item !== 'string')
      throw new PolicyDocumentError(
        policy,
        `${field} must be a string or a list of strings, got ${JSON.stringify(item)}`,
      );
  return list as string[];
};

/** Reads a resolved policy document (no intrinsics left) into statements, refusing malformed ones. */
export function parsePolicyDocument(document: unknown, policy: string): PolicyStatement[] {
  if (typeof document !== 'object' || document === null)
    throw new PolicyDocumentError(policy, 'not an object');
  const raw = (document as { Statement?: unknown }).Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return statements.map((s, index) => {
    if (typeof s !== 'object' || s === null)
      throw new PolicyDocumentError(policy, `Statement[${index}] is not an object`);
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny')
      throw new PolicyDocumentError(policy, `Statement[${index}].Effect must be Allow or Deny`);
    const parsed: PolicyStatement = {
      policy,
      index,
      effect: st.Effect,
      sid: typeof st.Sid === 'string' ? st.Sid : undefined,
      action: asList(st.Action, policy, `Statement[${index}].Action`),
      notAction: asList(st.NotAction, policy, `Statement[${index}].NotAction`),
      resource: asList(st.Resource, policy, `Statement[${index}].Resource`),
      notResource: asList(st.NotResource, policy, `Statement[${index}].NotResource`),
      condition:
        typeof st.Condition === 'object' && st.Condition !== null
          ? (st.Condition as Record<string, unknown>)
          : undefined,
    };
    if (!parsed.action === !parsed.notAction)
      throw new PolicyDocumentError(policy, `Statement[${index}] needs exactly one of Action and NotAction`);
    if (!parsed.resource === !parsed.notResource)
      throw new PolicyDocumentError(
        policy,
        `Statement[${index}] needs exactly one of Resource and NotResource`,
      );
    return parsed;
  });
}

const patternCache = new Map<string, RegExp>();
/** IAM wildcard match: `*` any run of characters (`:` and `/` included), `?` exactly one. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let re = patternCache.get(key);
  if (!re) {
    const body = pattern
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    patternCache.set(key, re);
  }
  return re.test(value);
}

/** Whether the statement applies to this request (its Effect aside). */
export function statementMatches(s: PolicyStatement, action: string, resource: string): boolean {
  const actionHit = s.action
    ? s.action.some((p) => wildcardMatch(p, action, true))
    : !(s.notAction ?? []).some((p) => wildcardMatch(p, action, true));
  if (!actionHit) return false;
  return s.resource
    ? s.resource.some((p) => wildcardMatch(p, resource, false))
    : !(s.notResource ?? []).some((p) => wildcardMatch(p, resource, false));
}

const label = (s: PolicyStatement): string => `${s.policy} statement ${s.sid ? `"${s.sid}"` : `#${s.index}`}`;

export function createAuthorizer(policies: RolePolicies): Authorizer {
  return {
    authorize(roleArn, action, resource) {
      const role = policies[roleArn];
      if (!role) return { allowed: false, reason: `role ${roleArn} is not defined in the template` };
      const hits = role.statements.filter((s) => statementMatches(s, action, resource));
      const conditional = hits
        .filter((s) => s.condition)
        .map((s) => `${label(s)} (${Object.keys(s.condition ?? {}).join(', ')})`);
      const note = conditional.length
        ? `; conditions not evaluated, assumed to hold: ${conditional.join('; ')}`
        : '';
      const deny = hits.find((s) => s.effect === 'Deny');
      if (deny)
        return {
          allowed: false,
          reason: `explicitly denied by ${label(deny)} of role ${role.roleName}${note}`,
        };
      const allow = hits.find((s) => s.effect === 'Allow');
      if (allow)
        return { allowed: true, reason: `allowed by ${label(allow)} of role ${role.roleName}${note}` };
      const managed = role.unknownManagedPolicyArns.length
        ? `; managed policies not evaluated offline (they allow nothing here): ${role.unknownManagedPolicyArns.join(', ')}`
        : '';
      return {
        allowed: false,
        reason: `no identity-based policy allows the ${action} action on ${resource} (role ${role.roleName})${managed}`,
      };
    },
  };
}
