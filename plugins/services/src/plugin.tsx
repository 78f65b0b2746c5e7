import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { ServicesClient, servicesApiRef } from './api/ServicesClient';

const servicesApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: servicesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ServicesClient(deps),
    }),
});

/** The "Service" tab on every Component that names its workloads. */
const serviceEntityContent = EntityContentBlueprint.make({
  name: 'service',
  params: {
    path: '/service',
    title: 'Service',
    filter: entity =>
      entity.kind.toLowerCase() === 'component' &&
      Boolean(entity.metadata.annotations?.['backstage.io/kubernetes-id']),
    loader: () =>
      import('./components/ServiceContent').then(m => <m.ServiceContent />),
  },
});

/**
 * Service management: run a service across clusters from its catalog page.
 * @public
 */
export default createFrontendPlugin({
  pluginId: 'services',
  title: 'Services',
  extensions: [servicesApi, serviceEntityContent],
});
