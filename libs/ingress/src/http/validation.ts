// Checks a parsed JSON body against a wire-format schema and reports the first problem as a 400 that
// names the field, as OpenAI's `param` does, in words a person can act on.
import { GatewayError, InvalidFieldError } from '@switchyard/contracts';
import type { z } from 'zod';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError('invalid_request', 'the request body must be a JSON object');
  }
  const result = schema.safeParse(body, { error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined) });
  if (result.success) return result.data;
  const { path, message } = mostSpecific(result.error.issues[0]);
  throw new InvalidFieldError(formatPath(path), message);
}

type Issue = z.core.$ZodIssue;

// A union reports only "Invalid input"; the alternative that got furthest into the value says what
// is actually wrong (a text part without text, rather than "not a string").
function mostSpecific(issue: Issue): { path: PropertyKey[]; message: string } {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const deepest = issue.errors.flat().reduce((best, candidate) => (candidate.path.length > best.path.length ? candidate : best));
    if (deepest.path.length > 0) {
      const inner = mostSpecific(deepest);
      return { path: [...issue.path, ...inner.path], message: inner.message };
    }
  }
  return { path: issue.path, message: issue.message };
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(body)';
}
