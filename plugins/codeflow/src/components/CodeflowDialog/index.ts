export { CodeflowDialog } from './CodeflowDialog';
