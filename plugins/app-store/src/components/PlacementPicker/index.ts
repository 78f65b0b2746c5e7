export { ContainerCloudPlacementPicker } from './ContainerCloudPlacementPicker';
export {
  PLACEMENT_PICKER_NAME,
  placementPickerField,
  validatePlacement,
} from './field';
export type { PlacementPickerUiOptions, PlacementValue } from './placements';
