import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: unknown;
  status: ExecutionStatus;
  parentArn?: string;
  output?: unknown;
  error?: string;
  cause?: string;
  startDate: string;
  stopDate?: string;
  /** How many times it was redriven (RedriveExecution), and when last. */
  redriveCount?: number;
  redriveDate?: string;
}

type Line =
  | { t: 'start'; record: ExecutionRecord }
  | { t: 'step'; key: string; output: unknown }
  | { t: 'end'; status: ExecutionStatus; output?: unknown; error?: string; cause?: string; stopDate: string }
  /** RedriveExecution: RUNNING again, with the journaled steps kept (they answer the replay). */
  | { t: 'redrive'; redriveDate: string };

/**
 * Durable execution log: one append-only JSONL file per execution (start, every completed Task result,
 * end), each line fsync'ed before the step is considered done. A line torn by SIGKILL is ignored on
 * load, so the step it described simply runs again — which the handlers' idempotency keys make safe.
 * Appending is the commit (no rename needed): the first append after a torn line ends it with a
 * newline, so the torn line never swallows the next good one.
 */
export class ExecutionStore {
  /** Journals this process has appended to, whose last line is known to be whole. */
  private readonly whole = new Set<string>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private file(arn: string): string {
    return path.join(this.dir, `${createHash('sha256').update(arn).digest('hex').slice(0, 32)}.jsonl`);
  }

  private append(arn: string, line: Line): void {
    const file = this.file(arn);
    const fd = openSync(file, 'a+');
    try {
      let text = `${JSON.stringify(line)}\n`;
      if (!this.whole.has(file)) {
        const size = fstatSync(fd).size;
        const last = Buffer.alloc(1);
        if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) text = `\n${text}`;
        this.whole.add(file);
      }
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  exists(arn: string): boolean {
    return existsSync(this.file(arn));
  }

  create(record: ExecutionRecord): void {
    this.append(record.executionArn, { t: 'start', record });
  }

  appendStep(arn: string, key: string, output: unknown): void {
    this.append(arn, { t: 'step', key, output });
  }

  finish(arn: string, end: Omit<Extract<Line, { t: 'end' }>, 't'>): void {
    this.append(arn, { t: 'end', ...end });
  }

  redrive(arn: string, redriveDate: string): void {
    this.append(arn, { t: 'redrive', redriveDate });
  }

  load(arn: string): { record: ExecutionRecord; steps: Map<string, unknown> } | undefined {
    const file = this.file(arn);
    return existsSync(file) ? this.parse(readFileSync(file, 'utf8')) : undefined;
  }

  list(): ExecutionRecord[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => this.parse(readFileSync(path.join(this.dir, f), 'utf8'))?.record)
      .filter((r): r is ExecutionRecord => r !== undefined)
      .sort((a, b) => a.startDate.localeCompare(b.startDate));
  }

  private parse(text: string): { record: ExecutionRecord; steps: Map<string, unknown> } | undefined {
    let record: ExecutionRecord | undefined;
    const steps = new Map<string, unknown>();
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        continue; // torn last line after a crash
      }
      if (line.t === 'start') record = { ...line.record };
      else if (line.t === 'step') steps.set(line.key, line.output);
      else if (line.t === 'redrive' && record) {
        record = {
          ...record,
          status: 'RUNNING',
          output: undefined,
          error: undefined,
          cause: undefined,
          stopDate: undefined,
          redriveCount: (record.redriveCount ?? 0) + 1,
          redriveDate: line.redriveDate,
        };
      } else if (record && line.t === 'end') {
        record.status = line.status;
        record.output = line.output;
        record.error = line.error;
        record.cause = line.cause;
        record.stopDate = line.stopDate;
      }
    }
    return record ? { record, steps } : undefined;
  }
}
