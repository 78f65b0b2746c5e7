import type { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { servicesApiRef } from '../../api/ServicesClient';
import { ContainerCloudDeployTargetPicker } from './ContainerCloudDeployTargetPicker';
import {
  deployTargetsProblem,
  ownerGroupRef,
  targetsOf,
  type DeployTargetPickerUiOptions,
  type DeployTargetValue,
} from './deployTargets';

/** The field's name in templates: `ui:field: ContainerCloudDeployTargetPicker`. */
export const DEPLOY_TARGET_PICKER_NAME = 'ContainerCloudDeployTargetPicker';

/**
 * Checks the chosen placements when the step is submitted: at least one, each a deploy target of
 * the owner (the template's first step asks the backend once more before it creates anything).
 */
export const validateDeployTargets: CustomFieldValidator<
  DeployTargetValue[] | undefined,
  DeployTargetPickerUiOptions
> = async (value, validation, context) => {
  const ownerField = context.uiSchema?.['ui:options']?.ownerField ?? 'owner';
  const owner = ownerGroupRef(context.formData[ownerField]);
  if (!owner) {
    validation.addError('choose the owner first');
    return;
  }
  const api = context.apiHolder.get(servicesApiRef);
  const targets = api ? await api.getDeployTargets(owner) : { items: [] };
  const problem = deployTargetsProblem(value, targetsOf(targets, owner), owner);
  if (problem) validation.addError(problem);
};

/** The scaffolder field extension. */
export const deployTargetPickerField = createFormField({
  name: DEPLOY_TARGET_PICKER_NAME,
  component: ContainerCloudDeployTargetPicker,
  validation: validateDeployTargets,
});
