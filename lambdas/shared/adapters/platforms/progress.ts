import { open, stat } from 'node:fs/promises';
import type { z } from 'zod';
import type { PublishProgress, PublishRequest } from '../../ports/index.js';

/**
 * A publisher's record of one post, kept in the caller's store after every step that the platform
 * cannot undo (a session opened, bytes accepted, a container made, the post created). A record that
 * no longer parses (an older shape) is ignored: the platforms' own checks then decide what is safe.
 */
export class Progress<S extends z.ZodObject> {
  private state: Partial<z.infer<S>> = {};

  private constructor(private readonly store: PublishProgress | undefined) {}

  static async load<S extends z.ZodObject>(
    store: PublishProgress | undefined,
    schema: S,
  ): Promise<Progress<S>> {
    const p = new Progress<S>(store);
    const raw = await store?.load();
    const parsed = schema.partial().safeParse(raw ?? {});
    if (parsed.success) p.state = parsed.data as Partial<z.infer<S>>;
    return p;
  }

  get value(): Readonly<Partial<z.infer<S>>> {
    return this.state;
  }

  async save(patch: Partial<z.infer<S>>): Promise<void> {
    this.state = { ...this.state, ...patch };
    await this.store?.save({ ...this.state } as Record<string, unknown>);
  }

  /** Forgets the listed fields (a session the platform expired). */
  async drop(...keys: (keyof z.infer<S>)[]): Promise<void> {
    const next = { ...this.state };
    for (const k of keys) delete next[k];
    this.state = next;
    await this.store?.save({ ...this.state } as Record<string, unknown>);
  }
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}

/** Bytes `start`..`end` (inclusive) of a file, for chunked uploads. */
export async function readRange(path: string, start: number, end: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = new Uint8Array(end - start + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, start);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The caption with its hashtags appended (those not already in it). */
export function postText(req: Pick<PublishRequest, 'caption' | 'hashtags'>): string {
  const missing = req.hashtags.filter((h) => !req.caption.includes(h));
  return missing.length > 0 ? `${req.caption}\n\n${missing.join(' ')}` : req.caption;
}

/** A title from the caption's first line (YouTube: at most 100 characters, no angle brackets). */
export function titleOf(caption: string, max = 100): string {
  const line = (caption.split('\n').find((l) => l.trim()) ?? 'Video').replace(/[<>]/g, '').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}
