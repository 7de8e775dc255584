import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { EntryResolver } from '../../infra/constructs/functions.js';
import { applyNag } from '../../infra/nag.js';
import { BrandInfinityStack, type BrandInfinityStackProps } from '../../infra/stacks/brand-infinity-stack.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const FIXTURE_ENTRY = path.join(import.meta.dirname, 'fixtures/noop-handler.ts');

/** The catalog's handler when it exists, else the no-op fixture (handlers are written in parallel). */
export const fixtureForMissing: EntryResolver = (_spec, catalogEntry) =>
  existsSync(catalogEntry) ? catalogEntry : FIXTURE_ENTRY;

/** The feature flags of cdk.json, so tests synthesize what `cdk synth` synthesizes. */
export function cdkJsonContext(): Record<string, unknown> {
  return (
    JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
  ).context;
}

export type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };

export interface PolicyViolation {
  pluginName: string;
  ruleName: string;
  severity: string;
  description: string;
  constructs: string[];
}

interface ValidationReportJson {
  pluginReports: {
    pluginName: string;
    violations: {
      ruleName: string;
      severity: string;
      description: string;
      violatingConstructs: { constructPath: string }[];
    }[];
  }[];
}

export interface Synthesized {
  app: App;
  stack: BrandInfinityStack;
  template: Template;
  resources: Record<string, Resource>;
  outdir: string;
  /** Every violation of the validation report (cdk-nag packs, CloudFormation validation, annotations). */
  violations: PolicyViolation[];
  cleanup(): void;
}

/**
 * One synthesis of the stack as app.ts builds it (cdk.json flags, cdk-nag packs) into a temporary
 * directory, with asset bundling skipped (no esbuild, no 145 MB layer copy) and validation failures
 * collected from the report instead of thrown.
 */
export function synthesize(
  props: Partial<BrandInfinityStackProps> = {},
  id = 'BrandInfinity-test',
): Synthesized {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'bie-infra-test-'));
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      'aws:cdk:bundling-stacks': [],
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
  });
  const stack = new BrandInfinityStack(app, id, {
    stage: 'test',
    env: { account: '123456789012', region: 'us-east-1' },
    entryResolver: fixtureForMissing,
    // A one-file site: infra tests do not need the built dashboard.
    webDist: path.join(import.meta.dirname, 'fixtures/web'),
    ...props,
  });
  applyNag(app);
  const consoleError = console.error;
  console.error = () => {}; // the validation report is read below, not printed
  try {
    app.synth();
  } finally {
    console.error = consoleError;
  }
  const template = Template.fromStack(stack);
  const reportFile = path.join(outdir, 'validation-report.json');
  const report: ValidationReportJson = existsSync(reportFile)
    ? (JSON.parse(readFileSync(reportFile, 'utf8')) as ValidationReportJson)
    : { pluginReports: [] };
  const violations = report.pluginReports.flatMap((r) =>
    r.violations.map((v) => ({
      pluginName: r.pluginName,
      ruleName: v.ruleName,
      severity: v.severity,
      description: v.description,
      constructs: v.violatingConstructs.map((c) => c.constructPath),
    })),
  );
  return {
    app,
    stack,
    template,
    resources: template.toJSON().Resources as Record<string, Resource>,
    outdir,
    violations,
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** Resources of one CloudFormation type, as [logicalId, resource] pairs. */
export const ofType = (resources: Record<string, Resource>, type: string): [string, Resource][] =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** The statements of every IAM policy attached to the role of `roleLogicalId`. */
export function statementsOfRole(resources: Record<string, Resource>, roleLogicalId: string): Statement[] {
  return ofType(resources, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

export const actionsOf = (s: Statement): string[] => [s.Action].flat();
export const resourcesOf = (s: Statement): unknown[] => [s.Resource].flat();

/** The logical id of a construct's CloudFormation resource (its default child). */
export const logicalIdOf = (c: IConstruct): string =>
  Stack.of(c).resolve((c.node.defaultChild as CfnElement).logicalId) as string;

/** The statements granting `action` in any policy of the role of `roleLogicalId`. */
export const grantsOf = (
  resources: Record<string, Resource>,
  roleLogicalId: string,
  action: string,
): Statement[] => statementsOfRole(resources, roleLogicalId).filter((st) => actionsOf(st).includes(action));
