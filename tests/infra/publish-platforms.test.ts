import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/catalog.js';
import { ENV_ROLES } from '../../lambdas/shared/config/index.js';
import {
  grantsOf,
  logicalIdOf,
  ofType,
  type Resource,
  resourcesOf,
  type Synthesized,
  synthesize,
} from './synth.js';

// YouTube through its API, TikTok through Blotato, the others through the outbox.
let s: Synthesized;
beforeAll(() => {
  s = synthesize({ providers: { publish: { youtube: 'api', tiktok: 'blotato' } } }, 'BrandInfinity-publish');
}, 240_000);
afterAll(() => s?.cleanup());

const envOf = (id: string): Record<string, unknown> => {
  const fn = s.resources[logicalIdOf(s.stack.functions.get(id))] as Resource;
  return ((fn.Properties.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {}) as Record<
    string,
    unknown
  >;
};
const secretRef = (name: string) => {
  const found = ofType(s.resources, 'AWS::SecretsManager::Secret').find(([lid]) => lid.includes(name));
  return found ? { Ref: found[0] } : undefined;
};
const readsOf = (id: string) =>
  grantsOf(
    s.resources,
    logicalIdOf(s.stack.functions.get(id).role as IConstruct),
    'secretsmanager:GetSecretValue',
  ).flatMap(resourcesOf);
const writesOf = (id: string) =>
  grantsOf(
    s.resources,
    logicalIdOf(s.stack.functions.get(id).role as IConstruct),
    'secretsmanager:PutSecretValue',
  ).flatMap(resourcesOf);
const publishers = new Set<string>(ENV_ROLES.platformClients);

describe('platform publishing through CDK context', () => {
  it('creates the YouTube OAuth secret and the Blotato key, and no secret for outbox platforms', () => {
    expect(secretRef('YoutubeOAuth')).toBeDefined();
    expect(secretRef('BlotatoApiKey')).toBeDefined();
    expect(secretRef('TiktokOAuth')).toBeUndefined();
    expect(secretRef('InstagramOAuth')).toBeUndefined();
  });

  it('tells the publishing functions each platform’s publisher and secret ARNs, and only them', () => {
    for (const spec of FUNCTIONS) {
      const env = envOf(spec.id);
      if (publishers.has(spec.id)) {
        expect(env, spec.id).toMatchObject({
          BIE_PUBLISH_YOUTUBE: 'api',
          BIE_PUBLISH_TIKTOK: 'blotato',
          BIE_PUBLISH_INSTAGRAM: 'outbox',
          BIE_PUBLISH_LINKEDIN: 'outbox',
          YOUTUBE_OAUTH_ARN: secretRef('YoutubeOAuth'),
          BLOTATO_API_KEY_ARN: secretRef('BlotatoApiKey'),
          YOUTUBE_API_URL: 'https://www.googleapis.com',
        });
        expect(readsOf(spec.id), spec.id).toEqual(
          expect.arrayContaining([secretRef('YoutubeOAuth'), secretRef('BlotatoApiKey')]),
        );
        // Rotated refresh tokens are stored back; the Blotato key is only read.
        expect(writesOf(spec.id), spec.id).toContainEqual(secretRef('YoutubeOAuth'));
        expect(writesOf(spec.id), spec.id).not.toContainEqual(secretRef('BlotatoApiKey'));
      } else {
        expect(env.BIE_PUBLISH_YOUTUBE, spec.id).toBeUndefined();
        expect(readsOf(spec.id), spec.id).not.toContainEqual(secretRef('YoutubeOAuth'));
        expect(readsOf(spec.id), spec.id).not.toContainEqual(secretRef('BlotatoApiKey'));
        expect(writesOf(spec.id), spec.id).not.toContainEqual(secretRef('YoutubeOAuth'));
      }
    }
  });

  it('passes cdk-nag with platform publishing chosen', () => {
    expect(s.violations.filter((v) => v.severity !== 'warning')).toEqual([]);
  });
});
