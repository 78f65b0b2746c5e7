import { InputError } from '@backstage/errors';
import type { z } from 'zod';

/**
 * The problems of a value a schema refused, in plain words: unknown fields by name, a missing
 * field as "is required", every other problem as `field: message`.
 *
 * @public
 */
export function describeZodIssues(
  issues: z.ZodError['issues'],
  value: unknown,
): string {
  return issues
    .map(issue => {
      const field = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        // a nested object's unknown fields are named with where they are
        return `${field ? `${field}: ` : ''}unknown field(s): ${issue.keys.join(
          ', ',
        )}`;
      }
      if (
        issue.code === 'invalid_type' &&
        valueAt(value, issue.path) === undefined
      ) {
        return `${field} is required`;
      }
      return field ? `${field}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/**
 * Parses a request's body, query or path parameters, or throws a 400 (`InputError`) listing every
 * problem in plain words: "invalid <what>: ...". An absent body is read as `{}`, so "x is
 * required" names the field.
 * @public
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string = 'request',
): z.output<T> {
  const input = value ?? {};
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InputError(
    `invalid ${what}: ${describeZodIssues(result.error.issues, input)}`,
  );
}

function valueAt(value: unknown, path: PropertyKey[]): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
