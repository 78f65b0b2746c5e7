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
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { ServicesClient, servicesApiRef } from './api/ServicesClient';
import { ShellClient, shellApiRef } from './api/ShellClient';
import { DebugClient, debugApiRef } from './api/DebugClient';
import { ImageTagsClient, imageTagsApiRef } from './api/ImageTagsClient';
import {
  EveryClusterClient,
  everyClusterApiRef,
} from './api/EveryClusterClient';

const backendDeps = { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef };

/** The Services page's route; bind it to a path such as `/services`. @public */
export const servicesRouteRef = createRouteRef({ id: 'services' });

/** @public */
export const servicesPlugin = createPlugin({
  id: 'services',
  routes: { root: servicesRouteRef },
  apis: [
    createApiFactory({
      api: servicesApiRef,
      deps: backendDeps,
      factory: deps => new ServicesClient(deps),
    }),
    createApiFactory({
      api: shellApiRef,
      deps: backendDeps,
      factory: deps => new ShellClient(deps),
    }),
    createApiFactory({
      api: debugApiRef,
      deps: backendDeps,
      factory: deps => new DebugClient(deps),
    }),
    createApiFactory({
      api: imageTagsApiRef,
      deps: backendDeps,
      factory: deps => new ImageTagsClient(deps),
    }),
    createApiFactory({
      api: everyClusterApiRef,
      deps: backendDeps,
      factory: deps => new EveryClusterClient(deps),
    }),
  ],
});

/** The Service tab's content, for an entity page route such as `/service`. @public */
export const EntityServiceContent: () => JSX.Element | null =
  servicesPlugin.provide(
    createComponentExtension({
      name: 'EntityServiceContent',
      component: {
        lazy: () =>
          import('./components/ServiceContent').then(m => m.ServiceContent),
      },
    }),
  );

/** The Services page (every service and its replicas), for a route such as `/services`. @public */
export const ServicesPage: () => JSX.Element = servicesPlugin.provide(
  createRoutableExtension({
    name: 'ServicesPage',
    mountPoint: servicesRouteRef,
    component: () =>
      import('./components/ServicesPage').then(m => m.ServicesPage),
  }),
);

export * from './api/ServicesClient';
export * from './api/ShellClient';
export * from './api/DebugClient';
export * from './api/ImageTagsClient';
export * from './api/EveryClusterClient';
