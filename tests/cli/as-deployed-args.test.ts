import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../cli/args.js';

describe('bie --as-deployed', () => {
  it('selects the as-deployed runtime for run, serve, demo and status', () => {
    // Act
    const run = parseCommand([
      'run',
      '--request',
      'r.json',
      '--brand',
      'b.md',
      '--as-deployed',
      '--cdk-out',
      'x',
    ]);
    const serve = parseCommand(['serve', '--as-deployed']);
    const demo = parseCommand(['demo', '--as-deployed']);
    const status = parseCommand(['status', 'c-1', '--as-deployed']);

    // Assess
    expect(run).toMatchObject({ kind: 'run', asDeployed: true, cdkOut: 'x' });
    expect(serve).toMatchObject({ kind: 'serve', asDeployed: true });
    expect(demo).toMatchObject({ kind: 'demo', asDeployed: true });
    expect(status).toMatchObject({ kind: 'status', asDeployed: true });
  });

  it('keeps the embedded runtime by default', () => {
    expect(parseCommand(['serve'])).toMatchObject({ kind: 'serve', asDeployed: false });
  });

  it('refuses --cdk-out without --as-deployed', () => {
    expect(() => parseCommand(['serve', '--cdk-out', 'cdk.out'])).toThrow(UsageError);
  });
});
