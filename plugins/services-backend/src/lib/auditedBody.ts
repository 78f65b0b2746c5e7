import type { AuditorServiceCreateEventOptions } from '@backstage/backend-plugin-api';

/** What an audit event's metadata holds (Backstage's JsonObject). */
type JsonObject = NonNullable<AuditorServiceCreateEventOptions['meta']>;
type JsonValue = JsonObject[string];

const REDACTED = '<redacted>';

/**
 * One env var as the audit keeps it: its name, and where a Secret's key is its source, which
 * Secret and key (no secret: they say where the value comes from); a value never.
 */
function auditedVariable(item: JsonObject): JsonObject {
  const ref = (item.valueFrom as JsonObject | undefined)?.secretKeyRef as
    | JsonObject
    | undefined;
  if (ref && typeof ref.name === 'string' && typeof ref.key === 'string') {
    return {
      name: item.name,
      valueFrom: {
        secretKeyRef: {
          name: ref.name.slice(0, 253),
          key: ref.key.slice(0, 253),
        },
      },
    };
  }
  return { name: item.name, value: REDACTED };
}

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
            ? auditedVariable(item as JsonObject)
            : REDACTED,
        )
      : REDACTED,
  };
}
