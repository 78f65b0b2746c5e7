/**
 * The plugin for apps on Backstage's legacy frontend system: route `<NginxPage />` (e.g. at
 * `/nginx`) and put `<EntityDomainsContent />` on the entity page.
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
import { NginxClient, nginxApiRef } from './api/NginxClient';

const legacyRootRouteRef = createRouteRef({ id: 'nginx' });

/** @public */
export const nginxPlugin = createPlugin({
  id: 'nginx',
  routes: { root: legacyRootRouteRef },
  apis: [
    createApiFactory({
      api: nginxApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new NginxClient(deps),
    }),
  ],
});

/** The admin page. @public */
export const NginxPage: () => JSX.Element = nginxPlugin.provide(
  createRoutableExtension({
    name: 'NginxPage',
    mountPoint: legacyRootRouteRef,
    component: () =>
      import('./components/NginxAdminPage/NginxAdminPage').then(
        m => m.NginxAdminPage,
      ),
  }),
);

/** The Domains tab's content, for an entity page route such as `/domains`. @public */
export const EntityDomainsContent: () => JSX.Element = nginxPlugin.provide(
  createComponentExtension({
    name: 'EntityDomainsContent',
    component: {
      lazy: () =>
        import('./components/EntityDomainsContent/EntityDomainsContent').then(
          m => m.EntityDomainsContent,
        ),
    },
  }),
);

export * from './api/NginxClient';
