import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { ContainerCloudPermissionPolicy } from './policy/ContainerCloudPermissionPolicy';
import { readContainerCloudPolicyConfig } from './policy/ContainerCloudPolicyConfig';

/**
 * Installs the Container Cloud permission policy into the permission backend.
 * @public
 */
export const permissionModuleContainerCloudPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'container-cloud-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        policy: policyExtensionPoint,
      },
      async init({ config, logger, policy }) {
        const policyConfig = readContainerCloudPolicyConfig(config);
        if (policyConfig.opsAdminGroups.length === 0) {
          logger.warn(
            'containerCloud.permissions.opsAdminGroups is empty: only entity owners can operate services',
          );
        }
        policy.setPolicy(new ContainerCloudPermissionPolicy(policyConfig));
      },
    });
  },
});
