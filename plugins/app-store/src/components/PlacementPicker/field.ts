import type { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { appStoreApiRef } from '../../api/AppStoreClient';
import { ContainerCloudPlacementPicker } from './ContainerCloudPlacementPicker';
import {
  placementProblem,
  placementsOf,
  type PlacementPickerUiOptions,
  type PlacementValue,
} from './placements';

/** The field's name in templates: `ui:field: ContainerCloudPlacementPicker`. */
export const PLACEMENT_PICKER_NAME = 'ContainerCloudPlacementPicker';

/**
 * Checks the chosen placement against the user's targets again when the step is submitted (the
 * backend checks it once more on install): a namespace Kubernetes refuses, or a placement the
 * owner's binding does not cover, is an error on the field.
 */
export const validatePlacement: CustomFieldValidator<
  PlacementValue | undefined,
  PlacementPickerUiOptions
> = async (value, validation, context) => {
  const api = context.apiHolder.get(appStoreApiRef);
  const ownerParameter =
    context.uiSchema?.['ui:options']?.ownerParameter ?? 'owner';
  const owner = context.formData[ownerParameter];
  const targets = api ? await api.targets() : { items: [] };
  const problem = placementProblem(
    value,
    placementsOf(targets, typeof owner === 'string' ? owner : undefined),
  );
  if (problem) validation.addError(problem);
};

/** The scaffolder field extension. */
export const placementPickerField = createFormField({
  name: PLACEMENT_PICKER_NAME,
  component: ContainerCloudPlacementPicker,
  validation: validatePlacement,
});
