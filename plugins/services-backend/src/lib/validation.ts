import { z } from 'zod';
import { InputError } from '@backstage/errors';

// RFC 1123 label (namespaces) and subdomain (Deployment names), as Kubernetes checks them
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * An image reference as the container runtime accepts it: [registry[:port]/]path[:tag][@digest].
 * Lower-case path components; a tag of up to 128 word characters, dots and dashes.
 */
const hostComponent = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
// as the runtimes read it, the first component is a registry only with a dot, a port or "localhost"
const registry = `(?:localhost(?::[0-9]+)?|${hostComponent}(?:\\.${hostComponent})+(?::[0-9]+)?|${hostComponent}:[0-9]+)`;
const imageReference = new RegExp(
  `^(?:${registry}/)?${pathComponent}(?:/${pathComponent})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);

const target = {
  cluster: z.string().min(1, 'name the cluster'),
  namespace: z
    .string()
    .max(63)
    .regex(dnsLabel, 'a namespace is lower-case letters, digits and dashes'),
  deployment: z
    .string()
    .max(253)
    .regex(
      dnsSubdomain,
      'a Deployment name is lower-case letters, digits, dots and dashes',
    ),
  resourceVersion: z
    .string()
    .regex(/^[0-9]+$/, 'resourceVersion is the number the page loaded')
    .optional(),
};

export const targetSchema = z.object(target).strict();

/** One container (pod) of the service in one cluster. */
export const podTargetSchema = z
  .object({
    cluster: target.cluster,
    namespace: target.namespace,
    pod: z
      .string()
      .max(253)
      .regex(
        dnsSubdomain,
        'a pod name is lower-case letters, digits, dots and dashes',
      ),
  })
  .strict();

export function scaleSchema(maxReplicas: number) {
  return z
    .object({
      ...target,
      replicas: z
        .number({ error: 'replicas must be a whole number' })
        .int('replicas must be a whole number')
        .min(0, 'replicas cannot be below 0')
        .max(
          maxReplicas,
          `replicas cannot be above ${maxReplicas} (containerCloud.services.maxReplicas)`,
        ),
    })
    .strict();
}

export const upgradeSchema = z
  .object({
    ...target,
    container: z
      .string()
      .max(63)
      .regex(
        dnsLabel,
        'a container name is lower-case letters, digits and dashes',
      ),
    image: z
      .string()
      .max(512, 'an image reference is at most 512 characters')
      .regex(
        imageReference,
        'not a valid image reference; expected e.g. registry.example.com/team/app:1.2.3',
      ),
  })
  .strict();

export const rollbackSchema = z
  .object({
    ...target,
    revision: z.number().int().min(1, 'revisions start at 1'),
  })
  .strict();

/** `?cluster=&state=running|ended&limit=&offset=` of the history route. */
export const historyQuerySchema = z
  .object({
    cluster: z.string().min(1).optional(),
    state: z
      .enum(['running', 'ended'], { error: 'state is running or ended' })
      .optional(),
    limit: z.coerce
      .number()
      .int()
      .min(1, 'limit is 1 to 500')
      .max(500, 'limit is 1 to 500')
      .default(50),
    offset: z.coerce
      .number()
      .int()
      .min(0, 'offset cannot be below 0')
      .default(0),
  })
  .strict();

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
