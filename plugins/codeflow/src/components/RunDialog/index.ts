export { RunDialog } from './RunDialog';
