import { componentRef } from '../lib/entities';
import { suiteAction } from './SuiteAction';

/**
 * `container-cloud:catalog:wait`: waits until the catalog serves a Component, as the user. A
 * location `catalog:register` adds is read and processed a moment later, so the steps after it
 * that act on the new service (service:create, codeflow:create) wait for it here instead of
 * failing with "no service … in the catalog". Reads only; a dry run waits for nothing.
 */
export function createCatalogWaitAction(options: { pollIntervalMs: number }) {
  return suiteAction({
    id: 'container-cloud:catalog:wait',
    registryName: 'container-cloud-catalog-wait',
    title: 'Wait for a Component in the catalog',
    description:
      'Waits until the catalog serves a Component (e.g. one a template just registered), at most timeoutSeconds. Reads only, as the calling user.',
    input: z =>
      z.object({
        entityRef: z
          .string()
          .describe('the Component, e.g. component:default/payments-api'),
        timeoutSeconds: z
          .number()
          .int()
          .min(1)
          .max(1800)
          .default(300)
          .describe('give up after this long'),
      }),
    output: z =>
      z.object({
        entityRef: z.string(),
        found: z.boolean().describe('false only in a dry run'),
      }),
    examples: [
      {
        description: 'wait for a service the template registered',
        input: {
          entityRef: 'component:default/payments-api',
          timeoutSeconds: 300,
        },
      },
    ],
    async run({ input, credentials, dryRun, client, logger }) {
      const component = componentRef(input.entityRef);
      if (dryRun) return { entityRef: component.ref, found: false };
      const path = `/entities/by-name/component/${encodeURIComponent(
        component.namespace,
      )}/${encodeURIComponent(component.name)}`;
      const deadline = Date.now() + input.timeoutSeconds * 1000;
      let said = false;
      for (;;) {
        const { status } = await client.request(
          credentials,
          'catalog',
          'GET',
          path,
          { accept: [404] },
        );
        if (status === 200) {
          logger.info(`${component.ref} is in the catalog`);
          return { entityRef: component.ref, found: true };
        }
        if (Date.now() >= deadline) {
          throw new Error(
            `${component.ref} is not in the catalog after ${input.timeoutSeconds} s: was its catalog-info.yaml registered, and can the catalog read it?`,
          );
        }
        if (!said) {
          logger.info(`waiting for the catalog to process ${component.ref}`);
          said = true;
        }
        await new Promise(r => setTimeout(r, options.pollIntervalMs));
      }
    },
  });
}

/** The action as the module registers it: the catalog asked every 2 seconds. */
export const catalogWaitAction = createCatalogWaitAction({
  pollIntervalMs: 2000,
});
