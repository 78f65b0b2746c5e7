import {
  NewServiceCheckResult,
  newServiceCheckResultSchema,
  newServiceCheckSchema,
} from '@internal/plugin-container-cloud-common';
import { parseContract, suiteAction } from './SuiteAction';

/**
 * `container-cloud:service:check-new`: a golden-path template's first step. Before anything is
 * made (repository, catalog entity, workloads), it asks the services backend
 * (`POST /deploy-targets/check`, as the user) whether the user may create this new service for
 * this owner in these placements and whether the name is free. A refusal fails the step in the
 * backend's words (403: authority; 409: the name is another's), so a template run by someone
 * without the authority creates nothing. What an earlier run of the template made (the entity,
 * the Deployments) is reported as found, and the template goes on. It writes nothing: its dry run
 * is the same check.
 */
export const checkNewServiceAction = suiteAction({
  id: 'container-cloud:service:check-new',
  registryName: 'container-cloud-service-check-new',
  title: 'Check a new service before creating it',
  description:
    'Checks, before anything is created, that the calling user may create a new service of this name for this owner group in these clusters and namespaces (a member of the group, holding the service-create permission, each placement one of the group’s deploy targets) and that the name is free. Reports what an earlier run made. Fails with the backend’s words (403, 409); writes nothing.',
  input: z =>
    z.object({
      name: z
        .string()
        .describe("the new Component's name, which is also its Deployment's"),
      owner: z
        .string()
        .describe('the owner group, e.g. group:default/team-payments'),
      placements: z
        .array(
          // a form's placement may carry more (replicas): only where it goes is checked
          z
            .object({ cluster: z.string(), namespace: z.string() })
            .passthrough(),
        )
        .min(1)
        .describe('where it will run: cluster and namespace'),
    }),
  output: z =>
    z.object({
      entityRef: z.string().describe('component:default/<name>'),
      entity: z
        .enum(['absent', 'exists'])
        .describe(
          'whether the Component is in the catalog already (an earlier run)',
        ),
      placements: z
        .array(
          z.object({
            cluster: z.string(),
            namespace: z.string(),
            outcome: z.enum(['would-create', 'exists']),
          }),
        )
        .describe('what the check found in each placement'),
    }),
  examples: [
    {
      description: 'a new service of team-payments in two clusters',
      input: {
        name: 'payments-ledger',
        owner: 'group:default/team-payments',
        placements: [
          { cluster: 'local-a', namespace: 'payments' },
          { cluster: 'local-b', namespace: 'payments' },
        ],
      },
    },
  ],
  async run({ input, credentials, client, logger }) {
    const request = parseContract(
      newServiceCheckSchema,
      {
        name: input.name,
        owner: input.owner,
        placements: input.placements.map(p => ({
          cluster: p.cluster,
          namespace: p.namespace,
        })),
      },
      'new service',
    );
    // the same call in a dry run: it writes nothing
    const { body } = await client.request<NewServiceCheckResult>(
      credentials,
      'services',
      'POST',
      '/deploy-targets/check',
      { body: request },
    );
    const result = newServiceCheckResultSchema.parse(body);
    logger.info(
      result.entity === 'exists'
        ? `${result.entityRef}: exists: made by an earlier run (owner ${result.owner}); it is used as it is`
        : `${result.entityRef}: would create (owner ${result.owner})`,
    );
    for (const p of result.placements) {
      logger.info(
        p.outcome === 'exists'
          ? `${p.cluster}/${p.namespace}: deployment ${result.name} exists: made by an earlier run`
          : `${p.cluster}/${p.namespace}: would create deployment ${result.name}`,
      );
    }
    return {
      entityRef: result.entityRef,
      entity: result.entity,
      placements: result.placements,
    };
  },
});
