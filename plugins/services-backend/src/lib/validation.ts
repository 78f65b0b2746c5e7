import { z } from 'zod';
import { InputError } from '@backstage/errors';

/** Parses a request body, or throws a 400 listing every problem in plain words. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map(issue => {
    const field = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      return `unknown field(s): ${issue.keys.join(', ')}`;
    }
    if (
      issue.code === 'invalid_type' &&
      valueAt(body, issue.path) === undefined
    ) {
      return `${field} is required`;
    }
    return field ? `${field}: ${issue.message}` : issue.message;
  });
  throw new InputError(`invalid request: ${problems.join('; ')}`);
}

function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
