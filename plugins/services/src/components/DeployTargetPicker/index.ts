export { ContainerCloudDeployTargetPicker } from './ContainerCloudDeployTargetPicker';
export {
  DEPLOY_TARGET_PICKER_NAME,
  deployTargetPickerField,
  validateDeployTargets,
} from './field';
export type {
  DeployTargetPickerUiOptions,
  DeployTargetValue,
} from './deployTargets';
