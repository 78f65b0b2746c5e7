import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import CloudIcon from '@material-ui/icons/Cloud';
import HistoryIcon from '@material-ui/icons/History';
import BarChartIcon from '@material-ui/icons/BarChart';
import { AuditClient, auditApiRef } from './api/AuditClient';
import { ClustersClient, clustersApiRef } from './api/ClustersClient';
import { MeteringClient, meteringApiRef } from './api/MeteringClient';
import { auditRouteRef, meteringRouteRef, rootRouteRef } from './routes';

const clustersApi = ApiBlueprint.make({
  name: 'clusters',
  params: defineParams =>
    defineParams({
      api: clustersApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ClustersClient(deps),
    }),
});

const meteringApi = ApiBlueprint.make({
  name: 'metering',
  params: defineParams =>
    defineParams({
      api: meteringApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MeteringClient(deps),
    }),
});

const auditApi = ApiBlueprint.make({
  name: 'audit',
  params: defineParams =>
    defineParams({
      api: auditApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AuditClient(deps),
    }),
});

/** Ops' page at /clusters: every cluster's health and capacity, and failover. */
const clustersPage = PageBlueprint.make({
  params: {
    path: '/clusters',
    title: 'Clusters',
    routeRef: rootRouteRef,
    icon: <CloudIcon />,
    loader: () =>
      import('./components/ClustersPage/ClustersPage').then(m => (
        <m.ClustersPage />
      )),
  },
});

/** The page at /metering: requested vs used per team and service. */
const meteringPage = PageBlueprint.make({
  name: 'metering',
  params: {
    path: '/metering',
    title: 'Metering',
    routeRef: meteringRouteRef,
    icon: <BarChartIcon />,
    loader: () =>
      import('./components/MeteringPage/MeteringPage').then(m => (
        <m.MeteringPage />
      )),
  },
});

/** Ops' page at /audit: the suite's audit log, searchable. */
const auditPage = PageBlueprint.make({
  name: 'audit',
  params: {
    path: '/audit',
    title: 'Audit log',
    routeRef: auditRouteRef,
    icon: <HistoryIcon />,
    loader: () =>
      import('./components/AuditPage/AuditPage').then(m => <m.AuditPage />),
  },
});

/** The "Audit" tab on a Component: its own audit trail, for its owners. */
const auditEntityContent = EntityContentBlueprint.make({
  name: 'audit',
  params: {
    path: '/audit',
    title: 'Audit',
    filter: entity => entity.kind.toLowerCase() === 'component',
    loader: () =>
      import('./components/EntityAuditContent/EntityAuditContent').then(m => (
        <m.EntityAuditContent />
      )),
  },
});

/** The "Metering" tab on a Group: its team's numbers. */
const meteringEntityContent = EntityContentBlueprint.make({
  name: 'metering',
  params: {
    path: '/metering',
    title: 'Metering',
    filter: entity => entity.kind.toLowerCase() === 'group',
    loader: () =>
      import('./components/GroupMeteringContent/GroupMeteringContent').then(
        m => <m.GroupMeteringContent />,
      ),
  },
});

/**
 * Ops' admin pages: clusters and failover, metering, and the audit log.
 * @public
 */
export default createFrontendPlugin({
  pluginId: 'clusters',
  title: 'Clusters',
  routes: {
    root: rootRouteRef,
    metering: meteringRouteRef,
    audit: auditRouteRef,
  },
  extensions: [
    clustersApi,
    meteringApi,
    auditApi,
    clustersPage,
    meteringPage,
    auditPage,
    auditEntityContent,
    meteringEntityContent,
  ],
});
