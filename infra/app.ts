import { App } from 'aws-cdk-lib';
import { applyNag } from './nag.js';
import { BrandInfinityStack } from './stacks/brand-infinity-stack.js';

const app = new App();
const context = (key: string): string | undefined => app.node.tryGetContext(key) ?? undefined;
const stage = context('stage') ?? 'dev';
const stack = new BrandInfinityStack(app, `BrandInfinity-${stage}`, {
  stage,
  senderEmail: context('senderEmail'),
  approverEmail: context('approverEmail'),
  alarmEmail: context('alarmEmail'),
  providers: {
    textModel: context('textModel') as 'offline' | 'bedrock' | undefined,
    embedder: context('embedder') as 'offline' | 'titan' | undefined,
    voice: context('voice') as 'offline' | 'polly' | undefined,
  },
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
});
applyNag(app, stack);
app.synth();
