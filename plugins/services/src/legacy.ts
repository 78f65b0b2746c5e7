/**
 * The plugin for apps on Backstage's legacy frontend system: add the API factory through the
 * plugin and put `<EntityServiceContent />` on the entity page.
 *
 * @packageDocumentation
 */
import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { ServicesClient, servicesApiRef } from './api/ServicesClient';

/** @public */
export const servicesPlugin = createPlugin({
  id: 'services',
  apis: [
    createApiFactory({
      api: servicesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ServicesClient(deps),
    }),
  ],
});

/** The Service tab's content, for an entity page route such as `/service`. @public */
export const EntityServiceContent = servicesPlugin.provide(
  createComponentExtension({
    name: 'EntityServiceContent',
    component: {
      lazy: () =>
        import('./components/ServiceContent').then(m => m.ServiceContent),
    },
  }),
);

export { servicesApiRef, ServicesClient } from './api/ServicesClient';
