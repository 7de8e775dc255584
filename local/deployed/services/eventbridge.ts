import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { jsonError, jsonOk, parseJsonBody, type ServiceHandler } from './protocol.js';

/**
 * EventBridge PutEvents (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`) answered locally: entries are
 * validated as EventBridge validates them (per-entry errors for a missing Source/DetailType/Detail or a
 * malformed Detail, a request error for more than 10 entries or more than 256 KB), and each accepted
 * event is appended, in the envelope EventBridge delivers to targets, to `<dataDir>/events.jsonl` and
 * handed to subscribers.
 */

export interface RecordedEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  /** The bus's name and ARN (not in EventBridge's envelope: where the event was put). */
  bus: string;
  busArn: string;
}

export interface EventBridgeOptions {
  dataDir: string;
  region: string;
  account: string;
  /** The stack's buses; the `default` bus always exists. */
  buses: readonly { name: string; arn: string }[];
}

export const MAX_ENTRIES = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;

/** The bus ARN for an `EventBusName` (a name or an ARN; the default bus when absent). */
export function busArnFor(nameOrArn: string | undefined, region: string, account: string): string {
  if (nameOrArn?.startsWith('arn:')) return nameOrArn;
  return `arn:aws:events:${region}:${account}:event-bus/${nameOrArn || 'default'}`;
}

/** EventBridge's entry size: 14 bytes for Time, plus Source, DetailType, Detail and Resources in UTF-8. */
function entrySize(e: Record<string, unknown>): number {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  const resources = Array.isArray(e.Resources) ? e.Resources.reduce<number>((n, r) => n + bytes(r), 0) : 0;
  return 14 + bytes(e.Source) + bytes(e.DetailType) + bytes(e.Detail) + resources;
}

type Listener = (event: RecordedEvent) => void;

export class LocalEventBridge {
  readonly file: string;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly opts: EventBridgeOptions) {
    mkdirSync(opts.dataDir, { recursive: true });
    this.file = path.join(opts.dataDir, 'events.jsonl');
  }

  /** Calls `listener` with every accepted event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every event recorded in this data directory, oldest first. */
  events(): RecordedEvent[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as RecordedEvent);
  }

  readonly handle: ServiceHandler = async (req) => {
    const op = (req.headers['x-amz-target'] ?? '').replace(/^AWSEvents\./, '');
    if (op !== 'PutEvents')
      return jsonError('1.1', 400, 'UnknownOperationException', `AWSEvents.${op} is not emulated locally`);
    const body = parseJsonBody(req.body);
    if (!body)
      return jsonError('1.1', 400, 'SerializationException', 'the request body is not a JSON object');
    const entries = body.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES)
      return jsonError(
        '1.1',
        400,
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    const objects = entries.map((e) =>
      typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {},
    );
    if (objects.reduce((n, e) => n + entrySize(e), 0) > MAX_REQUEST_BYTES)
      return jsonError(
        '1.1',
        400,
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );

    let failed = 0;
    const results = objects.map((e) => {
      const error = this.check(e);
      if (error) {
        failed++;
        return error;
      }
      const event = this.record(e);
      return { EventId: event.id };
    });
    return jsonOk('1.1', { FailedEntryCount: failed, Entries: results });
  };

  private check(e: Record<string, unknown>): { ErrorCode: string; ErrorMessage: string } | undefined {
    for (const field of ['Source', 'DetailType', 'Detail'] as const)
      if (typeof e[field] !== 'string' || e[field] === '')
        return {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
        };
    try {
      const detail = JSON.parse(e.Detail as string) as unknown;
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
        throw new Error('not an object');
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const busArn = busArnFor(e.EventBusName as string | undefined, this.opts.region, this.opts.account);
    if (!busArn.endsWith(':event-bus/default') && !this.opts.buses.some((b) => b.arn === busArn))
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${String(e.EventBusName)} does not exist.`,
      };
    return undefined;
  }

  private record(e: Record<string, unknown>): RecordedEvent {
    const busArn = busArnFor(e.EventBusName as string | undefined, this.opts.region, this.opts.account);
    // The SDK sends Time as epoch seconds.
    const time = typeof e.Time === 'number' ? new Date(e.Time * 1000) : new Date();
    const event: RecordedEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': e.DetailType as string,
      source: e.Source as string,
      account: this.opts.account,
      time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.opts.region,
      resources: Array.isArray(e.Resources) ? e.Resources.map(String) : [],
      detail: JSON.parse(e.Detail as string) as unknown,
      bus: busArn.slice(busArn.indexOf(':event-bus/') + ':event-bus/'.length),
      busArn,
    };
    appendFileSync(this.file, `${JSON.stringify(event)}\n`);
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A failing subscriber must not fail the producer's PutEvents, as on EventBridge.
      }
    }
    return event;
  }
}
