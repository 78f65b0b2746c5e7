import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import NotificationsActiveIcon from '@material-ui/icons/NotificationsActive';
import { AlertsClient, alertsApiRef } from './api/AlertsClient';
import { AutoscalingClient, autoscalingApiRef } from './api/AutoscalingClient';
import { RulesClient, rulesApiRef } from './api/RulesClient';
import { rootRouteRef } from './routes';

const rulesApi = ApiBlueprint.make({
  name: 'rules',
  params: defineParams =>
    defineParams({
      api: rulesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new RulesClient(deps),
    }),
});

const alertsApi = ApiBlueprint.make({
  name: 'alerts',
  params: defineParams =>
    defineParams({
      api: alertsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AlertsClient(deps),
    }),
});

const autoscalingApi = ApiBlueprint.make({
  name: 'autoscaling',
  params: defineParams =>
    defineParams({
      api: autoscalingApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AutoscalingClient(deps),
    }),
});

/** Ops' page at /alerts: every alert and rule, and the receivers. */
const alertsPage = PageBlueprint.make({
  params: {
    path: '/alerts',
    title: 'Alerts',
    routeRef: rootRouteRef,
    icon: <NotificationsActiveIcon />,
    loader: () =>
      import('./components/AlertsPage/AlertsPage').then(m => <m.AlertsPage />),
  },
});

/** The "Alerts" tab on a Component: firing alerts, silences, rules and autoscaling. */
const alertsEntityContent = EntityContentBlueprint.make({
  name: 'alerts',
  params: {
    path: '/alerts',
    title: 'Alerts',
    filter: entity => entity.kind.toLowerCase() === 'component',
    loader: () =>
      import('./components/EntityAlertsContent/EntityAlertsContent').then(m => (
        <m.EntityAlertsContent />
      )),
  },
});

/**
 * Alerting and autoscaling: a service's rules, alerts, silences and autoscaling on its page, and
 * ops' alerts page.
 * @public
 */
export default createFrontendPlugin({
  pluginId: 'alerts',
  title: 'Alerts',
  routes: { root: rootRouteRef },
  extensions: [
    rulesApi,
    alertsApi,
    autoscalingApi,
    alertsPage,
    alertsEntityContent,
  ],
});
