import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ROLES } from '../../infra/constructs/functions.js';
import { MEDIA_PROFILES } from '../../infra/stacks/brand-infinity-stack.js';
import { FUNCTIONS } from '../../lambdas/catalog.js';
import { declaredEnvironment, type EnvName, requiredEnvironment } from '../../lambdas/shared/config/index.js';
import {
  CUSTOM_METRICS,
  METRIC_DIMENSIONS,
  METRICS_NAMESPACE,
} from '../../lambdas/shared/metric-definitions.js';
import { recordMetric } from '../../lambdas/shared/metrics.js';
import {
  grantsOf,
  logicalIdOf,
  ofType,
  type Resource,
  ROOT,
  resourcesOf,
  type Synthesized,
  synthesize,
} from './synth.js';

/** What the stack sets for the Lambda runtime and libraries, outside lambdas/shared/config. */
const RUNTIME_VARIABLES = new Set([
  'NODE_OPTIONS',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
]);

let s: Synthesized;
let openai: Synthesized;
beforeAll(() => {
  s = synthesize();
  openai = synthesize(
    { providers: { textModel: 'openai', embedder: 'openai', videoProvider: 'fal' }, mediaProfile: 'preview' },
    'BrandInfinity-openai',
  );
}, 240_000);
afterAll(() => {
  s?.cleanup();
  openai?.cleanup();
});

const envOf = (syn: Synthesized, id: string): Record<string, unknown> => {
  const logicalId = logicalIdOf(syn.stack.functions.get(id));
  const fn = syn.resources[logicalId] as Resource;
  return ((fn.Properties.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {}) as Record<
    string,
    unknown
  >;
};

describe('function environments come from the one definition in lambdas/shared/config', () => {
  it.each(FUNCTIONS.map((f) => [f.id, f] as const))(
    '%s declares exactly the variables its code reads (its definition), each required one with a value',
    (id, spec) => {
      const env = envOf(s, id);
      const own = Object.keys(env).filter((k) => !RUNTIME_VARIABLES.has(k));
      expect(own.sort()).toEqual([...declaredEnvironment(spec)].sort());
      for (const name of requiredEnvironment(spec)) expect(env[name], `${id} ${name}`).not.toBe('');
    },
  );

  it('never sets a secret value, only Secrets Manager ARNs', () => {
    for (const spec of FUNCTIONS) {
      const env = envOf(s, spec.id);
      for (const name of ['APPROVAL_SIGNING_SECRET', 'WEBHOOK_SECRET', 'OPENAI_API_KEY', 'FAL_KEY'])
        expect(env[name], `${spec.id} ${name}`).toBeUndefined();
    }
  });
});

describe('media profile (context mediaProfile)', () => {
  it('renders full size by default and small with preview, on the functions that render', () => {
    expect(envOf(s, 'AssembleMaster').BIE_MASTER_WIDTH).toBe('1080');
    const preview = MEDIA_PROFILES.preview;
    for (const spec of FUNCTIONS) {
      const env = envOf(openai, spec.id);
      for (const [name, value] of Object.entries(preview))
        if (declaredEnvironment(spec).includes(name as EnvName))
          expect(env[name], `${spec.id} ${name}`).toBe(value);
    }
    expect(envOf(openai, 'AssembleMaster').BIE_MASTER_WIDTH).toBe('180');
    expect(envOf(openai, 'FormatRendition').BIE_RENDITION_SCALE).toBe('0.25');
  });
});

describe('trend store', () => {
  it('expires items by the expires_at attribute (trends are kept 90 days)', () => {
    s.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
    });
  });
});

describe('OpenAI through CDK context', () => {
  const roleOf = (id: string) => logicalIdOf(openai.stack.functions.get(id).role as IConstruct);

  it('gives the model-calling functions the key’s Secrets Manager ARN and read access, and no other function', () => {
    const [secretId] = ofType(openai.resources, 'AWS::SecretsManager::Secret').find(([lid]) =>
      lid.includes('OpenAiApiKey'),
    ) as [string, Resource];
    for (const spec of FUNCTIONS) {
      const env = envOf(openai, spec.id);
      const reads = grantsOf(openai.resources, roleOf(spec.id), 'secretsmanager:GetSecretValue').flatMap(
        resourcesOf,
      );
      if (FUNCTION_ROLES.modelUsers(spec)) {
        expect(env.OPENAI_API_KEY_ARN, spec.id).toEqual({ Ref: secretId });
        expect(env.BIE_TEXT_MODEL).toBe('openai');
        expect(reads, spec.id).toContainEqual({ Ref: secretId });
      } else {
        expect(env.OPENAI_API_KEY_ARN, spec.id).toBeUndefined();
        expect(reads, spec.id).not.toContainEqual({ Ref: secretId });
      }
    }
  });

  it('passes cdk-nag with OpenAI chosen', () => {
    expect(openai.violations.filter((v) => v.severity !== 'warning')).toEqual([]);
  });
});

describe('fal through CDK context (videoProvider=fal)', () => {
  const roleOf = (id: string) => logicalIdOf(openai.stack.functions.get(id).role as IConstruct);

  it('gives the functions that call the fal queue the key’s ARN and read access, and no other function', () => {
    const [secretId] = ofType(openai.resources, 'AWS::SecretsManager::Secret').find(([lid]) =>
      lid.includes('FalKey'),
    ) as [string, Resource];
    const callers = ['SubmitRender', 'PollRenders'];
    for (const spec of FUNCTIONS) {
      const env = envOf(openai, spec.id);
      const reads = grantsOf(openai.resources, roleOf(spec.id), 'secretsmanager:GetSecretValue').flatMap(
        resourcesOf,
      );
      if (callers.includes(spec.id)) {
        expect(env.FAL_KEY_ARN, spec.id).toEqual({ Ref: secretId });
        expect(env.FAL_QUEUE_URL, spec.id).toBe('https://queue.fal.run');
        expect(reads, spec.id).toContainEqual({ Ref: secretId });
      } else {
        expect(env.FAL_KEY_ARN, spec.id).toBeUndefined();
        expect(reads, spec.id).not.toContainEqual({ Ref: secretId });
      }
    }
  });

  it('enables fal for routing and rendering; webhooks verify against fal’s JWKS', () => {
    for (const id of ['PlanRenders', 'SubmitRender', 'PollRenders'])
      expect(envOf(openai, id).BIE_VIDEO_PROVIDER, id).toBe('fal');
    expect(envOf(openai, 'WebhooksApi').FAL_JWKS_URL).toBe('https://rest.alpha.fal.ai/.well-known/jwks.json');
    expect(envOf(s, 'SubmitRender').BIE_VIDEO_PROVIDER).toBe('offline');
  });

  it('creates no fal key unless fal is chosen', () => {
    expect(ofType(s.resources, 'AWS::SecretsManager::Secret').some(([lid]) => lid.includes('FalKey'))).toBe(
      false,
    );
  });
});

describe('custom metrics and their alarms come from one definition', () => {
  /** What Powertools actually publishes (EMF) when a handler records the metric. */
  function emittedDimensions(name: keyof typeof CUSTOM_METRICS, service: string): string[][] {
    const lines: string[] = [];
    // Powertools writes EMF lines to stdout through a Console of its own.
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    }) as typeof process.stdout.write;
    const prev = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    try {
      // The handlers' own path: recordMetric on the shared Metrics instance (a fresh one per case).
      const m = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service, logger: new Logger() });
      recordMetric(name, 1, { platform: 'tiktok' }, m);
      m.publishStoredMetrics();
    } finally {
      process.stdout.write = original;
      if (prev === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = prev;
    }
    const emf = lines.flatMap((l) => (l.startsWith('{') ? [JSON.parse(l)] : [])).find((j) => j._aws);
    return emf._aws.CloudWatchMetrics[0].Dimensions;
  }

  it.each(Object.entries(CUSTOM_METRICS).filter(([, d]) => 'alarm' in d))(
    'the %s alarm watches exactly the dimensions the metric is published with',
    (name, def) => {
      const pillar = FUNCTIONS.find((f) => f.id === def.publisher)?.pillar as string;
      const alarms = ofType(s.resources, 'AWS::CloudWatch::Alarm').filter(
        ([, a]) => a.Properties.MetricName === name,
      );
      expect(alarms).toHaveLength(1);
      const [, alarm] = alarms[0] as [string, Resource];
      expect(alarm.Properties.Namespace).toBe(METRICS_NAMESPACE);
      expect(alarm.Properties.Dimensions).toEqual([{ Name: 'service', Value: pillar }]);
      expect(emittedDimensions(name as keyof typeof CUSTOM_METRICS, pillar)).toEqual([
        [...METRIC_DIMENSIONS],
      ]);
      expect(envOf(s, def.publisher).POWERTOOLS_SERVICE_NAME).toBe(pillar);
    },
  );
});

describe('metric publishing', () => {
  it('goes through recordMetric only: no handler adds a metric or a dimension of its own', () => {
    const files = execFileSync('git', ['ls-files', 'lambdas'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.endsWith('.ts') && f !== 'lambdas/shared/metrics.ts');
    for (const f of files) {
      const text = readFileSync(path.join(ROOT, f), 'utf8');
      expect(/\.addMetric\(|\.addDimensions?\(/.test(text), f).toBe(false);
    }
  });
});
