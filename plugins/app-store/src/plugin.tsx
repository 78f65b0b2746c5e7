import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import StorefrontIcon from '@material-ui/icons/Storefront';
import { rootRouteRef } from './routes';

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
 * The app store: MySQL, Redis, ZooKeeper, Kafka and any chart of the configured repositories,
 * installed for test environments from a page.
 * @public
 */
export default createFrontendPlugin({
  pluginId: 'app-store',
  title: 'App store',
  routes: { root: rootRouteRef },
  extensions: [appStorePage],
});
