import type { z } from 'zod';
import { type FieldIssue, ValidationError } from './errors.js';

/** zod issues as `a.b[0].c` paths, the form used in problem+json and CLI errors. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
      .join(''),
    message: issue.message,
  }));
}

/** Parses or throws a ValidationError naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(`invalid ${what}`, fieldIssues(result.error));
  return result.data;
}
