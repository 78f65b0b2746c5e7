/**
 * The plugin for apps on Backstage's legacy frontend system: add the API factory through the
 * plugin and route `<AppStorePage />` at a path such as `/app-store`.
 *
 * @packageDocumentation
 */
import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { AppStoreClient, appStoreApiRef } from './api/AppStoreClient';

/** The App store page's route; bind it to a path such as `/app-store`. @public */
export const appStoreRouteRef = createRouteRef({ id: 'app-store' });

/** @public */
export const appStorePlugin = createPlugin({
  id: 'app-store',
  routes: { root: appStoreRouteRef },
  apis: [
    createApiFactory({
      api: appStoreApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AppStoreClient(deps),
    }),
  ],
});

/** The App store page (catalogue, instances, admin), for a route such as `/app-store`. @public */
export const AppStorePage: () => JSX.Element = appStorePlugin.provide(
  createRoutableExtension({
    name: 'AppStorePage',
    mountPoint: appStoreRouteRef,
    component: () =>
      import('./components/AppStorePage/AppStorePage').then(
        m => m.AppStorePage,
      ),
  }),
);
