import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import StorefrontIcon from '@material-ui/icons/Storefront';
import { AppStoreClient, appStoreApiRef } from './api/AppStoreClient';
import { rootRouteRef } from './routes';

const appStoreApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: appStoreApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AppStoreClient(deps),
    }),
});

/** The App store page: charts, install forms, instances, and ops' admin view. */
const appStorePage = PageBlueprint.make({
  params: {
    path: '/app-store',
    title: 'App store',
    routeRef: rootRouteRef,
    icon: <StorefrontIcon />,
    loader: () =>
      import('./components/AppStorePage/AppStorePage').then(m => (
        <m.AppStorePage />
      )),
  },
});

/**
 * The scaffolder field `ContainerCloudPlacementPicker`: the cluster and namespace an app store
 * instance may go to, for the owner chosen in the template (examples/templates/app-store.yaml).
 */
const placementPickerFormField = FormFieldBlueprint.make({
  name: 'container-cloud-placement-picker',
  params: {
    field: () =>
      import('./components/PlacementPicker').then(m => m.placementPickerField),
  },
});

/**
 * The app store: MySQL, Redis, ZooKeeper, Kafka and any chart of the configured repositories,
 * installed for test environments from a page.
 * @public
 */
export default createFrontendPlugin({
  pluginId: 'app-store',
  title: 'App store',
  routes: { root: rootRouteRef },
  extensions: [appStoreApi, appStorePage, placementPickerFormField],
});
