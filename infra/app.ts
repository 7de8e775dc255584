import { App, RemovalPolicy } from 'aws-cdk-lib';
import type { Providers } from './constructs/functions.js';
import { applyNag } from './nag.js';
import { BrandInfinityStack } from './stacks/brand-infinity-stack.js';

/**
 * `cdk synth` / `cdk deploy`. Settings come from context (`-c key=value`), the stage also from BIE_STAGE:
 *   stage          dev (default) | any lowercase name; the stack is `BrandInfinity-<stage>`
 *   ephemeral      true: the table and buckets are destroyed with the stack (default: retained)
 *   senderEmail    approval mail sender (SES email identity)
 *   senderDomain   approval mail domain (SES domain identity)
 *   approverEmail  default approver
 *   alarmEmail     alarm notifications
 *   textModel      offline (default) | bedrock | openai (key: the OpenAiApiKey secret, set after deploy)
 *   embedder       offline (default) | titan | openai
 *   voice          offline (default) | polly
 *   publish        publisher per platform, e.g. youtube:api,tiktok:blotato (default outbox for all); an
 *                  api platform gets a <Platform>OAuth secret, Blotato a BlotatoApiKey (set after deploy)
 *   videoProvider  offline (default) | fal (key: the FalKey secret, set after deploy) | a comma list, e.g. fal,bedrock,gemini
 *   mediaProfile   full (default) | preview (180x320 masters, quarter-size renditions: rehearsals, tests)
 */
const app = new App();

function context(key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

function choice<T extends string>(key: string, allowed: readonly T[]): T | undefined {
  const value = context(key);
  if (value !== undefined && !allowed.includes(value as T)) {
    throw new Error(`context ${key}=${value}: expected one of ${allowed.join(', ')}`);
  }
  return value as T | undefined;
}

function videoProviders(value: string | undefined): string | undefined {
  if (value !== undefined && !/^(offline|fal|bedrock|gemini)(,(offline|fal|bedrock|gemini))*$/.test(value))
    throw new Error(
      `context videoProvider=${value}: expected offline or a comma list of fal, bedrock, gemini`,
    );
  return value;
}

const stage = context('stage') ?? process.env.BIE_STAGE ?? 'dev';
if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
  throw new Error(
    `stage "${stage}": use lowercase letters, digits and dashes (max 20), starting with a letter`,
  );
}
const providers: Providers = {
  textModel: choice('textModel', ['offline', 'bedrock', 'openai'] as const),
  embedder: choice('embedder', ['offline', 'titan', 'openai'] as const),
  voice: choice('voice', ['offline', 'polly'] as const),
  publish: Object.fromEntries(
    (context('publish') ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [platform, mode] = pair.split(':');
        if (
          !['youtube', 'tiktok', 'instagram', 'linkedin'].includes(platform ?? '') ||
          !['api', 'blotato', 'outbox'].includes(mode ?? '')
        ) {
          throw new Error(
            `context publish=${pair}: expected <youtube|tiktok|instagram|linkedin>:<api|blotato|outbox>`,
          );
        }
        return [platform, mode];
      }),
  ),
  videoProvider: videoProviders(context('videoProvider')),
};

new BrandInfinityStack(app, `BrandInfinity-${stage}`, {
  stage,
  description: `Brand Infinity Engine (${stage}): text-to-campaign pipeline`,
  senderEmail: context('senderEmail'),
  senderDomain: context('senderDomain'),
  approverEmail: context('approverEmail'),
  alarmEmail: context('alarmEmail'),
  providers,
  mediaProfile: choice('mediaProfile', ['full', 'preview'] as const),
  dataRemovalPolicy: context('ephemeral') === 'true' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
  },
});
applyNag(app);
app.synth();
