import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import StorageIcon from '@material-ui/icons/Storage';
import { ConfigFilesClient, configFilesApiRef } from './api/ConfigFilesClient';
import { VolumesClient, volumesApiRef } from './api/VolumesClient';
import { rootRouteRef } from './routes';

const volumesApi = ApiBlueprint.make({
  name: 'volumes',
  params: defineParams =>
    defineParams({
      api: volumesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new VolumesClient(deps),
    }),
});

const configFilesApi = ApiBlueprint.make({
  name: 'config-files',
  params: defineParams =>
    defineParams({
      api: configFilesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ConfigFilesClient(deps),
    }),
});

/** Ops' page at /storage: every volume in every cluster. */
const storagePage = PageBlueprint.make({
  params: {
    path: '/storage',
    title: 'Storage',
    routeRef: rootRouteRef,
    icon: <StorageIcon />,
    loader: () =>
      import('./components/StorageAdminPage/StorageAdminPage').then(m => (
        <m.StorageAdminPage />
      )),
  },
});

/** The "Storage" tab on every Component: its volumes. */
const storageEntityContent = EntityContentBlueprint.make({
  name: 'storage',
  params: {
    path: '/storage',
    title: 'Storage',
    filter: entity => entity.kind.toLowerCase() === 'component',
    loader: () =>
      import('./components/StorageTab/StorageTab').then(m => <m.StorageTab />),
  },
});

/** The "Config files" tab on every Component: its config file sets. */
const configFilesEntityContent = EntityContentBlueprint.make({
  name: 'config-files',
  params: {
    path: '/config-files',
    title: 'Config files',
    filter: entity => entity.kind.toLowerCase() === 'component',
    loader: () =>
      import('./components/ConfigFilesTab/ConfigFilesTab').then(m => (
        <m.ConfigFilesTab />
      )),
  },
});

/**
 * Volumes and config files: a service's on its catalog page, every volume on the admin page.
 * @public
 */
export default createFrontendPlugin({
  pluginId: 'storage',
  title: 'Storage',
  routes: { root: rootRouteRef },
  extensions: [
    volumesApi,
    configFilesApi,
    storagePage,
    storageEntityContent,
    configFilesEntityContent,
  ],
});
