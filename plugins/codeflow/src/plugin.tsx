import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { CodeflowClient, codeflowApiRef } from './api/CodeflowClient';

const codeflowApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: codeflowApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new CodeflowClient(deps),
    }),
});

/** The "Codeflow" tab on every Component: its codeflows, their runs and live logs. */
const codeflowEntityContent = EntityContentBlueprint.make({
  name: 'codeflow',
  params: {
    path: '/codeflow',
    title: 'Codeflow',
    filter: entity => entity.kind.toLowerCase() === 'component',
    loader: () =>
      import('./components/CodeflowTab/CodeflowTab').then(m => (
        <m.CodeflowTab />
      )),
  },
});

/**
 * Codeflows: how a service's code is built into an image and rolled out, on its catalog page.
 * @public
 */
export default createFrontendPlugin({
  pluginId: 'codeflow',
  title: 'Codeflow',
  extensions: [codeflowApi, codeflowEntityContent],
});
