import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { CMDB_PROVIDER_ANNOTATION } from '../lib/planSync';
import { CmdbEntityProvider } from '../providers/CmdbEntityProvider';
import { readCmdbProviderConfigs } from '../providers/CmdbEntityProviderConfig';

/**
 * Registers one CMDB entity provider per `catalog.providers.cmdb.<id>` block.
 * @public
 */
export const catalogModuleCmdbEntityProvider = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'cmdb-entity-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        lifecycle: coreServices.lifecycle,
        catalogApi: catalogServiceRef,
      },
      async init({
        catalog,
        config,
        logger,
        scheduler,
        auth,
        lifecycle,
        catalogApi,
      }) {
        // The catalog answers only once the backend has started; the first sync waits for that.
        let markStarted: () => void;
        const started = new Promise<void>(resolve => {
          markStarted = resolve;
        });
        lifecycle.addStartupHook(() => markStarted());

        async function* loadKnownEntities(providerId: string) {
          await started;
          const credentials = await auth.getOwnServiceCredentials();
          let cursor: string | undefined;
          do {
            const page = await catalogApi.queryEntities(
              cursor
                ? { cursor, limit: 1000 }
                : {
                    filter: {
                      [`metadata.annotations.${CMDB_PROVIDER_ANNOTATION}`]:
                        providerId,
                    },
                    fields: [
                      'kind',
                      'metadata.name',
                      'metadata.namespace',
                      'metadata.title',
                      'metadata.annotations',
                    ],
                    limit: 1000,
                  },
              { credentials },
            );
            yield* page.items as Entity[];
            cursor = page.pageInfo.nextCursor;
          } while (cursor);
        }

        /** How many of `entityRefs` the catalog serves: paces a first load to the catalog. */
        async function catalogProgress(entityRefs: string[]) {
          const credentials = await auth.getOwnServiceCredentials();
          const { items } = await catalogApi.getEntitiesByRefs(
            { entityRefs, fields: ['kind'] },
            { credentials },
          );
          return items.filter(Boolean).length;
        }

        for (const providerConfig of readCmdbProviderConfigs(config)) {
          catalog.addEntityProvider(
            CmdbEntityProvider.fromConfig(providerConfig, {
              logger,
              scheduler,
              loadKnownEntities,
              catalogProgress,
            }),
          );
        }
      },
    });
  },
});
