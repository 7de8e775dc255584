import { parseArgs } from 'node:util';

export const USAGE = `bie — Brand Infinity Engine on the embedded runtime

Usage:
  bie demo [--new] [--out DIR] [--json] [--as-deployed]
  bie run --request FILE --brand FILE [--auto-approve] [--new] [--out DIR] [--json] [--as-deployed]
  bie resume CAMPAIGN_ID [--out DIR] [--json] [--as-deployed]
  bie approvals list
  bie approvals approve ID
  bie approvals reject ID --feedback TEXT [--scene SCENE_ID=FEEDBACK ...]
  bie status CAMPAIGN_ID [--json] [--as-deployed]
  bie serve [--port N] [--as-deployed]
  bie users add EMAIL [--json]

The same request, brand and --auto-approve in the same --data directory is one campaign: running the
command again (after a kill, Ctrl-C or a crash) resumes that campaign, or prints it when it is finished;
--new starts another one. "bie resume" redrives a failed campaign from the step that failed; finished
steps are not repeated or charged again. SIGINT/SIGTERM stop cleanly: steps in flight finish first.

"bie users add" invites a dashboard user into the Cognito user pool of the as-deployed runtime
serving --data (bie serve --as-deployed): it prints the temporary password, replaced at first sign-in.

Common options:
  --data DIR       where the runtime keeps its state (default .bie, or BIE_DATA_DIR)
  --as-deployed    run the synthesized stack as Lambda would: every function from its bundle in its
                   own sandboxed instances, with only its template's environment, every AWS call
                   checked against its role; cdk.out is synthesized when missing or stale
  --cdk-out DIR    with --as-deployed: use this synthesized cloud assembly as it is
  --help           this text`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** How the runtime runs the stack: in one process (default) or as deployed (`--as-deployed`). */
export interface RuntimeMode {
  asDeployed: boolean;
  cdkOut?: string;
}

export type Command =
  | ({ kind: 'demo'; out: string; json: boolean; data: string; fresh: boolean } & RuntimeMode)
  | ({
      kind: 'run';
      request: string;
      brand: string;
      autoApprove: boolean;
      /** Start another campaign even if this request already has one (`--new`). */
      fresh: boolean;
      out: string;
      json: boolean;
      data: string;
    } & RuntimeMode)
  | ({ kind: 'resume'; campaignId: string; out: string; json: boolean; data: string } & RuntimeMode)
  | { kind: 'approvals-list'; data: string; json: boolean }
  | {
      kind: 'approvals-decide';
      id: string;
      decision: 'approve' | 'reject';
      feedback?: string;
      /** A video rejection of named scenes only (`--scene ID=FEEDBACK`, repeatable). */
      scenes?: { scene_id: string; feedback: string }[];
      data: string;
    }
  | ({ kind: 'status'; campaignId: string; json: boolean; data: string } & RuntimeMode)
  | ({ kind: 'serve'; port?: number; data: string } & RuntimeMode)
  | { kind: 'users-add'; email: string; data: string; json: boolean }
  | { kind: 'help' };

/** `--scene ID=FEEDBACK`: the scene's id, then everything after the first `=` as its feedback. */
function sceneFeedback(raw: string): { scene_id: string; feedback: string } {
  const at = raw.indexOf('=');
  const scene_id = raw.slice(0, Math.max(0, at)).trim();
  const feedback = raw.slice(at + 1).trim();
  if (at < 0 || !scene_id || !feedback)
    throw new UsageError(`--scene needs SCENE_ID=FEEDBACK, got "${raw.slice(0, 80)}"`);
  return { scene_id, feedback };
}

export function parseCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Command {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      request: { type: 'string' },
      brand: { type: 'string' },
      'auto-approve': { type: 'boolean', default: false },
      new: { type: 'boolean', default: false },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
      feedback: { type: 'string' },
      scene: { type: 'string', multiple: true },
      port: { type: 'string' },
      'as-deployed': { type: 'boolean', default: false },
      'cdk-out': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const data = values.data ?? env.BIE_DATA_DIR ?? '.bie';
  if (values['cdk-out'] !== undefined && !values['as-deployed'])
    throw new UsageError(
      '--cdk-out goes with --as-deployed (the embedded runtime does not run a cloud assembly)',
    );
  const mode: RuntimeMode = {
    asDeployed: values['as-deployed'],
    ...(values['cdk-out'] !== undefined ? { cdkOut: values['cdk-out'] } : {}),
  };
  const [verb, sub, arg] = positionals;
  if (values.help || !verb) return { kind: 'help' };
  switch (verb) {
    case 'demo':
      return {
        kind: 'demo',
        out: values.out ?? 'out/demo',
        json: values.json,
        data,
        fresh: values.new,
        ...mode,
      };
    case 'run': {
      const missing = [!values.request && '--request FILE', !values.brand && '--brand FILE'].filter(Boolean);
      if (missing.length) throw new UsageError(`bie run needs ${missing.join(' and ')}`);
      return {
        kind: 'run',
        request: values.request as string,
        brand: values.brand as string,
        autoApprove: values['auto-approve'],
        fresh: values.new,
        out: values.out ?? 'out/run',
        json: values.json,
        data,
        ...mode,
      };
    }

    case 'resume':
      if (!sub) throw new UsageError('bie resume needs a CAMPAIGN_ID (of a failed campaign)');
      return {
        kind: 'resume',
        campaignId: sub,
        out: values.out ?? 'out/run',
        json: values.json,
        data,
        ...mode,
      };
    case 'approvals':
      if (sub === 'list') return { kind: 'approvals-list', data, json: values.json };
      if (sub === 'approve' || sub === 'reject') {
        if (!arg) throw new UsageError(`bie approvals ${sub} needs an approval ID`);
        const scenes = (values.scene ?? []).map(sceneFeedback);
        if (scenes.length && sub !== 'reject') throw new UsageError('--scene goes with bie approvals reject');
        if (sub === 'reject' && !values.feedback?.trim() && !scenes.length) {
          throw new UsageError(
            'bie approvals reject needs --feedback TEXT or --scene ID=FEEDBACK (the step is regenerated with it)',
          );
        }
        return {
          kind: 'approvals-decide',
          id: arg,
          decision: sub,
          feedback: values.feedback,
          ...(scenes.length ? { scenes } : {}),
          data,
        };
      }
      throw new UsageError('bie approvals list | approve ID | reject ID --feedback TEXT');
    case 'status':
      if (!sub) throw new UsageError('bie status needs a CAMPAIGN_ID');
      return { kind: 'status', campaignId: sub, json: values.json, data, ...mode };
    case 'serve': {
      const port = values.port === undefined ? undefined : Number(values.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
        throw new UsageError('--port must be an integer between 0 and 65535');
      }
      return { kind: 'serve', port, data, ...mode };
    }
    case 'users':
      if (sub !== 'add') throw new UsageError('bie users add EMAIL');
      if (!arg || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(arg))
        throw new UsageError("bie users add needs the new user's EMAIL address");
      return { kind: 'users-add', email: arg, data, json: values.json };
    default:
      throw new UsageError(`unknown command "${verb}"`);
  }
}
