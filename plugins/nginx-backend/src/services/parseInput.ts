import { InputError } from '@backstage/errors';
import { z } from 'zod';
import { Domain, domainSchema } from '../render';

/** Parses with `schema` or throws an InputError naming every wrong field. */
export function parseInput<T>(
  what: string,
  schema: z.ZodType<T>,
  input: unknown,
): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map(issue => {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return `${field ? `${field}: ` : ''}unknown field(s): ${issue.keys.join(
        ', ',
      )}`;
    }
    return field ? `${field}: ${issue.message}` : issue.message;
  });
  throw new InputError(`invalid ${what}: ${problems.join('; ')}`);
}

export function parseDomain(input: unknown): Domain {
  return parseInput('domain', domainSchema, input);
}
