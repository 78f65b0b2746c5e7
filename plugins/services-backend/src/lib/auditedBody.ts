import type { AuditorServiceCreateEventOptions } from '@backstage/backend-plugin-api';

/** What an audit event's metadata holds (Backstage's JsonObject). */
type JsonObject = NonNullable<AuditorServiceCreateEventOptions['meta']>;
type JsonValue = JsonObject[string];

const REDACTED = '<redacted>';

/**
 * A request body as an audit event keeps it: every env var keeps its name and loses its value (a
 * password, a token), so the event says what changed without copying secrets into the audit log.
 * Undefined for what is no JSON object.
 */
export function auditedBody(body: unknown): JsonObject | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return undefined;
  }
  const { env, ...rest } = body as Record<string, JsonValue>;
  if (env === undefined) return rest;
  return {
    ...rest,
    env: Array.isArray(env)
      ? env.map(item =>
          typeof item === 'object' &&
          item !== null &&
          !Array.isArray(item) &&
          typeof (item as JsonObject).name === 'string'
            ? { name: (item as JsonObject).name, value: REDACTED }
            : REDACTED,
        )
      : REDACTED,
  };
}
