/**
 * The Container Cloud permission policy, as a permission backend module.
 *
 * @packageDocumentation
 */

export { permissionModuleContainerCloudPolicy as default } from './module';
export { ContainerCloudPermissionPolicy } from './policy/ContainerCloudPermissionPolicy';
export {
  readContainerCloudPolicyConfig,
  type ContainerCloudPolicyConfig,
} from './policy/ContainerCloudPolicyConfig';
export type { ContainerCloudPolicyRule } from './policy/rules';
