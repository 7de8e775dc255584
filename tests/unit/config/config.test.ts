import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../lambdas/catalog.js';
import {
  ConfigurationError,
  ENV_ROLES,
  ENVIRONMENT,
  lazyConfig,
  loadConfig,
  readVariable,
  requiredEnvironment,
} from '../../../lambdas/shared/config/index.js';
import MODELS from '../../../lambdas/shared/config/models.json' with { type: 'json' };

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('configuration', () => {
  it('names the missing variable and the function when a required one is not set', () => {
    expect(() => readVariable('TABLE_NAME', { AWS_LAMBDA_FUNCTION_NAME: 'x-GatherTrends' })).toThrow(
      ConfigurationError,
    );
    expect(() => readVariable('TABLE_NAME', { AWS_LAMBDA_FUNCTION_NAME: 'x-GatherTrends' })).toThrow(
      /TABLE_NAME is not set in the environment of function x-GatherTrends/,
    );
  });

  it('refuses a value its schema does not accept, naming the variable', () => {
    expect(() => readVariable('APPROVAL_BASE_URL', { APPROVAL_BASE_URL: 'file:///etc' })).toThrow(
      /APPROVAL_BASE_URL="file:\/\/\/etc" is invalid/,
    );
    expect(() => readVariable('BIE_FPS', { BIE_FPS: '0' })).toThrow(/BIE_FPS/);
  });

  it('defaults optional variables to values that are right on Lambda', () => {
    expect(readVariable('BIE_WORK_DIR', {})).toBe('/tmp/bie-work');
    expect(readVariable('BIE_TEXT_MODEL', {})).toBe('offline');
    expect(readVariable('MAIL_FROM', {})).toBeUndefined();
  });

  it('reads a variable only when it is used, so a function never needs another function’s variables', () => {
    const reads: string[] = [];
    const env = new Proxy({ TABLE_NAME: 't' } as NodeJS.ProcessEnv, {
      get: (target, key) => {
        reads.push(String(key));
        return target[String(key)];
      },
    });
    const config = lazyConfig(env);
    expect(config.TABLE_NAME).toBe('t');
    expect(new Set(reads)).toEqual(new Set(['TABLE_NAME']));
    expect(() => loadConfig(env)).toThrow(ConfigurationError);
  });

  it('has no local convenience as a default: no loopback URL, no developer path, no secret value', () => {
    for (const [name, def] of Object.entries(ENVIRONMENT)) {
      const parsed = def.schema.safeParse(undefined);
      if (!parsed.success || parsed.data === undefined) continue;
      expect(String(parsed.data), name).not.toMatch(/127\.0\.0\.1|localhost|whsec_|\/home\/|\/work\//);
    }
  });

  it('names only catalog functions in its roles and gives every function its table and bucket', () => {
    const ids = new Set(FUNCTIONS.map((f) => f.id));
    for (const list of Object.values(ENV_ROLES))
      if (Array.isArray(list)) for (const id of list) expect(ids.has(id), id).toBe(true);
    for (const f of FUNCTIONS)
      expect(requiredEnvironment(f)).toEqual(expect.arrayContaining(['TABLE_NAME', 'BUCKET_NAME']));
    expect(
      requiredEnvironment(FUNCTIONS.find((f) => f.id === 'CampaignsApi') as (typeof FUNCTIONS)[number]),
    ).toEqual(expect.arrayContaining(['CAMPAIGN_STATE_MACHINE_ARN', 'APPROVER_EMAIL']));
  });

  it('is the only module under lambdas/ that reads process.env for configuration', () => {
    const files = execFileSync('git', ['ls-files', 'lambdas'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.endsWith('.ts'));
    const readers = files.filter((f) => /process\.env/.test(readFileSync(path.join(ROOT, f), 'utf8')));
    // media/tools.ts passes the environment on to ffmpeg (FONTCONFIG_FILE), it reads no setting from it.
    expect(readers.sort()).toEqual(['lambdas/shared/config/index.ts', 'lambdas/shared/media/tools.ts']);
  });

  it('puts every Bedrock text task on a model that supports forced tool use', () => {
    for (const [task, id] of Object.entries(MODELS.bedrock_text_tasks)) {
      if (task.startsWith('$')) continue;
      const model = id.replace(/^(us|eu|apac|jp|au|ca|us-gov|global)\./, '');
      expect(
        MODELS.bedrock_forced_tool_use.some((prefix) => model.startsWith(prefix)),
        `${task}: ${id}`,
      ).toBe(true);
    }
  });
});
