import { createBackendModule } from '@backstage/backend-plugin-api';

/**
 * The suite's operations as scaffolder actions (`container-cloud:*`), each acting as the user who
 * runs the template, under the permission and audit of the page operation it stands for.
 * @public
 */
export const scaffolderModuleContainerCloud = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'container-cloud',
  register(env) {
    env.registerInit({
      deps: {},
      async init() {},
    });
  },
});
