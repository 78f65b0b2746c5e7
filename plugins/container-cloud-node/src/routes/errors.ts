import { CustomErrorBase, InputError, isError } from '@backstage/errors';
import { ZodError } from 'zod';
import { describeZodIssues } from './parseInput';

/**
 * The caller holds too many of something at once (live log follows, shells); answered 429 with
 * what to close. @public
 */
export class TooManyRequestsError extends CustomErrorBase {
  name = 'TooManyRequestsError' as const;
  readonly statusCode = 429;
}

/** An error's answer when Backstage's own error handler would not say enough. @public */
export interface RouteErrorAnswer {
  status: number;
  body: {
    error: { name: string; message: string };
    request: { method: string; url: string };
    response: { statusCode: number };
    /** the resource as it is now, when a write lost to a newer change */
    current?: unknown;
  };
}

/**
 * The one error mapping of the route pipeline. Most errors go on to Backstage's error handler,
 * which answers `@backstage/errors` by name and anything with a `statusCode` (a cluster's
 * `ClusterWriteError`, `TooManyRequestsError`) with it. This adds what that handler cannot:
 * - a `ZodError` a handler let through is a 400 with the readable message (`InputError`);
 * - a `ConflictError` that carries `current` (a write that lost a race) is a 409 with the
 *   current state, so the user sees what they would have overwritten.
 * Returns the error to throw on, or an answer to send.
 *
 * @public
 */
export function mapRouteError(
  error: unknown,
  request: { method: string; url: string },
): { rethrow: unknown } | { answer: RouteErrorAnswer } {
  if (error instanceof ZodError) {
    return {
      rethrow: new InputError(
        `invalid request: ${describeZodIssues(error.issues, undefined)}`,
      ),
    };
  }
  if (
    isError(error) &&
    error.name === 'ConflictError' &&
    (error as { current?: unknown }).current !== undefined
  ) {
    return {
      answer: {
        status: 409,
        body: {
          error: { name: 'ConflictError', message: error.message },
          request,
          response: { statusCode: 409 },
          current: (error as { current?: unknown }).current,
        },
      },
    };
  }
  return { rethrow: error };
}
