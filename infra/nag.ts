import { type App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag v3 runs as CDK policy-validation plugins: a finding that is not acknowledged fails `cdk synth`.
 * Acknowledgments are made next to the code that causes them (in the constructs), each for one exact
 * finding id on the narrowest construct that owns it, with the reason it is acceptable. No wildcards:
 * cdk-nag v3 matches `Rule[Finding]` ids exactly, and a new wildcard grant must fail synthesis until
 * someone states why it is needed.
 */
export function applyNag(app: App): NagPack[] {
  const packs: NagPack[] = [new AwsSolutionsChecks(app), new ServerlessChecks(app)];
  Validations.of(app).addPlugins(...packs);
  return packs;
}

/** Acknowledges one rule (or one `Rule[Finding]`) on `scope` and the constructs below it. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The id of an `AwsSolutions-IAM5` finding for a wildcard policy resource, rendered the way cdk-nag
 * renders it (its flattenCfnReference: `Fn::GetAtt` → `<Id.Attr>`, `Ref` → `<Id>`, joins concatenated),
 * so an acknowledgment names the exact wildcard it accepts.
 */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource))}]`;
}

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const o = node as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (o['Fn::Sub']) return flatten(o['Fn::Sub']);
    if (o['Fn::GetAtt']) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (o['Fn::ImportValue']) return flatten(o['Fn::ImportValue']);
    if (o.Ref) return `<${flatten(o.Ref)}>`;
  }
  return JSON.stringify(node);
}
