/**
 * Creating a service's workloads (a Deployment and its Service) in chosen clusters and
 * namespaces: the request and result of the services backend's create operation, which the
 * scaffolder action `container-cloud:service:create` also uses.
 */
import { z } from 'zod';
import { parseQuantity } from '../quantity';
import { configSchema, targetSchema, upgradeSchema } from './serviceRequests';
import { deploymentViewSchema } from './serviceViews';

const { cluster, namespace, deployment } = targetSchema.shape;
const { env, livenessProbe, readinessProbe } = configSchema.shape;
// the config editor's checks, one spelling of every rule: env names, quantities, probes
const resources = configSchema.shape.resources;

const port = (what: string) =>
  z
    .number({ error: `${what} must be a whole number` })
    .int(`${what} must be a whole number`)
    .min(1, `${what} is 1 to 65535`)
    .max(65535, `${what} is 1 to 65535`);

type Resources = z.output<typeof resources>;

/** Every request at most its limit, compared as quantities (`500m` < `1`, `512Mi` < `1Gi`). */
function requestsAboveLimits(value: Resources): string[] {
  const problems: string[] = [];
  for (const key of ['cpu', 'memory'] as const) {
    const request = parseQuantity(value?.requests?.[key]);
    const limit = parseQuantity(value?.limits?.[key]);
    if (request !== undefined && limit !== undefined && request > limit) {
      problems.push(
        `resources.requests.${key} (${value?.requests?.[key]}) is above resources.limits.${key} (${value?.limits?.[key]})`,
      );
    }
  }
  return problems;
}

/** The workload itself, the same in every cluster: what the template or the page chose. */
function workloadFields(maxReplicas: number) {
  return {
    /** the container's name (default: `app`) */
    container: configSchema.shape.container.optional(),
    image: upgradeSchema.shape.image,
    /** the port the container listens on; the Service forwards it */
    port: port('port'),
    replicas: z
      .number({ error: 'replicas must be a whole number' })
      .int('replicas must be a whole number')
      .min(0, 'replicas cannot be below 0')
      .max(
        maxReplicas,
        `replicas cannot be above ${maxReplicas} (containerCloud.services.maxReplicas)`,
      ),
    resources,
    livenessProbe: livenessProbe.unwrap().unwrap().optional(),
    readinessProbe: readinessProbe.unwrap().unwrap().optional(),
    env,
  };
}

/**
 * `POST /services/:namespace/:name/create`: a Deployment (`deployment`) and a ClusterIP Service
 * of the same name in one cluster and namespace, labelled with the service's kubernetes id. Only
 * where the service's binding reaches. `dryRun`: the apiserver checks it (`dryRun=All`), nothing
 * is stored. A Deployment made by the same request before (its `container-cloud.io/create-request`
 * hash) is `unchanged`, whatever a roll-out, an attach or a scale changed since; one without the
 * hash is `unchanged` when its spec is the same. Otherwise the request is a 409 carrying the
 * Deployment as it is, never an overwrite.
 * @public
 */
export function serviceCreateSchema(maxReplicas: number) {
  return z
    .object({
      cluster,
      namespace,
      deployment,
      ...workloadFields(maxReplicas),
      dryRun: z.boolean().optional(),
    })
    .strict()
    .superRefine((value, ctx) => {
      for (const message of requestsAboveLimits(value.resources)) {
        ctx.addIssue({ code: 'custom', message, path: ['resources'] });
      }
    });
}
/** @public */
export type ServiceCreateRequest = z.infer<
  ReturnType<typeof serviceCreateSchema>
>;

/** What a create did (or, in a dry run, would do) in one cluster. @public */
export const serviceCreateOutcomes = [
  'created',
  'unchanged',
  'would-create',
] as const;

/** @public */
export const serviceCreateResultSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  outcome: z.enum(serviceCreateOutcomes),
  dryRun: z.boolean(),
  /** the Deployment as it is now (in a dry run: as the apiserver would store it) */
  deployment: deploymentViewSchema,
  /** the ClusterIP Service in front of it */
  service: z.object({
    name: z.string(),
    port: z.number(),
    outcome: z.enum(serviceCreateOutcomes),
  }),
});
/** @public */
export type ServiceCreateResult = z.infer<typeof serviceCreateResultSchema>;

/**
 * The scaffolder and actions-registry action `container-cloud:service:create`: a service's
 * workloads in several placements at once, each with its replicas. Every placement is checked
 * (a dry run in each) before any is created.
 * @public
 */
export function serviceCreateActionInputSchema(maxReplicas = 1000) {
  const { replicas, ...fields } = workloadFields(maxReplicas);
  return z
    .object({
      /** the catalog Component, e.g. `component:default/payments-api` */
      entityRef: z
        .string()
        .regex(
          /^(component:)?([a-z0-9][-a-z0-9_.]*\/)?[a-z0-9A-Z][-a-zA-Z0-9_.]*$/,
          'entityRef is a Component reference such as component:default/payments-api',
        ),
      /** the Deployment's name (default: the entity's name) */
      name: deployment.optional(),
      ...fields,
      placements: z
        .array(
          z
            .object({ cluster, namespace, replicas: replicas.optional() })
            .strict(),
        )
        .min(1, 'name at least one placement (cluster and namespace)')
        .max(50, 'at most 50 placements at once')
        .refine(
          list =>
            new Set(list.map(p => `${p.cluster}/${p.namespace}`)).size ===
            list.length,
          'each cluster and namespace at most once',
        ),
      /** replicas where a placement names none (default 1) */
      replicas: replicas.optional(),
    })
    .strict()
    .superRefine((value, ctx) => {
      for (const message of requestsAboveLimits(value.resources)) {
        ctx.addIssue({ code: 'custom', message, path: ['resources'] });
      }
    });
}
/** @public */
export type ServiceCreateActionInput = z.infer<
  ReturnType<typeof serviceCreateActionInputSchema>
>;

/** @public */
export const serviceCreateActionOutputSchema = z.object({
  entityRef: z.string(),
  /** the entity's Service tab, for a template's summary */
  serviceUrl: z.string(),
  results: z.array(serviceCreateResultSchema),
});
/** @public */
export type ServiceCreateActionOutput = z.infer<
  typeof serviceCreateActionOutputSchema
>;
