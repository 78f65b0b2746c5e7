import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { SvgIcon } from '@material-ui/core';
import { ServicesClient, servicesApiRef } from './api/ServicesClient';
import { ShellClient, shellApiRef } from './api/ShellClient';
import { DebugClient, debugApiRef } from './api/DebugClient';
import { ImageTagsClient, imageTagsApiRef } from './api/ImageTagsClient';
import {
  EveryClusterClient,
  everyClusterApiRef,
} from './api/EveryClusterClient';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-container-cloud-common';
import { rootRouteRef } from './routes';

const servicesApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: servicesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ServicesClient(deps),
    }),
});

const shellApi = ApiBlueprint.make({
  name: 'shell',
  params: defineParams =>
    defineParams({
      api: shellApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ShellClient(deps),
    }),
});

const debugApi = ApiBlueprint.make({
  name: 'debug',
  params: defineParams =>
    defineParams({
      api: debugApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new DebugClient(deps),
    }),
});

const imageTagsApi = ApiBlueprint.make({
  name: 'image-tags',
  params: defineParams =>
    defineParams({
      api: imageTagsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ImageTagsClient(deps),
    }),
});

const everyClusterApi = ApiBlueprint.make({
  name: 'every-cluster',
  params: defineParams =>
    defineParams({
      api: everyClusterApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new EveryClusterClient(deps),
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
      Boolean(entity.metadata.annotations?.[KUBERNETES_ID_LABEL]),
    loader: () =>
      import('./components/ServiceContent').then(m => <m.ServiceContent />),
  },
});

/** The Services page: every service and its replicas, mine or all. */
const servicesPage = PageBlueprint.make({
  params: {
    path: '/services',
    title: 'Services',
    // the sidebar shows a page only when it has a route ref
    routeRef: rootRouteRef,
    // a list, for the sidebar
    icon: (
      <SvgIcon>
        <path d="M3 13h2v-2H3v2zm0 4h2v-2H3v2zm0-8h2V7H3v2zm4 4h14v-2H7v2zm0 4h14v-2H7v2zM7 7v2h14V7H7z" />
      </SvgIcon>
    ),
    loader: () =>
      import('./components/ServicesPage').then(m => <m.ServicesPage />),
  },
});

/**
 * The scaffolder field `ContainerCloudDeployTargetPicker`: the clusters and namespaces a new
 * service may run in, for the owner group chosen in the template (the golden-path templates).
 */
const deployTargetPickerFormField = FormFieldBlueprint.make({
  name: 'container-cloud-deploy-target-picker',
  params: {
    field: () =>
      import('./components/DeployTargetPicker').then(
        m => m.deployTargetPickerField,
      ),
  },
});

/**
 * Service management: run a service across clusters from its catalog page.
 * @public
 */
export default createFrontendPlugin({
  pluginId: 'services',
  title: 'Services',
  routes: { root: rootRouteRef },
  extensions: [
    servicesApi,
    shellApi,
    debugApi,
    imageTagsApi,
    everyClusterApi,
    serviceEntityContent,
    servicesPage,
    deployTargetPickerFormField,
  ],
});
