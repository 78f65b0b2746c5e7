import {
  ServiceCreateResult,
  serviceCreateActionInputSchema,
} from '@internal/plugin-container-cloud-common';
import type { z as z3 } from 'zod/v3';
import { componentRef, entityPageUrl, servicePath } from '../lib/entities';
import { parseContract, suiteAction } from './SuiteAction';

/**
 * `container-cloud:service:create`: a service's Deployment and ClusterIP Service in the chosen
 * clusters and namespaces, through the services backend's `create` operation, as the user. Every
 * placement is tried as a dry run first (binding, permission, spec, conflicts), so a refusal or a
 * conflict in one placement creates nothing anywhere. Idempotent: what an earlier run created
 * with the same spec is `unchanged`; another spec fails the step with the backend's 409.
 */
export const createServiceAction = suiteAction({
  id: 'container-cloud:service:create',
  registryName: 'container-cloud-service-create',
  title: 'Create a service in its clusters',
  description:
    "Creates a catalog Component's Deployment and ClusterIP Service in chosen clusters and namespaces (only where the service's placements allow), from an image, a port, resources, probes, env and replicas per cluster. Acts as the calling user, under the service-create permission; idempotent; a dry run creates nothing.",
  input: z =>
    z.object({
      entityRef: z
        .string()
        .describe('the Component, e.g. component:default/payments-api'),
      name: z
        .string()
        .optional()
        .describe("the Deployment's name (default: the entity's name)"),
      container: z
        .string()
        .optional()
        .describe("the container's name (default: app)"),
      image: z
        .string()
        .describe('the image, e.g. registry.example.com/team/app:1.0.0'),
      port: z.number().int().describe('the port the container listens on'),
      replicas: z
        .number()
        .int()
        .optional()
        .describe('replicas where a placement names none (default 1)'),
      placements: z
        .array(
          z.object({
            cluster: z.string(),
            namespace: z.string(),
            replicas: z.number().int().optional(),
          }),
        )
        .min(1)
        .describe('where to run it: cluster, namespace and replicas'),
      resources: z
        .object({
          requests: z
            .object({
              cpu: z.string().optional(),
              memory: z.string().optional(),
            })
            .optional(),
          limits: z
            .object({
              cpu: z.string().optional(),
              memory: z.string().optional(),
            })
            .optional(),
        })
        .optional()
        .describe('Kubernetes quantities, e.g. 250m and 256Mi'),
      livenessProbe: probe(z).optional(),
      readinessProbe: probe(z).optional(),
      env: z
        .array(z.object({ name: z.string(), value: z.string() }))
        .optional(),
    }),
  output: z =>
    z.object({
      entityRef: z.string(),
      serviceUrl: z.string().describe("the entity's Service tab"),
      results: z
        .array(
          z
            .object({
              cluster: z.string(),
              namespace: z.string(),
              outcome: z.enum(['created', 'unchanged', 'would-create']),
            })
            .passthrough(),
        )
        .describe('what happened in each placement'),
    }),
  examples: [
    {
      description: 'payments-api in two clusters, two replicas in the first',
      input: {
        entityRef: 'component:default/payments-api',
        image: 'registry.example.com/payments/api:1.0.0',
        port: 8080,
        placements: [
          { cluster: 'local-a', namespace: 'payments', replicas: 2 },
          { cluster: 'local-b', namespace: 'payments' },
        ],
        resources: { limits: { cpu: '500m', memory: '256Mi' } },
        readinessProbe: { path: '/healthz', port: 8080 },
      },
    },
  ],
  async run({ input, credentials, dryRun, client, logger, appBaseUrl }) {
    const request = parseContract(
      serviceCreateActionInputSchema(),
      input,
      'service',
    );
    const component = componentRef(request.entityRef);
    const { entityRef, name, placements, replicas, ...workload } = request;
    const bodies = placements.map(p => ({
      ...workload,
      cluster: p.cluster,
      namespace: p.namespace,
      deployment: name ?? component.name,
      replicas: p.replicas ?? replicas ?? 1,
    }));
    const path = `${servicePath(component)}/create`;
    const send = async (body: object) =>
      (
        await client.request<ServiceCreateResult>(
          credentials,
          'services',
          'POST',
          path,
          { body },
        )
      ).body;
    // every placement checked before any is created
    const checked: ServiceCreateResult[] = [];
    for (const body of bodies) {
      checked.push(await send({ ...body, dryRun: true }));
    }
    const results: ServiceCreateResult[] = [];
    if (dryRun) {
      results.push(...checked);
    } else {
      for (const body of bodies) {
        const result = await send(body);
        logger.info(
          `${result.cluster}/${result.namespace}: deployment ${body.deployment} ${result.outcome}`,
        );
        results.push(result);
      }
    }
    return {
      entityRef: component.ref,
      serviceUrl: entityPageUrl(appBaseUrl, component, 'service'),
      results,
    };
  },
});

function probe(z: typeof z3) {
  return z
    .object({
      path: z.string(),
      port: z.number().int(),
      initialDelaySeconds: z.number().int().optional(),
      periodSeconds: z.number().int().optional(),
      timeoutSeconds: z.number().int().optional(),
      failureThreshold: z.number().int().optional(),
    })
    .describe('an HTTP probe');
}
