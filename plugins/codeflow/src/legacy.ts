/**
 * The plugin for apps on Backstage's legacy frontend system: add the API factory through the
 * plugin and put `<EntityCodeflowContent />` on a Component's page, e.g. as a "Codeflow" tab.
 *
 * @packageDocumentation
 */
import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { CodeflowClient, codeflowApiRef } from './api/CodeflowClient';

/** @public */
export const codeflowPlugin = createPlugin({
  id: 'codeflow',
  apis: [
    createApiFactory({
      api: codeflowApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new CodeflowClient(deps),
    }),
  ],
});

/** A Component's codeflows, runs and live logs, for an entity page's tab. @public */
export const EntityCodeflowContent: () => JSX.Element = codeflowPlugin.provide(
  createComponentExtension({
    name: 'EntityCodeflowContent',
    component: {
      lazy: () =>
        import('./components/CodeflowTab/CodeflowTab').then(m => m.CodeflowTab),
    },
  }),
);
