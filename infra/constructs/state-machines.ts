import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  FUNCTIONS,
  functionPlaceholder,
  STATE_MACHINES,
  type StateMachineSpec,
  stateMachinePlaceholder,
} from '../../lambdas/catalog.js';
import { ROOT } from './base-function.js';
import type { PillarFunctions } from './functions.js';

/**
 * The six state machines, from the very ASL files the embedded runtime runs, with the placeholders
 * substituted by CDK. Children first: the orchestrator's substitutions need their ARNs.
 */
export class PillarStateMachines extends Construct {
  readonly byId = new Map<StateMachineSpec['id'], StateMachine>();

  constructor(scope: Construct, id: string, props: { functions: PillarFunctions; namePrefix: string }) {
    super(scope, id);
    const functionSubs = Object.fromEntries(FUNCTIONS.map((f) => [functionPlaceholder(f.id), f]));
    const ordered = [...STATE_MACHINES].sort(
      (a, b) => Number(a.nested === false) - Number(b.nested === false),
    );
    for (const spec of ordered) {
      const file = path.join(ROOT, spec.file);
      const placeholders = [
        ...new Set([...readFileSync(file, 'utf8').matchAll(/\$\{(\w+)\}/g)].map((m) => m[1] as string)),
      ];
      const substitutions: Record<string, string> = {};
      for (const p of placeholders) {
        const fnSpec = functionSubs[p];
        const child = STATE_MACHINES.find((m) => stateMachinePlaceholder(m.id) === p);
        if (fnSpec) substitutions[p] = props.functions.get(fnSpec.id).functionArn;
        else if (child && this.byId.has(child.id))
          substitutions[p] = (this.byId.get(child.id) as StateMachine).stateMachineArn;
        else throw new Error(`${spec.file}: no substitution for \${${p}}`);
      }
      const logs = new LogGroup(this, `${spec.id}Logs`, {
        retention: RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const machine = new StateMachine(this, spec.id, {
        stateMachineName: `${props.namePrefix}${spec.id}`,
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromFile(file),
        definitionSubstitutions: substitutions,
        tracingEnabled: true,
        logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
        // The orchestrator allows a month for human checkpoints; pillars carry their own timeouts.
        timeout: spec.nested ? undefined : Duration.days(30),
      });
      for (const p of placeholders) {
        const fnSpec = functionSubs[p];
        if (fnSpec) props.functions.get(fnSpec.id).grantInvoke(machine);
        const child = STATE_MACHINES.find((m) => stateMachinePlaceholder(m.id) === p);
        if (child) {
          const c = this.byId.get(child.id) as StateMachine;
          // .sync:2 needs start/describe/stop on the child and the managed EventBridge rule.
          c.grantStartExecution(machine);
          c.grantExecution(machine, 'states:DescribeExecution', 'states:StopExecution');
          machine.addToRolePolicy(
            new PolicyStatement({
              actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
              resources: [
                `arn:aws:events:${machine.stack.region}:${machine.stack.account}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`,
              ],
            }),
          );
        }
      }
      this.byId.set(spec.id, machine);
    }
  }

  get(id: StateMachineSpec['id']): StateMachine {
    return this.byId.get(id) as StateMachine;
  }
}
