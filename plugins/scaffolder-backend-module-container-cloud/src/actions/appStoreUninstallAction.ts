import { ConflictError } from '@backstage/errors';
import {
  findInstance,
  instanceKey,
  instancePath,
  ownerRef,
  sameRef,
} from './appStoreShared';
import { suiteAction } from './SuiteAction';

/**
 * `container-cloud:app-store:uninstall`: an app store instance uninstalled (its Helm release
 * removed, its record kept) through the app-store backend as the user, under its delete
 * permission. Idempotent: an instance that is not there (never was, or gone already) is `absent`
 * and the step goes on. `chart` and `owner`, when given, guard against removing another instance
 * of that name: one that differs fails the step and nothing is removed.
 */
export const appStoreUninstallAction = suiteAction({
  id: 'container-cloud:app-store:uninstall',
  registryName: 'container-cloud-app-store-uninstall',
  title: 'Uninstall an app store instance',
  description:
    "Uninstalls an app store instance (its Helm release; the app store keeps its record). Acts as the calling user, under the app store delete permission; idempotent (an instance already gone is 'absent'); a dry run removes nothing. Give chart and owner to make sure the instance is the one you mean.",
  destructive: true,
  input: z =>
    z.object({
      cluster: z.string().describe("the instance's cluster"),
      namespace: z.string().describe("the instance's namespace"),
      name: z.string().describe("the instance's (Helm release's) name"),
      chart: z
        .string()
        .optional()
        .describe('only if the instance is of this chart, e.g. redis'),
      owner: z
        .string()
        .optional()
        .describe('only if the instance belongs to this Component or Group'),
    }),
  output: z =>
    z.object({
      outcome: z.enum(['uninstalled', 'absent', 'would-uninstall']),
      cluster: z.string(),
      namespace: z.string(),
      name: z.string(),
      chart: z.string().optional(),
      owner: z.string().optional(),
    }),
  examples: [
    {
      description: 'the Redis of payments-api in local-a',
      input: {
        cluster: 'local-a',
        namespace: 'payments',
        name: 'payments-cache',
        chart: 'redis',
        owner: 'component:default/payments-api',
      },
    },
  ],
  async run({ input, credentials, dryRun, client, logger }) {
    const key = instanceKey(input);
    const owner =
      input.owner !== undefined ? ownerRef('owner', input.owner) : undefined;
    const where = `${key.cluster}/${key.namespace}/${key.name}`;
    const found = await findInstance(client, credentials, key);
    if (!found) {
      logger.info(`instance ${where}: not there, nothing to uninstall`);
      return { outcome: 'absent' as const, ...key };
    }
    const differences: string[] = [];
    if (input.chart !== undefined && found.chart !== input.chart)
      differences.push(`chart ${found.chart}`);
    if (owner !== undefined && !sameRef(found.owner, owner))
      differences.push(`owner ${found.owner}`);
    if (differences.length > 0) {
      throw new ConflictError(
        `${where} is another app store instance, with ${differences.join(
          ', ',
        )}; nothing was removed`,
      );
    }
    const result = { ...key, chart: found.chart, owner: found.owner };
    if (dryRun) {
      logger.info(
        `instance ${where}: would uninstall ${found.chart} ${found.version} of ${found.owner}`,
      );
      return { outcome: 'would-uninstall' as const, ...result };
    }
    await client.request(
      credentials,
      'app-store',
      'DELETE',
      instancePath(key),
      {},
    );
    logger.info(
      `instance ${where}: ${found.chart} ${found.version} of ${found.owner} uninstalled`,
    );
    return { outcome: 'uninstalled' as const, ...result };
  },
});
