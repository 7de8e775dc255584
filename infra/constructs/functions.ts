import { existsSync } from 'node:fs';
import path from 'node:path';
import { Aws, Stack } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { FUNCTIONS, type FunctionSpec } from '../../lambdas/catalog.js';
import { BaseFunction, ROOT } from './base-function.js';

export interface PillarFunctionsProps {
  table: TableV2;
  bucket: IBucket;
  ffmpegLayer: ILayerVersion;
  signingSecret: ISecret;
  /** Name prefix of the state machines, for task-token grants that must not reference them (cycle). */
  stateMachinePrefix: string;
  environment: Record<string, string>;
  /** Resolves a catalog entry to a handler file; tests use it for entries that do not exist yet. */
  entryResolver?: (spec: FunctionSpec) => string;
}

/** A function per catalog entry, with the grants its flags ask for and nothing more. */
export class PillarFunctions extends Construct {
  readonly byId = new Map<string, NodejsFunction>();

  constructor(scope: Construct, id: string, props: PillarFunctionsProps) {
    super(scope, id);
    const resolve = props.entryResolver ?? ((s: FunctionSpec) => path.join(ROOT, s.entry));
    const taskTokenArn = `arn:${Aws.PARTITION}:states:${Stack.of(this).region}:${Stack.of(this).account}:stateMachine:${props.stateMachinePrefix}*`;
    for (const spec of FUNCTIONS) {
      const entry = resolve(spec);
      if (!existsSync(entry)) throw new Error(`catalog entry ${spec.id}: ${entry} does not exist`);
      const { fn } = new BaseFunction(this, spec.id, {
        spec,
        entry,
        ffmpegLayer: spec.ffmpeg ? props.ffmpegLayer : undefined,
        environment: { ...props.environment, APPROVAL_SIGNING_SECRET_ARN: props.signingSecret.secretArn },
      });
      props.table.grantReadWriteData(fn);
      props.bucket.grantReadWrite(fn);
      if (spec.pillar === 'approvals' || spec.id === 'ApprovalsApi') props.signingSecret.grantRead(fn);
      if (spec.sendsTaskResults) {
        // Named by prefix, not by reference: the machines reference these functions, so a reference
        // back would be a dependency cycle.
        fn.addToRolePolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
            resources: [taskTokenArn],
          }),
        );
      }
      this.byId.set(spec.id, fn);
    }
  }

  get(id: string): NodejsFunction {
    const fn = this.byId.get(id);
    if (!fn) throw new Error(`no function ${id}`);
    return fn;
  }
}
