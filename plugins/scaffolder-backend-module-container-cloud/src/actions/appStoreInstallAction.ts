import { ConflictError, InputError } from '@backstage/errors';
import {
  APP_STORE_ENVIRONMENTS,
  APP_STORE_PRESETS,
  ChartList,
  InstanceDetail,
  instanceAttachSchema,
  instanceInstallSchema,
} from '@internal/plugin-container-cloud-common';
import { componentRef } from '../lib/entities';
import {
  connectionOutputs,
  findInstance,
  instanceKey,
  instancePageUrl,
  instancePath,
  ownerRef,
  sameRef,
  waitForReady,
} from './appStoreShared';
import { parseContract, suiteAction } from './SuiteAction';

/**
 * `container-cloud:app-store:install`: a chart of the app store (MySQL, Redis, ZooKeeper, Kafka,
 * or any chart of a configured repository) installed as an instance owned by a Component or a
 * Group, through the app-store backend as the user (its install permission, its binding check on
 * the placement, its audit). Idempotent: an instance of that name with the same chart, owner and
 * environment is `unchanged` and gives the same connection details; another one fails the step
 * and nothing is changed. Optionally waits until Ready (bounded, progress in the step log) and
 * attaches the connection details to a service's environment.
 */
export const appStoreInstallAction = suiteAction({
  id: 'container-cloud:app-store:install',
  registryName: 'container-cloud-app-store-install',
  title: 'Install an app store instance',
  description:
    'Installs a chart of the app store (e.g. redis, mysql) as an instance owned by a Component or Group, in a cluster and namespace its binding covers, waits until it is ready and optionally attaches its connection details (host, port, user, password as a Secret reference) to a service. Acts as the calling user, under the app store install permission; idempotent; a dry run installs nothing. Outputs never contain the password, only the Secret holding it.',
  input: z =>
    z.object({
      chart: z.string().describe('the chart, e.g. redis or mysql'),
      repository: z
        .string()
        .optional()
        .describe('the chart repository (default: the one holding the chart)'),
      version: z
        .string()
        .optional()
        .describe("the chart's version (default: the newest)"),
      owner: z
        .string()
        .describe(
          'the owning Component or Group, e.g. component:default/payments-api',
        ),
      cluster: z.string().describe('a cluster the owner is placed in'),
      namespace: z.string().describe('a namespace the owner is placed in'),
      name: z.string().describe("the instance's (Helm release's) name"),
      preset: z.enum(APP_STORE_PRESETS).default('small'),
      storage: z.string().optional().describe('storage size, e.g. 8Gi'),
      environment: z.enum(APP_STORE_ENVIRONMENTS).default('test'),
      expiresInDays: z
        .number()
        .int()
        .optional()
        .describe('days until a test instance is removed (default: 7)'),
      attachTo: z
        .object({
          service: z
            .string()
            .describe('the Component whose environment gets the details'),
          prefix: z
            .string()
            .describe('the variables’ prefix, e.g. REDIS_ (REDIS_HOST, …)'),
        })
        .optional()
        .describe(
          "once ready, put the connection details into this service's environment",
        ),
      waitForReady: z
        .boolean()
        .default(true)
        .describe('wait until the instance is ready (always, with attachTo)'),
      readyTimeoutSeconds: z
        .number()
        .int()
        .min(10)
        .max(1800)
        .default(300)
        .describe('how long to wait for ready'),
    }),
  output: z =>
    z.object({
      outcome: z.enum(['installed', 'unchanged', 'would-install']),
      cluster: z.string(),
      namespace: z.string(),
      name: z.string(),
      repository: z.string(),
      chart: z.string(),
      version: z.string(),
      owner: z.string(),
      phase: z.string().describe('installing, ready, failed …'),
      host: z.string().optional(),
      port: z.number().optional(),
      user: z.string().optional(),
      passwordSecret: z
        .string()
        .optional()
        .describe('the Secret holding the password (never the password)'),
      passwordSecretKey: z.string().optional(),
      expiresAt: z.string().optional(),
      attachedTo: z
        .string()
        .optional()
        .describe('the service whose environment got the details'),
      variables: z
        .array(z.string())
        .optional()
        .describe("the variables set in the service's environment"),
      instanceUrl: z.string().describe("the instance's App store page"),
    }),
  examples: [
    {
      description: 'a Redis for payments-api in local-a, attached as REDIS_*',
      input: {
        chart: 'redis',
        owner: 'component:default/payments-api',
        cluster: 'local-a',
        namespace: 'payments',
        name: 'payments-cache',
        preset: 'small',
        environment: 'test',
        expiresInDays: 7,
        attachTo: {
          service: 'component:default/payments-api',
          prefix: 'REDIS_',
        },
      },
    },
  ],
  async run({ input, credentials, dryRun, client, logger, appBaseUrl }) {
    const key = instanceKey(input);
    const owner = ownerRef('owner', input.owner);
    const attach = input.attachTo
      ? parseContract(
          instanceAttachSchema,
          {
            service: componentRef(input.attachTo.service).ref,
            prefix: input.attachTo.prefix,
          },
          'attachTo',
        )
      : undefined;
    const where = `${key.cluster}/${key.namespace}/${key.name}`;
    const instanceUrl = instancePageUrl(appBaseUrl, key);

    /** What differs between the instance found and the one asked for (nothing: the same). */
    const differences = (found: InstanceDetail) => {
      const problems: string[] = [];
      if (found.chart !== input.chart) problems.push(`chart ${found.chart}`);
      if (input.repository && found.repository !== input.repository)
        problems.push(`repository ${found.repository}`);
      if (input.version && found.version !== input.version)
        problems.push(`version ${found.version}`);
      if (!sameRef(found.owner, owner)) problems.push(`owner ${found.owner}`);
      if (found.environment !== input.environment)
        problems.push(`environment ${found.environment}`);
      return problems;
    };
    const refuseOther = (found: InstanceDetail) =>
      new ConflictError(
        `${where} is an app store instance already, with ${differences(
          found,
        ).join(
          ', ',
        )}; nothing was changed: upgrade or remove it on its App store page, or choose another name`,
      );

    const outputs = (
      outcome: 'installed' | 'unchanged',
      detail: InstanceDetail,
    ) => ({
      outcome,
      ...key,
      repository: detail.repository,
      chart: detail.chart,
      version: detail.version,
      owner: detail.owner,
      phase: detail.phase,
      ...connectionOutputs(detail),
      ...(detail.expiresAt ? { expiresAt: detail.expiresAt } : {}),
      instanceUrl,
    });

    /** Ready (when asked), attached (when asked), and the outputs. */
    const finish = async (
      outcome: 'installed' | 'unchanged',
      detail: InstanceDetail,
    ) => {
      const current =
        input.waitForReady || attach
          ? await waitForReady({
              client,
              credentials,
              key,
              logger,
              timeoutSeconds: input.readyTimeoutSeconds,
            })
          : (await findInstance(client, credentials, key)) ?? detail;
      let variables: string[] | undefined;
      if (attach) {
        const { body: attached } = await client.request<{
          variables?: string[];
          notes?: string[];
        }>(credentials, 'app-store', 'POST', `${instancePath(key)}/attach`, {
          body: attach,
        });
        variables = attached?.variables;
        // what the backend could not set, and why (e.g. where the password is to be read from)
        for (const note of attached?.notes ?? []) {
          logger.warn(`instance ${where}: ${note}`);
        }
        logger.info(
          `instance ${where}: connection details attached to ${attach.service}${
            variables?.length ? ` as ${variables.join(', ')}` : ''
          }`,
        );
      }
      return {
        ...outputs(outcome, current),
        ...(attach ? { attachedTo: attach.service } : {}),
        ...(variables ? { variables } : {}),
      };
    };

    const existing = await findInstance(client, credentials, key);
    if (existing) {
      if (differences(existing).length > 0) throw refuseOther(existing);
      logger.info(
        `instance ${where}: ${existing.chart} ${existing.version} of ${existing.owner} is there already (${existing.phase})`,
      );
      if (dryRun) return outputs('unchanged', existing);
      return finish('unchanged', existing);
    }

    // which repository and version: the newest of the chart, unless named
    const { body: charts } = await client.request<ChartList>(
      credentials,
      'app-store',
      'GET',
      '/charts',
    );
    const candidates = charts.items.filter(
      c =>
        c.name === input.chart &&
        (!input.repository || c.repository === input.repository),
    );
    const chart = candidates[0];
    if (!chart) {
      const unreadable = charts.repositories.filter(r => !r.ok);
      throw new InputError(
        `chart: no chart '${input.chart}'${
          input.repository ? ` in repository '${input.repository}'` : ''
        } in the app store; it offers: ${
          [...new Set(charts.items.map(c => c.name))].join(', ') || 'nothing'
        }${
          unreadable.length
            ? ` (unreadable: ${unreadable
                .map(r => `${r.name}: ${r.error ?? 'error'}`)
                .join('; ')})`
            : ''
        }`,
      );
    }
    // a form's empty field is no version: the newest
    const version = input.version || chart.versions[0]?.version;
    if (!version) {
      throw new InputError(
        `version: chart '${chart.name}' of repository '${chart.repository}' has no version`,
      );
    }
    const body = parseContract(
      instanceInstallSchema,
      {
        repository: chart.repository,
        chart: chart.name,
        version,
        ...key,
        owner,
        environment: input.environment,
        preset: input.preset,
        ...(input.storage ? { storage: input.storage } : {}),
        ...(input.expiresInDays !== undefined
          ? { expiresInDays: input.expiresInDays }
          : {}),
        ...(dryRun ? { dryRun: true } : {}),
      },
      'install',
    );

    if (dryRun) {
      // the backend renders and checks it with the apiserver's dry run: nothing is installed
      await client.request(credentials, 'app-store', 'POST', '/instances', {
        body,
      });
      logger.info(
        `instance ${where}: would install ${body.chart} ${
          body.version
        } for ${owner}${attach ? `, then attach it to ${attach.service}` : ''}`,
      );
      return {
        outcome: 'would-install' as const,
        ...key,
        repository: body.repository,
        chart: body.chart,
        version: body.version,
        owner,
        phase: 'not installed',
        instanceUrl,
      };
    }

    let installed: InstanceDetail;
    try {
      installed = (
        await client.request<InstanceDetail>(
          credentials,
          'app-store',
          'POST',
          '/instances',
          { body },
        )
      ).body;
    } catch (error) {
      // another run (or person) installed that name in the meantime: the same one is unchanged
      if (!(error instanceof ConflictError)) throw error;
      const now = await findInstance(client, credentials, key);
      if (!now || differences(now).length > 0) throw error;
      return finish('unchanged', now);
    }
    logger.info(
      `instance ${where}: ${body.chart} ${body.version} installing for ${owner}`,
    );
    return finish('installed', installed);
  },
});
