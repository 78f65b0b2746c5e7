import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import SvgIcon from '@material-ui/core/SvgIcon';
import { NginxClient, nginxApiRef } from './api/NginxClient';
import { rootRouteRef } from './routes';

const nginxApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: nginxApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new NginxClient(deps),
    }),
});

/** Ops' page at /nginx: clusters, domains, versions, publish and rollback. */
const nginxPage = PageBlueprint.make({
  params: {
    path: '/nginx',
    title: 'Nginx',
    routeRef: rootRouteRef,
    // two stacked servers, for the sidebar
    icon: (
      <SvgIcon>
        <path d="M20 13H4c-.55 0-1 .45-1 1v6c0 .55.45 1 1 1h16c.55 0 1-.45 1-1v-6c0-.55-.45-1-1-1zM7 19c-1.1 0-2-.9-2-2s.9-2 2-2 2 .9 2 2-.9 2-2 2zM20 3H4c-.55 0-1 .45-1 1v6c0 .55.45 1 1 1h16c.55 0 1-.45 1-1V4c0-.55-.45-1-1-1zM7 9c-1.1 0-2-.9-2-2s.9-2 2-2 2 .9 2 2-.9 2-2 2z" />
      </SvgIcon>
    ),
    loader: () =>
      import('./components/NginxAdminPage/NginxAdminPage').then(m => (
        <m.NginxAdminPage />
      )),
  },
});

/** The "Domains" tab on every Component: the service's domains. */
const domainsEntityContent = EntityContentBlueprint.make({
  name: 'domains',
  params: {
    path: '/domains',
    title: 'Domains',
    filter: entity => entity.kind.toLowerCase() === 'component',
    loader: () =>
      import('./components/EntityDomainsContent/EntityDomainsContent').then(
        m => <m.EntityDomainsContent />,
      ),
  },
});

/**
 * Nginx configuration management: the admin page and a service's domains.
 * @public
 */
export default createFrontendPlugin({
  pluginId: 'nginx',
  title: 'Nginx',
  routes: { root: rootRouteRef },
  extensions: [nginxApi, nginxPage, domainsEntityContent],
});
