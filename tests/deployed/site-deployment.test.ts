import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeployedModel } from '../../local/deployed/model.js';
import { deploySite } from '../../local/deployed/start.js';

const API = 'http://127.0.0.1:4000';
const EXECUTE_API = /^https:\/\/abc123\.execute-api\.us-east-1\.amazonaws\.com(\/.*)?$/;

/** Two assets as `cdk synth` stages them: the built site, and the config.json `Source.jsonData` writes. */
function assets() {
  const root = mkdtempSync(path.join(tmpdir(), 'bie-site-'));
  const site = path.join(root, 'asset.site');
  mkdirSync(path.join(site, 'assets'), { recursive: true });
  writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>Review</title>');
  writeFileSync(path.join(site, 'assets', 'app.js'), Buffer.from([0x63, 0x6f, 0x6e, 0x73, 0x74, 0xff]));
  const config = path.join(root, 'asset.config');
  mkdirSync(config);
  writeFileSync(
    path.join(config, 'config.json'),
    '{"apiUrl":"https://<<marker:0xbaba:0>>.execute-api.us-east-1.<<marker:0xbaba:1>>/","auth":{"region":"us-east-1","userPoolId":"<<marker:0xbaba:2>>"}}',
  );
  return { root, site, config };
}

const model = (sources: DeployedModel['siteDeployments'][number]['sources']) =>
  ({
    siteDeployments: [{ logicalId: 'DashboardDeploy', bucket: 'site-bucket', sources }],
    localizeUrl: (url: string) => {
      const m = EXECUTE_API.exec(url);
      return m ? `${API}${m[1] ?? ''}` : url;
    },
  }) as unknown as DeployedModel;

describe('deploySite (what the stack’s BucketDeployment writes, done locally)', () => {
  it('copies the site as is and writes config.json with the resolved, JSON-escaped values', () => {
    // Prepare
    const a = assets();
    const markers = {
      '<<marker:0xbaba:0>>': 'abc123',
      '<<marker:0xbaba:1>>': 'amazonaws.com',
      '<<marker:0xbaba:2>>': 'us-east-1_Pool"quoted',
    };

    // Act
    const site = deploySite(
      model([
        { dir: a.site, markers: {}, jsonEscape: false },
        { dir: a.config, markers, jsonEscape: true },
      ]),
      path.join(a.root, 'data'),
      'http://127.0.0.1:5000',
    );

    // Assess
    expect(site?.dir).toBe(path.join(a.root, 'data', 'sites', 'DashboardDeploy'));
    expect(readFileSync(path.join(site?.dir ?? '-', 'assets', 'app.js'))).toEqual(
      readFileSync(path.join(a.site, 'assets', 'app.js')),
    );
    expect(site?.config).toEqual({
      apiUrl: `${API}/`,
      auth: { region: 'us-east-1', userPoolId: 'us-east-1_Pool"quoted', endpoint: 'http://127.0.0.1:5000/' },
    });
  });

  it('serves nothing when the deployed asset has no built page', () => {
    const a = assets();
    const site = deploySite(
      model([{ dir: a.config, markers: {}, jsonEscape: true }]),
      path.join(a.root, 'data'),
      'http://127.0.0.1:5000',
    );
    expect(site).toBeUndefined();
  });
});
