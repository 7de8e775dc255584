import path from 'node:path';
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  type IStateMachine,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { STATE_MACHINES, type StateMachineSpec } from '../../lambdas/catalog.js';
import { placeholdersIn, ROOT, readAsl, substitutionsFor, targetOf, taskTokenFunctions } from '../asl.js';
import { acknowledge, wildcardResourceFinding } from '../nag.js';
import type { PillarFunctions } from './functions.js';

export type MachineId = StateMachineSpec['id'];

export interface PillarStateMachinesProps {
  functions: PillarFunctions;
  /** Machine names are `<namePrefix><Id>` (fixed names: functions refer to machines by name). */
  namePrefix: string;
}

/**
 * The six state machines from the very ASL files the embedded runtime runs, unchanged: CDK uploads each
 * file as an asset (DefinitionS3Location) and CloudFormation substitutes its `${…}` placeholders.
 * Children are built before the machines that start them, because their ARNs are substitutions.
 */
export class PillarStateMachines extends Construct {
  readonly byId = new Map<MachineId, StateMachine>();
  readonly namePrefix: string;
  private readonly aslById = new Map<MachineId, string>();
  private readonly imported = new Map<MachineId, IStateMachine>();

  constructor(scope: Construct, id: string, props: PillarStateMachinesProps) {
    super(scope, id);
    this.namePrefix = props.namePrefix;
    for (const spec of STATE_MACHINES) this.aslById.set(spec.id, readAsl(spec));
    for (const spec of buildOrder(this.aslById)) this.build(spec, props.functions);
  }

  get(id: MachineId): StateMachine {
    const machine = this.byId.get(id);
    if (!machine) throw new Error(`no state machine ${id}`);
    return machine;
  }

  nameOf(id: MachineId): string {
    return `${this.namePrefix}${id}`;
  }

  /**
   * The machine referenced by its name rather than by a CloudFormation reference. Grants to functions
   * that the machine itself invokes must use this: machine → function (substitution) plus
   * function → machine (policy) would be a dependency cycle.
   */
  byName(id: MachineId): IStateMachine {
    let machine = this.imported.get(id);
    if (!machine) {
      machine = StateMachine.fromStateMachineName(this, `${id}ByName`, this.nameOf(id));
      this.imported.set(id, machine);
    }
    return machine;
  }

  /** The machines with a `.waitForTaskToken` state that hands its token to function `functionId`. */
  parkingTokensWith(functionId: string): MachineId[] {
    return STATE_MACHINES.filter((m) =>
      taskTokenFunctions(this.aslById.get(m.id) as string).includes(functionId),
    ).map((m) => m.id);
  }

  private build(spec: StateMachineSpec, functions: PillarFunctions): void {
    const asl = this.aslById.get(spec.id) as string;
    const name = this.nameOf(spec.id);
    const substitutions = substitutionsFor(spec.file, asl, (target) =>
      target.kind === 'function'
        ? functions.byId.get(target.id)?.functionArn
        : this.byId.get(target.id)?.stateMachineArn,
    );
    // Vended-log groups under /aws/vendedlogs/ need no CloudWatch Logs resource-policy entry each.
    const logs = new LogGroup(this, `${spec.id}Logs`, {
      logGroupName: `/aws/vendedlogs/states/${name}`,
      retention: RetentionDays.THREE_MONTHS,
      // A named group: retaining it would block re-creating the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const machine = new StateMachine(this, spec.id, {
      stateMachineName: name,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(path.join(ROOT, spec.file)),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
      // No `timeout`: CDK applies it to CDK-built definitions only. The ASL files carry TimeoutSeconds.
    });
    this.grantDefinitionNeeds(machine, asl, functions);
    acknowledge(
      machine.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Log delivery to CloudWatch Logs (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, ' +
        'DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) ' +
        'and X-Ray (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) support ' +
        'no resource-level permissions; CDK adds exactly these for logging level ALL and tracing.',
    );
    this.byId.set(spec.id, machine);
  }

  /** What the definition calls: its Lambda functions (unqualified ARNs only) and its child executions. */
  private grantDefinitionNeeds(machine: StateMachine, asl: string, functions: PillarFunctions): void {
    const stack = Stack.of(this);
    const targets = placeholdersIn(asl).flatMap((p) => {
      const t = targetOf(p);
      return t ? [t] : [];
    });
    const functionArns = targets.flatMap((t) =>
      t.kind === 'function' ? [functions.get(t.id).functionArn] : [],
    );
    if (functionArns.length > 0) {
      // Not grantInvoke: that also allows `<arn>:*` (every version and alias); the ASL invokes the
      // unqualified ARN only.
      machine.addToRolePolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: functionArns }),
      );
    }
    const children = targets.flatMap((t) => (t.kind === 'stateMachine' ? [t.id] : []));
    for (const childId of children) {
      // states:startExecution.sync:2 starts the child, then describes (and on abort stops) the
      // executions it started.
      this.get(childId).grantStartExecution(machine);
      const executions = stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${this.nameOf(childId)}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      machine.addToRolePolicy(
        new PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [executions],
        }),
      );
      acknowledge(
        machine.role,
        wildcardResourceFinding(machine, executions),
        `states:startExecution.sync:2 describes and stops the ${childId} executions it starts; execution ` +
          'names are generated at run time, so the resource is that one machine’s execution ARN prefix.',
      );
    }
    if (children.length > 0) {
      // ...and the managed rule through which Step Functions learns that a child execution finished.
      machine.addToRolePolicy(
        new PolicyStatement({
          actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
          resources: [
            stack.formatArn({
              service: 'events',
              resource: 'rule',
              resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule',
            }),
          ],
        }),
      );
    }
  }
}

/** Children before parents; throws when machines start each other in a cycle. */
function buildOrder(asl: Map<MachineId, string>): StateMachineSpec[] {
  const order: StateMachineSpec[] = [];
  const done = new Set<MachineId>();
  const pending = [...STATE_MACHINES];
  while (pending.length > 0) {
    const ready = pending.findIndex((spec) =>
      placeholdersIn(asl.get(spec.id) as string).every((p) => {
        const t = targetOf(p);
        return t?.kind !== 'stateMachine' || done.has(t.id);
      }),
    );
    if (ready < 0) {
      throw new Error(`state machines start each other in a cycle: ${pending.map((s) => s.file).join(', ')}`);
    }
    const [spec] = pending.splice(ready, 1) as [StateMachineSpec];
    order.push(spec);
    done.add(spec.id);
  }
  return order;
}
