import {
  parseQuantity,
  VolumeChangeResult,
  volumeCreateSchema,
  VolumeList,
} from '@internal/plugin-container-cloud-common';
import { ConflictError, InputError } from '@backstage/errors';
import { componentRef, entityPageUrl, servicePath } from '../lib/entities';
import { parseContract, suiteAction } from './SuiteAction';

/**
 * `container-cloud:storage:volume:create`: a volume (a claim in every cluster the service runs
 * in) through the storage backend, as the user. Idempotent: a volume of that name with the same
 * type, size and access mode is `unchanged`; with others the step fails and nothing changes.
 */
export const createVolumeAction = suiteAction({
  id: 'container-cloud:storage:volume:create',
  registryName: 'container-cloud-storage-volume-create',
  title: 'Create a volume for a service',
  description:
    'Creates a persistent volume (a claim in every cluster the service runs in) of a storage type, size and access mode. Acts as the calling user, under the volume-create permission; idempotent; a dry run creates nothing.',
  input: z =>
    z.object({
      entityRef: z
        .string()
        .describe('the Component, e.g. component:default/payments-api'),
      name: z.string().describe("the volume's name, e.g. data"),
      type: z.string().describe('a storage type the clusters offer'),
      size: z.string().describe('a size such as 1Gi'),
      accessMode: z
        .enum([
          'ReadWriteOnce',
          'ReadOnlyMany',
          'ReadWriteMany',
          'ReadWriteOncePod',
        ])
        .default('ReadWriteOnce'),
    }),
  output: z =>
    z.object({
      volume: z.string(),
      outcome: z.enum(['created', 'unchanged', 'would-create']),
      clusters: z.array(z.string()).describe('the clusters holding a claim'),
      storageUrl: z.string().describe("the entity's Storage tab"),
    }),
  examples: [
    {
      description: 'a 1Gi volume for payments-api',
      input: {
        entityRef: 'component:default/payments-api',
        name: 'data',
        type: 'standard',
        size: '1Gi',
        accessMode: 'ReadWriteOnce',
      },
    },
  ],
  async run({ input, credentials, dryRun, client, appBaseUrl }) {
    const component = componentRef(input.entityRef);
    const { entityRef, ...fields } = input;
    const body = parseContract(volumeCreateSchema, fields, 'volume');
    const path = `${servicePath(component)}/volumes`;
    const storageUrl = entityPageUrl(appBaseUrl, component, 'storage');
    const { body: list } = await client.request<VolumeList>(
      credentials,
      'storage',
      'GET',
      path,
    );
    const existing = list.items.find(v => v.name === body.name);
    if (existing) {
      const differences = existing.claims.flatMap(claim => {
        const problems: string[] = [];
        if (parseQuantity(claim.requested) !== parseQuantity(body.size))
          problems.push(`${claim.cluster}: size ${claim.requested}`);
        if (!claim.accessModes.includes(body.accessMode))
          problems.push(`${claim.cluster}: ${claim.accessModes.join(', ')}`);
        return problems;
      });
      if (existing.type && existing.type !== body.type)
        differences.unshift(`type ${existing.type}`);
      if (differences.length > 0) {
        throw new ConflictError(
          `${component.ref} has a volume named '${
            body.name
          }' already, with ${differences.join(
            '; ',
          )}; nothing was changed: resize it on the Storage tab, or choose another name`,
        );
      }
      return {
        volume: body.name,
        outcome: 'unchanged' as const,
        clusters: existing.claims.map(c => c.cluster),
        storageUrl,
      };
    }
    if (!list.types.some(t => t.name === body.type)) {
      throw new InputError(
        `type: no storage type '${body.type}'; the clusters offer: ${
          list.types.map(t => t.name).join(', ') || 'none'
        }`,
      );
    }
    if (dryRun) {
      return {
        volume: body.name,
        outcome: 'would-create' as const,
        clusters: [],
        storageUrl,
      };
    }
    const { status, body: result } = await client.request<VolumeChangeResult>(
      credentials,
      'storage',
      'POST',
      path,
      { body, accept: [207] },
    );
    if (status === 207 || !result.ok) {
      throw new Error(
        `the volume was not created in every cluster: ${result.message}`,
      );
    }
    return {
      volume: body.name,
      outcome: 'created' as const,
      clusters: result.outcomes
        .filter(o => o.state === 'created')
        .map(o => o.cluster),
      storageUrl,
    };
  },
});
