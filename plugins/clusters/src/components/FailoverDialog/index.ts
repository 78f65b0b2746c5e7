export { FailoverDialog } from './FailoverDialog';
