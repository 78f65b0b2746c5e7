/** A JSON value, as Backstage's auditor meta holds them. @public */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue | undefined };
/** @public */
export type JsonObject = { [key: string]: JsonValue | undefined };

/**
 * The events-bus topic every stored audit event travels on, from the auditor of the plugin that
 * recorded it to the audit log's store.
 * @public
 */
export const AUDIT_TOPIC = 'container-cloud.audit';

/**
 * One audit outcome as the audit log stores it: plain JSON, so it can cross the events bus to
 * another backend replica.
 * @public
 */
export interface AuditRecord {
  /** when the outcome was recorded, ISO 8601 */
  time: string;
  plugin: string;
  eventId: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  outcome: 'succeeded' | 'failed';
  actor: string | null;
  entityRef: string | null;
  cluster: string | null;
  namespace: string | null;
  requestId: string;
  method: string | null;
  /** the request's path without its query */
  path: string | null;
  error: string | null;
  meta: JsonObject;
}

/** What Backstage's auditor hands its log function for an outcome (its `AuditorEvent`). @public */
export interface AuditorOutcomeEvent {
  plugin: string;
  eventId: string;
  severityLevel: AuditRecord['severity'];
  actor: { actorId?: string };
  request?: { url: string; method: string };
  meta?: JsonObject;
  status: 'initiated' | 'succeeded' | 'failed';
  error?: Error;
}

// a key that names a secret keeps its place in the log, never its value
const SECRET_KEY =
  /pass(word|wd)?|secret|token|credential|authorization|api[-_]?key|private[-_]?key|cookie|session/i;
/** the most of a plugin's meta one stored event keeps @public */
export const MAX_META_CHARS = 16_384;

/**
 * The value with every value under a secret-sounding key (password, token, apiKey, ...) replaced
 * by `***`, at any depth.
 * @public
 */
export function redactSecrets(value: JsonValue | undefined): JsonValue {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(item => redactSecrets(item));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        SECRET_KEY.test(key) ? '***' : redactSecrets(inner),
      ]),
    );
  }
  return value;
}

function text(value: JsonValue | undefined, max: number): string | null {
  return typeof value === 'string' && value.length > 0
    ? value.slice(0, max)
    : null;
}

function objectAt(value: JsonValue | undefined): JsonObject {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? value
    : {};
}

/** The path of a URL as a request carries it (`/api/x?token=...` → `/api/x`). */
function pathOf(url: string | undefined): string | null {
  if (!url) return null;
  return url.replace(/[?#].*$/s, '').slice(0, 1000);
}

/**
 * The stored form of an outcome of Backstage's auditor: the entity, cluster and namespace read
 * from the meta the plugin recorded (at its top, or in the `request` the route pipeline keeps),
 * secrets left out, and the meta cut down when it is larger than MAX_META_CHARS.
 * @public
 */
export function auditRecordOf(
  event: AuditorOutcomeEvent,
  requestId: string,
  time: Date,
): AuditRecord {
  const meta = objectAt(redactSecrets(event.meta));
  const request = objectAt(meta.request);
  const pick = (key: string, max: number) =>
    text(meta[key], max) ?? text(request[key], max);
  const serialized = JSON.stringify(meta);
  return {
    time: time.toISOString(),
    plugin: event.plugin,
    eventId: event.eventId,
    severity: event.severityLevel,
    outcome: event.status === 'failed' ? 'failed' : 'succeeded',
    actor: event.actor.actorId ?? null,
    entityRef:
      (pick('entityRef', 255) ?? pick('entity', 255))?.toLocaleLowerCase(
        'en-US',
      ) ?? null,
    cluster: pick('cluster', 128),
    namespace: pick('namespace', 128),
    requestId,
    method: event.request?.method ?? null,
    path: pathOf(event.request?.url),
    error: event.error ? String(event.error.message).slice(0, 2000) : null,
    meta:
      serialized.length <= MAX_META_CHARS
        ? meta
        : { truncated: true, keys: Object.keys(meta).slice(0, 100) },
  };
}
