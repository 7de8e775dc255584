import { parseArgs } from 'node:util';

export const USAGE = `bie — Brand Infinity Engine on the embedded runtime

Usage:
  bie demo [--out DIR] [--json]
  bie run --request FILE --brand FILE [--auto-approve] [--out DIR] [--json]
  bie approvals list
  bie approvals approve ID
  bie approvals reject ID --feedback TEXT
  bie status CAMPAIGN_ID [--json]
  bie serve [--port N]

Common options:
  --data DIR   where the runtime keeps its state (default .bie, or BIE_DATA_DIR)
  --help       this text`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Command =
  | { kind: 'demo'; out: string; json: boolean; data: string }
  | {
      kind: 'run';
      request: string;
      brand: string;
      autoApprove: boolean;
      out: string;
      json: boolean;
      data: string;
    }
  | { kind: 'approvals-list'; data: string; json: boolean }
  | { kind: 'approvals-decide'; id: string; decision: 'approve' | 'reject'; feedback?: string; data: string }
  | { kind: 'status'; campaignId: string; json: boolean; data: string }
  | { kind: 'serve'; port?: number; data: string }
  | { kind: 'help' };

export function parseCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Command {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      request: { type: 'string' },
      brand: { type: 'string' },
      'auto-approve': { type: 'boolean', default: false },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
      feedback: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const data = values.data ?? env.BIE_DATA_DIR ?? '.bie';
  const [verb, sub, arg] = positionals;
  if (values.help || !verb) return { kind: 'help' };
  switch (verb) {
    case 'demo':
      return { kind: 'demo', out: values.out ?? 'out/demo', json: values.json, data };
    case 'run': {
      const missing = [!values.request && '--request FILE', !values.brand && '--brand FILE'].filter(Boolean);
      if (missing.length) throw new UsageError(`bie run needs ${missing.join(' and ')}`);
      return {
        kind: 'run',
        request: values.request as string,
        brand: values.brand as string,
        autoApprove: values['auto-approve'],
        out: values.out ?? 'out/run',
        json: values.json,
        data,
      };
    }
    case 'approvals':
      if (sub === 'list') return { kind: 'approvals-list', data, json: values.json };
      if (sub === 'approve' || sub === 'reject') {
        if (!arg) throw new UsageError(`bie approvals ${sub} needs an approval ID`);
        if (sub === 'reject' && !values.feedback?.trim()) {
          throw new UsageError(
            'bie approvals reject needs --feedback TEXT (the step is regenerated with it)',
          );
        }
        return { kind: 'approvals-decide', id: arg, decision: sub, feedback: values.feedback, data };
      }
      throw new UsageError('bie approvals list | approve ID | reject ID --feedback TEXT');
    case 'status':
      if (!sub) throw new UsageError('bie status needs a CAMPAIGN_ID');
      return { kind: 'status', campaignId: sub, json: values.json, data };
    case 'serve': {
      const port = values.port === undefined ? undefined : Number(values.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
        throw new UsageError('--port must be an integer between 0 and 65535');
      }
      return { kind: 'serve', port, data };
    }
    default:
      throw new UsageError(`unknown command "${verb}"`);
  }
}
