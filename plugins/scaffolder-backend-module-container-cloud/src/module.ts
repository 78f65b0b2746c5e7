import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { suiteActions } from './actions';
import { registerSuiteAction, scaffolderAction } from './actions/adapters';
import { createPublishLocalGitAction } from './actions/publishLocalGitAction';
import { localGitServerFromConfig } from './actions/publishLocalGitServer';
import { SuiteClient } from './lib/SuiteClient';

/**
 * The suite's operations as scaffolder actions (`container-cloud:*`) and in the actions registry
 * (`container-cloud-*`, for MCP clients), each acting as the user who runs the template or calls
 * the action, under the permission and audit of the page operation it stands for.
 * @public
 */
export const scaffolderModuleContainerCloud = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'container-cloud',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        actionsRegistry: actionsRegistryServiceRef,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, actionsRegistry, discovery, auth, config }) {
        const deps = {
          client: new SuiteClient({ discovery, auth }),
          appBaseUrl: config.getString('app.baseUrl'),
        };
        for (const action of suiteActions) {
          scaffolder.addActions(scaffolderAction(action, deps));
          registerSuiteAction(actionsRegistry, action, deps);
        }
        // local cloud only (it needs the template's workspace: no actions-registry twin)
        scaffolder.addActions(
          createPublishLocalGitAction({
            server: localGitServerFromConfig(config),
          }),
        );
      },
    });
  },
});
